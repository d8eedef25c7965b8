"""The shipped limit table reads the same through libyaml as through PyYAML's own parser."""

from __future__ import annotations

import yaml

from ketamine_cds.adapters import protocol_source
from ketamine_cds.adapters.data_files import read_data_text
from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.domain.protocols.limits import LimitTable


def test_the_limit_table_is_the_same_whichever_parser_reads_it() -> None:
    """Same values, same validated table, as ``yaml.safe_load`` gave before."""
    text = read_data_text("limits.yaml")
    pure = yaml.load(text, Loader=yaml.SafeLoader)
    assert yaml.load(text, Loader=protocol_source._SAFE_LOADER) == pure  # noqa: S506, SLF001
    assert yaml.safe_load(text) == pure
    table = FileProtocolSource().limits().table
    assert table == LimitTable.model_validate(pure)
    if yaml.__with_libyaml__:
        assert protocol_source._SAFE_LOADER is yaml.CSafeLoader  # noqa: SLF001
