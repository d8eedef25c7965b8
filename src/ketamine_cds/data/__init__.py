"""Product-wide clinical data tables (YAML), each versioned and cited."""
