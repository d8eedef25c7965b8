"""FHIR R4 in: medication requests read with ``fhir.resources``."""
