"""The one strict reader: what it reads, what it refuses, and that it never raises anything else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_cds.adapters.documents import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_JSON_BYTES,
    parse_structured,
    read_document,
    read_shipped,
)
from ketamine_cds.adapters.structured_text import parse_structured as earlier_name
from ketamine_cds.domain.errors import ProtocolFileError, UserInputError


def yaml_doc(text: str) -> object:
    return parse_structured(text.encode(), "f.yaml", as_json=False)


def json_doc(text: str) -> object:
    return parse_structured(text.encode(), "f.json", as_json=True)


def test_yaml_reads_only_core_forms_and_keeps_times_as_text() -> None:
    """true/false, null/~, decimal numbers are values; dates, times and versions stay text."""
    data = yaml_doc(
        "a: true\nb: false\nc: null\nd: ~\ne:\nf: 70\ng: -0.5\nh: 1.5e-3\ni: +3\nj: .5\n"
        "t: 2024-03-02T08:00:00Z\nday: 2024-03-02\nv: 1.0.0\nrate: 5 mg/h\nq: 'yes'\n"
    )
    assert data == {
        "a": True, "b": False, "c": None, "d": None, "e": None, "f": 70, "g": -0.5,
        "h": 0.0015, "i": 3, "j": 0.5, "t": "2024-03-02T08:00:00Z", "day": "2024-03-02",
        "v": "1.0.0", "rate": "5 mg/h", "q": "yes",
    }


@pytest.mark.parametrize(
    ("value", "reading"),
    [
        ("yes", "boolean"), ("No", "boolean"), ("ON", "boolean"), ("off", "boolean"),
        ("y", "boolean"), ("TRUE", "boolean"), ("False", "boolean"), ("Null", "null"),
        ("0x1F", "hexadecimal"), ("0o17", "hexadecimal"), ("0b101", "hexadecimal"),
        ("017", "leading zeros"), ("00", "leading zeros"), ("20:00", "base 60"),
        ("1_000", "underscores"), ("1_000.5", "underscores"),
        ("1:30", "base 60"), ("-1:30:00", "base 60"), ("190:20:30.15", "base 60"),
        (".inf", "not finite"), ("-.Inf", "not finite"), (".NAN", "not finite"),
        ("1e5", "as text in YAML 1.1"), ("1.5E3", "as text in YAML 1.1"), ("08", "leading zeros"),
    ],
)
def test_yaml_11_readings_are_refused_not_guessed(value: str, reading: str) -> None:
    """A plain value that YAML 1.1 reads as a boolean, null or number is refused, with the line."""
    with pytest.raises(UserInputError, match=rf"f\.yaml: line 2: '{value}' is read .*{reading}"):
        yaml_doc(f"a: 1\nb: {value}\n")


@pytest.mark.parametrize("value", ["yes", "0x1F", "1_000", "12:30", ".inf", "NULL"])
def test_quoted_they_are_text(value: str) -> None:
    """Quoted, the same values are read as the text they are."""
    assert yaml_doc(f"a: '{value}'\nb: \"{value}\"\n") == {"a": value, "b": value}


@pytest.mark.parametrize("value", ["08:00", "00:30", "0:0", "1.0.0", "2024-03-02", "7 mg/h"])
def test_text_every_yaml_version_reads_as_text_is_text(value: str) -> None:
    """Times with a leading zero, versions and dates are text in YAML 1.1 and 1.2 alike."""
    assert yaml_doc(f"a: {value}\n") == {"a": value}


def test_duplicate_keys_name_the_key_and_both_lines() -> None:
    """A key given twice is refused, naming it and both lines, in YAML and JSON, at any depth."""
    with pytest.raises(UserInputError, match=r"'weight' is given twice in one mapping \(lines 3 "
                                             r"and 5\)"):
        yaml_doc("patient:\n  id: p\n  weight: 70 kg\n  sex: f\n  weight: 170 kg\n")
    with pytest.raises(UserInputError, match=r"'weight' is given twice in one object \(lines 4 "
                                             r"and 6\)"):
        json_doc('{"a": {"weight": 1},\n "events": [\n  {"at": 1},\n  {"weight": 70,\n'
                 '   "at": 2,\n   "weight": 170}]}')


def test_a_repeated_key_in_a_large_json_file_is_named_without_its_lines() -> None:
    """Above a MiB, locating the lines would take seconds: the key is named, the lines are not."""
    text = "[" + '{"x": 1},' * 120_000 + '{"x": 1, "x": 2}]'
    assert len(text) > 1024 * 1024
    with pytest.raises(UserInputError, match=r"^f\.json: the key 'x' is given twice in one "
                                             r"object; give it once$"):
        json_doc(text)


def test_the_same_key_in_different_mappings_is_fine() -> None:
    """Each event may have its own 'at': only a repeat within one mapping is refused."""
    assert json_doc('[{"at": 1}, {"at": 2}]') == [{"at": 1}, {"at": 2}]
    assert yaml_doc("- at: 1\n- at: 2\n") == [{"at": 1}, {"at": 2}]


@pytest.mark.parametrize("as_json", [False, True])
def test_nesting_up_to_the_limit_is_read_and_one_more_level_is_refused(as_json: bool) -> None:
    """MAX_DEPTH levels are read; one more is one sentence, never a RecursionError or a crash."""
    name = "f.json" if as_json else "f.yaml"
    inside = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_structured(inside.encode(), name, as_json=as_json) is not None
    deeper = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(UserInputError, match=rf"{name} is nested more than {MAX_DEPTH} levels"):
        parse_structured(deeper.encode(), name, as_json=as_json)
    huge = "[" * 200_000 + "]" * 200_000
    with pytest.raises(UserInputError, match="nested more than"):
        parse_structured(huge.encode(), name, as_json=as_json)


def test_brackets_inside_json_strings_are_not_nesting() -> None:
    """Depth counts structure, not the text of strings."""
    text = '{"note": "' + "[{" * 100 + '\\"", "b": []}'
    assert json_doc(text) == {"note": "[{" * 100 + '"', "b": []}


def test_the_size_limit_is_exact(tmp_path: Path) -> None:
    """A document of MAX_BYTES bytes is read; one byte more is refused, from text or a file."""
    at_limit = b"a: 1\n" + b"#" * (MAX_BYTES - 6) + b"\n"
    assert len(at_limit) == MAX_BYTES
    assert parse_structured(at_limit, "f.yaml", as_json=False) == {"a": 1}
    over = at_limit + b"\n"
    with pytest.raises(UserInputError, match=r"f\.yaml is 1,048,577 bytes, larger than the "
                                             r"1,048,576 bytes the product reads"):
        parse_structured(over, "f.yaml", as_json=False)
    path = tmp_path / "big.yaml"
    path.write_bytes(over)
    with pytest.raises(UserInputError, match=r"^episode file .*big\.yaml is larger than the "
                                             r"1,048,576 bytes"):
        read_document(path, "episode file")


def test_json_may_be_larger_than_yaml() -> None:
    """JSON (a FHIR Bundle) is read up to MAX_JSON_BYTES, eight times the YAML limit."""
    text = b'{"a": "' + b"x" * (MAX_JSON_BYTES - 10) + b'"}'
    assert MAX_BYTES < len(text) <= MAX_JSON_BYTES
    assert json_doc(text.decode()) == {"a": "x" * (MAX_JSON_BYTES - 10)}
    with pytest.raises(UserInputError, match=r"larger than the 1,048,576 bytes"):
        parse_structured(b"a: " + text, "f.yaml", as_json=False)
    with pytest.raises(UserInputError, match=r"larger than the 8,388,608 bytes"):
        json_doc('{"a": "' + "x" * MAX_JSON_BYTES + '"}')


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ("é: 1".encode("utf-16"), r"not a UTF-8 text file \(it is UTF-16\)"),
        ("é: 1".encode("utf-16-be"), r"not a UTF-8 text file \(it holds NUL bytes"),
        ("é: 1".encode("utf-32"), r"not a UTF-8 text file \(it is UTF-32\)"),
        ("a: 1\nb: é\n".encode("latin-1"), r"not a UTF-8 text file \(byte 0xe9 at line 2 is"),
        (b"\x89PNG\r\n\x1a\n", r"not a UTF-8 text file \(byte 0x89 at line 1 is not"),
    ],
)
def test_only_utf8_is_read(data: bytes, sentence: str) -> None:
    """Bytes that are not UTF-8 are one sentence naming the file."""
    with pytest.raises(UserInputError, match=rf"^f\.yaml is {sentence}"):
        parse_structured(data, "f.yaml", as_json=False)


def test_a_utf8_byte_order_mark_is_dropped() -> None:
    """A UTF-8 byte-order mark carries no meaning and is accepted, in YAML and JSON."""
    assert parse_structured(b"\xef\xbb\xbfa: 1\n", "f.yaml", as_json=False) == {"a": 1}
    assert parse_structured(b'\xef\xbb\xbf{"a": 1}', "f.json", as_json=True) == {"a": 1}


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ('{"a": NaN}', "NaN is not a finite number"),
        ('{"a": [Infinity]}', "Infinity is not a finite number"),
        ('{"a": 1e309}', "1e309 is too large"),
        ('{"a": -1E+400}', r"-1E\+400 is too large"),
        ('{"a": ' + "1" * 31 + "}", "a number of 31 digits"),
    ],
)
def test_json_numbers_must_be_finite(text: str, sentence: str) -> None:
    """NaN, infinity and numbers a float cannot hold are refused."""
    with pytest.raises(UserInputError, match=rf"^f\.json: {sentence}"):
        json_doc(text)


def test_a_number_of_thirty_digits_is_read() -> None:
    """The digit limit is MAX_DIGITS exactly."""
    assert json_doc('{"a": ' + "1" * 30 + "}") == {"a": int("1" * 30)}


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("a: &x 1\nb: *x\n", r"line 1 uses a YAML anchor or alias"),
        ("a: 1\nb: !!str 5\n", r"line 2 has the YAML tag '!!str'"),
        ("a: !!python/object/apply:os.system [id]\n", r"YAML tag '!!python/object/apply:os"),
        ("a: ! 5\n", r"YAML tag '!'"),
        ("? [a]\n: 1\n", r"line 1: a key is not text"),
        ("3: three\n", r"line 1: a key is not text"),
        ("a: 1\n---\nb: 2\n", r"expected a single document"),
    ],
)
def test_yaml_structures_that_can_hide_meaning_are_refused(text: str, sentence: str) -> None:
    """Aliases, tags, non-text keys and several documents are refused in one sentence."""
    with pytest.raises(UserInputError, match=sentence):
        yaml_doc(text)


def test_shipped_tables_may_share_a_reference() -> None:
    """The product's own reviewed tables may use an alias; everything else read stays strict."""
    table = read_shipped("ketamine_cds", "data", "assessment", "contraindications.yaml")
    assert isinstance(table, dict)
    assert table["references"]["cohen"]["section"] == "Contraindications"


