"""The HTTP entry points."""
