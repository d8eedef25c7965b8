"""The five source documents as bibliographic references a reader outside the product can follow.

Inside the product a source is keyed ``seed 000`` … ``seed 004``; whatever the product shows cites
the publication (authors, title, journal, year, pages or DOI), keeping the key in brackets so a
reader of the protocol files can match the two. Where the extracted text lacks the authors or
the journal, the reference says so and marks the details to be completed.
"""

from __future__ import annotations

import re
from typing import Final

SEEDS: Final[dict[str, str]] = {
    "seed 000": (
        "Okon T. Ketamine: an introduction for the pain and palliative medicine physician. "
        "Pain Physician 2007;10(3):493-500. PMID 17525784"
    ),
    "seed 001": (
        "Subanesthetic ketamine infusion protocol of the supportive oncology and survivorship "
        "service of a regional, university-affiliated cancer hospital (developed 2008 by its "
        "Acute Pain Service), with two cases. Oncology nursing journal article, 2016 or later; "
        "authors and journal to be completed"
    ),
    "seed 002": (
        "Grande LA, O'Donnell BR, Fitzgibbon DR, Terman GW. Ultra-low dose ketamine and "
        "memantine treatment for pain in an opioid-tolerant oncology patient. Anesth Analg "
        "2008;107(4):1380-3. doi:10.1213/ane.0b013e3181733ddd"
    ),
    "seed 003": (
        "Ketamine: clinical pharmacology and the evidence for its analgesic use. Pain: Clinical "
        "Updates (International Association for the Study of Pain), summary of evidence adapted "
        "from NHMRC 2000; authors and year to be completed"
    ),
    "seed 004": (
        "Faculty of Pain Medicine, Australian and New Zealand College of Anaesthetists. Low dose "
        "ketamine infusion in the management of chronic non-cancer pain: a position paper with "
        "literature review (proposal for best practice), 2016; attribution to be checked "
        "(superseded in 2021 by PS12(PM))"
    ),
}
SHORT: Final[dict[str, str]] = {
    "seed 000": "Okon, Pain Physician 2007",
    "seed 001": "Cancer-hospital ketamine protocol, oncology nursing article (2016 or later)",
    "seed 002": "Grande et al., Anesth Analg 2008",
    "seed 003": "IASP Pain: Clinical Updates, ketamine",
    "seed 004": "ANZCA Faculty of Pain Medicine position paper, 2016",
}
_KEY = re.compile(r"\bseed 00[0-4]\b")


def cite(document: str) -> str:
    """``document`` with every seed key replaced by its reference, the key kept in brackets."""
    return _KEY.sub(lambda match: f"{SEEDS[match.group(0)]} [{match.group(0)}]", document)


def abbreviated(text: str) -> tuple[str, list[str]]:
    """``text`` with each full reference shortened, and the keys of those it names, in order.

    For text a person reads: the short form in the line, the full reference once at the end.
    """
    used: list[str] = []
    for key, full in SEEDS.items():
        long_form = f"{full} [{key}]"
        if long_form in text:
            text = text.replace(long_form, f"{SHORT[key]} [{key}]")
            used.append(key)
    return text, used


__all__ = ["SEEDS", "SHORT", "abbreviated", "cite"]
