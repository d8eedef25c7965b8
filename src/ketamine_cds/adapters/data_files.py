"""Reads the product's own data tables (YAML shipped in ``ketamine_cds.data``).

The tables go through the same strict reader as a user's files (:mod:`.documents`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import ValidationError

from ketamine_cds.adapters.documents import read_shipped
from ketamine_cds.adapters.protocol_files import describe_validation_error
from ketamine_cds.domain.errors import ProtocolFileError
from ketamine_cds.domain.protocols.limits import LimitTable

DATA_PACKAGE = "ketamine_cds.data"


def read_data_text(name: str) -> str:
    """The text of a shipped data file, e.g. ``limits.yaml``."""
    return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@cache
def limit_table() -> LimitTable:
    """The product-wide limits and dose bands (``data/limits.yaml``)."""
    data = read_shipped(DATA_PACKAGE, "limits.yaml", error_type=ProtocolFileError)
    try:
        return LimitTable.model_validate(data)
    except ValidationError as error:
        raise ProtocolFileError(describe_validation_error("limits.yaml", error)) from None
