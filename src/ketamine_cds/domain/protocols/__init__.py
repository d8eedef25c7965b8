"""The protocol schema and the one engine that interprets every protocol."""
