"""Sources are shown as references a reader outside the product can follow."""

from __future__ import annotations

import pytest
from library import all_protocols

from ketamine_cds.domain.protocols.schema import Source
from ketamine_cds.domain.references import SEEDS, cite
from ketamine_cds.entrypoints.cli.common import notice, with_references


def test_a_seed_key_is_shown_as_its_publication_with_the_key_in_brackets() -> None:
    """seed 002 is Grande et al., Anesth Analg 2008, with its DOI; the section follows."""
    shown = str(Source(document="seed 002", section="Case Description"))
    assert shown.startswith("Grande LA, O'Donnell BR, Fitzgibbon DR, Terman GW.")
    assert "Anesth Analg 2008;107(4):1380-3. doi:10.1213/ane.0b013e3181733ddd [seed 002]" in shown
    assert shown.endswith(", Case Description")


def test_a_reference_citing_a_seed_keeps_its_own_words() -> None:
    """"Fitzgibbon 2002, as cited in seed 000" names both works."""
    shown = cite("Fitzgibbon 2002, as cited in seed 000")
    assert shown.startswith("Fitzgibbon 2002, as cited in Okon T.")
    assert shown.endswith("PMID 17525784 [seed 000]")


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_every_reference_names_where_it_was_published_or_what_is_missing(key: str) -> None:
    """Each names a year and a journal or body, or says which details are to be completed."""
    text = SEEDS[key]
    assert any(year in text for year in ("2007", "2008", "2016")) or "to be completed" in text
    assert "Pain" in text or "Anesth" in text or "nursing" in text


def test_no_protocol_file_points_readers_at_a_path_of_this_repository() -> None:
    """Protocol references cite publications, never files only this repository has."""
    for protocol in all_protocols():
        for reference in protocol.references:
            assert "shared/seeds" not in reference.citation, (protocol.id, reference.id)
            if reference.id in SEEDS:
                assert reference.citation == SEEDS[reference.id]


def test_text_for_a_person_shortens_references_and_lists_each_once() -> None:
    """Lines carry the short form; the full reference follows once, before the notice."""
    line = str(Source(document="seed 002", section="Figure 2"))
    text = with_references(f"a: {line}\nb: {line}\n{notice()}")
    assert text.count(SEEDS["seed 002"]) == 1
    assert "a: Grande et al., Anesth Analg 2008 [seed 002], Figure 2" in text
    assert text.endswith(f"References:\n  [seed 002] {SEEDS['seed 002']}\n{notice()}")