def test_the_earlier_name_is_the_same_reader() -> None:
    """Callers of structured_text.parse_structured get the strict reader, with its error type."""
    with pytest.raises(ProtocolFileError, match="given twice"):
        earlier_name("a: 1\na: 2\n", "p.yaml", as_json=False, error_type=ProtocolFileError)


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        (lambda p: p, r"^cannot read patient file .*: it is a folder, not a file$"),
        (lambda p: p / "none.yaml", r"^cannot read patient file .*none\.yaml: there is no such"),
    ],
)
def test_files_that_cannot_be_read_are_one_sentence(make: object, sentence: str,
                                                    tmp_path: Path) -> None:
    """A folder or a missing path is named, with what was expected there."""
    with pytest.raises(UserInputError, match=sentence):
        read_document(make(tmp_path), "patient file")  # type: ignore[operator]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_json_round_trips_like_the_standard_library(value: object) -> None:
    """Any finite JSON value reads back as json.loads reads it (the standard library as oracle)."""
    text = json.dumps(value)
    assert json_doc(text) == json.loads(text)


# The core schema of YAML 1.2.2 (section 10.3.2), written from the specification: text that a
# YAML 1.2 reader takes for null, a boolean or a number. With YAML 1.1's bare y, Y, n and N, these
# are what PyYAML (a YAML 1.1 writer) may write unquoted and this reader must refuse, not misread.
YAML_12_NOT_TEXT = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN"
    r"|y|Y|n|N"
)


