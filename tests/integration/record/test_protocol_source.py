"""The protocol source reads a hospital's files as they are now, with each file's SHA-256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ketamine_cds.adapters.protocol_files import shipped_protocol_texts
from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.domain.errors import ProtocolFileError


def _local_copy(folder: Path, version: str) -> Path:
    text = shipped_protocol_texts()["cancer-continuous.yaml"]
    text = text.replace("id: cancer-continuous", "id: local-infusion", 1)
    text = text.replace("version: 1.0.0", f"version: {version}", 1)
    path = folder / "local-infusion.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_hash_is_the_sha256_of_the_file(tmp_path: Path) -> None:
    """The content hash is hashlib's SHA-256 of the file's bytes."""
    path = _local_copy(tmp_path, "1.0.0")
    loaded = FileProtocolSource((tmp_path,)).get("local-infusion")
    assert loaded.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.protocol.version == "1.0.0"


def test_an_edited_file_is_seen_on_the_next_request(tmp_path: Path) -> None:
    """No process cache hides an edit: the same source answers with the new version and hash."""
    source = FileProtocolSource((tmp_path,))
    path = _local_copy(tmp_path, "1.0.0")
    before = source.get("local-infusion")
    _local_copy(tmp_path, "1.1.0")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = source.get("local-infusion")
    assert after.protocol.version == "1.1.0"
    assert after.content_hash != before.content_hash


def test_a_local_file_may_not_take_a_shipped_id(tmp_path: Path) -> None:
    """A hospital's file using a shipped protocol's id is refused in one sentence."""
    (tmp_path / "cancer-continuous.yaml").write_text(
        shipped_protocol_texts()["cancer-continuous.yaml"], encoding="utf-8"
    )
    with pytest.raises(ProtocolFileError, match="of a protocol already loaded"):
        FileProtocolSource((tmp_path,)).get("cancer-continuous")
