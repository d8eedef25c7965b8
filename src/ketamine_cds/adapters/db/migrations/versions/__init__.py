"""One module per revision of the record's schema."""
