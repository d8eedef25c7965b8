"""The clinical record in SQL: SQLite by default, PostgreSQL in production (SQLAlchemy Core)."""
