"""The protocols this product ships, one YAML file each, read through the schema."""
