"""CDS Hooks 2.0: the wire models, the services, and the product's results as cards."""
