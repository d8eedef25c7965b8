"""Implementations of the ports the service declares: files, database, FHIR."""
