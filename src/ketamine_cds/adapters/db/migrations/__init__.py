"""Alembic migrations of the record, shipped inside the package (``ketamine-cds db upgrade``)."""
