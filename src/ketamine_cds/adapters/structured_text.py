"""Kept for callers of the earlier module name; the reader is :mod:`.documents`."""

from ketamine_cds.adapters.documents import parse_structured

__all__ = ["parse_structured"]
