"""The ``ketamine-cds`` command line."""