def _written_bare(text: str) -> bool:
    """Whether PyYAML writes ``text`` unquoted: its own resolver reads it back as text."""
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    return tag == "tag:yaml.org,2002:str"


def _misreadable(value: object) -> bool:
    return any(
        _written_bare(text) and YAML_12_NOT_TEXT.fullmatch(text) for text in _strings(value)
    )


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return set().union(*(_strings(item) for item in value))
    if isinstance(value, dict):
        return set(value).union(*(_strings(item) for item in value.values()))
    return set()


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_yaml_written_by_pyyaml_reads_back_unchanged(value: object) -> None:
    """What PyYAML's safe dumper writes (quoting what YAML 1.1 would misread) reads back equal."""
    text = yaml.safe_dump({"v": value})
    if _misreadable(value):
        with pytest.raises(UserInputError, match="is read by some YAML readers as"):
            yaml_doc(text)
    else:
        assert yaml_doc(text) == {"v": value}


@pytest.mark.parametrize("text", ["Y", "08", "1e5", "1.5e3", "0:0", "08:00", "00:30", "+0_0"])
def test_what_pyyaml_writes_bare_and_yaml_12_reads_otherwise_is_refused(text: str) -> None:
    """Text a YAML 1.1 writer leaves bare but a YAML 1.2 reader takes for a value is refused."""
    dumped = yaml.safe_dump({"v": text})
    assert _written_bare(text) == (f"v: {text}\n" == dumped)
    if _misreadable(text):
        with pytest.raises(UserInputError, match="is read by some YAML readers as"):
            yaml_doc(dumped)
    else:
        assert yaml_doc(dumped) == {"v": text}


def _read_or_sentence(data: str | bytes, as_json: bool) -> str | None:
    """None when ``data`` is read; the refusal's sentence when it is refused."""
    try:
        parse_structured(data, "f", as_json=as_json)
    except UserInputError as error:
        return str(error)
    return None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_are_read_or_refused_in_one_sentence(data: bytes, as_json: bool) -> None:
    """Whatever the bytes, the reader returns a value or raises UserInputError, nothing else."""
    sentence = _read_or_sentence(data, as_json)
    assert sentence is None or "\n" not in sentence


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!'\"#?|>,. 01\n\t~%@`")), max_size=80),
       st.booleans())
def test_any_yaml_like_text_is_read_or_refused_in_one_sentence(text: str, as_json: bool) -> None:
    """Text made of YAML's punctuation is read or refused in one sentence, never a crash."""
    sentence = _read_or_sentence(text, as_json)
    assert sentence is None or "\n" not in sentence
