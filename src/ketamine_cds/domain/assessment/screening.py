"""Neuropathic pain screening: the NPQ descriptors of seed 000 and the LANSS scale.

Seed 000 ("Neuropathic Pain") names the three most discriminating descriptors of the Neuropathic
Pain Questionnaire (Krause & Backonja, Clin J Pain 2003;19:306-314) — tingling, pain increased by
touch, numbness ("TIN-gling") — adds burning, shooting (but not electric) and freezing pain, and
the LANSS features (prickling, altered temperature or skin colour; allodynia, hyperalgesia or
hypoalgesia on examination). It diagnoses neuropathic pain from lines of evidence: the history,
the patient's words, and signs on examination.

The LANSS (Bennett, Pain 2001;92:147-157) has five symptom items and two examination items with
published weights summing to 24; a score of 12 or more means neuropathic mechanisms are likely to
be contributing to the pain.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.assessment.citation import Citation
from ketamine_cds.domain.assessment.patient import (
    ExaminationSign,
    Lanss,
    PainDescriptor,
    PatientRecord,
)

SEED_000_NEUROPATHIC = Citation(document="seed 000", section="Neuropathic Pain")
BENNETT_2001 = Citation(
    document="Bennett M. The LANSS Pain Scale. Pain 2001;92:147-157 (seed 000, reference 5)",
    section="LANSS Pain Scale: items, scores and cut-off",
)

NPQ_MOST_DISCRIMINATING: tuple[PainDescriptor, ...] = (
    PainDescriptor.TINGLING,
    PainDescriptor.PAIN_INCREASED_BY_TOUCH,
    PainDescriptor.NUMBNESS,
)
SEED_000_OTHER_DESCRIPTORS: tuple[PainDescriptor, ...] = (
    PainDescriptor.BURNING,
    PainDescriptor.SHOOTING,
    PainDescriptor.FREEZING,
    PainDescriptor.PRICKLING,
    PainDescriptor.TEMPERATURE_CHANGE,
    PainDescriptor.COLOUR_CHANGE,
)
SEED_000_SIGNS: tuple[ExaminationSign, ...] = (
    ExaminationSign.ALLODYNIA,
    ExaminationSign.HYPERALGESIA,
    ExaminationSign.HYPOALGESIA,
)


@dataclass(frozen=True)
class LanssItem:
    """One LANSS item: the record field, its wording in short, and its published weight."""

    field: str
    label: str
    weight: int


LANSS_ITEMS: tuple[LanssItem, ...] = (
    LanssItem("dysaesthesia", "strange unpleasant skin sensations (pricking, tingling)", 5),
    LanssItem("autonomic", "skin in the painful area looks different (mottled, red)", 5),
    LanssItem("evoked_pain", "skin abnormally sensitive to touch", 3),
    LanssItem("paroxysmal_pain", "bursts of pain for no apparent reason (electric shocks)", 2),
    LanssItem("thermal_pain", "skin temperature feels abnormally changed (hot, burning)", 1),
    LanssItem("allodynia", "examination: allodynia to cotton wool", 5),
    LanssItem("altered_pinprick_threshold", "examination: altered pin-prick threshold", 3),
)
LANSS_MAXIMUM = sum(item.weight for item in LANSS_ITEMS)
LANSS_CUT_OFF = 12


@dataclass(frozen=True)
class LanssScore:
    """A LANSS result; ``score`` is None while items are missing, unless the answer is decided."""

    score: int | None
    partial_score: int
    missing: tuple[str, ...]
    positive: bool | None
    interpretation: str
    source: Citation = BENNETT_2001


def score_lanss(answers: Lanss) -> LanssScore:
    """Score the LANSS; with items missing, say so, and say whether the answer is already decided.

    >>> score_lanss(Lanss(dysaesthesia=True, autonomic=False, evoked_pain=True,
    ...     paroxysmal_pain=False, thermal_pain=True, allodynia=True,
    ...     altered_pinprick_threshold=False)).score
    14
    """
    partial = 0
    missing: list[str] = []
    for item in LANSS_ITEMS:
        value = getattr(answers, item.field)
        if value is None:
            missing.append(f"questionnaires.lanss.{item.field}")
        elif value:
            partial += item.weight
    still_possible = sum(
        item.weight for item in LANSS_ITEMS if getattr(answers, item.field) is None
    )
    if not missing:
        positive = partial >= LANSS_CUT_OFF
        return LanssScore(
            score=partial,
            partial_score=partial,
            missing=(),
            positive=positive,
            interpretation=_lanss_words(partial, positive=positive),
        )
    if partial >= LANSS_CUT_OFF:
        positive_partial: bool | None = True
        words = (
            f"at least {partial}/{LANSS_MAXIMUM} with {len(missing)} item(s) unanswered: already "
            f"{LANSS_CUT_OFF} or more, neuropathic mechanisms likely contributing"
        )
    elif partial + still_possible < LANSS_CUT_OFF:
        positive_partial = False
        words = (
            f"{partial}/{LANSS_MAXIMUM} with {len(missing)} item(s) unanswered: cannot reach "
            f"{LANSS_CUT_OFF}, neuropathic mechanisms unlikely to be contributing"
        )
    else:
        positive_partial = None
        words = (
            f"incomplete: {partial}/{LANSS_MAXIMUM} so far, {len(missing)} item(s) unanswered "
            f"could still reach the cut-off of {LANSS_CUT_OFF}"
        )
    return LanssScore(
        score=None,
        partial_score=partial,
        missing=tuple(missing),
        positive=positive_partial,
        interpretation=words,
    )


def _lanss_words(score: int, *, positive: bool) -> str:
    if positive:
        return (
            f"{score}/{LANSS_MAXIMUM}: {LANSS_CUT_OFF} or more, neuropathic mechanisms are "
            "likely to be contributing to the pain"
        )
    return (
        f"{score}/{LANSS_MAXIMUM}: below {LANSS_CUT_OFF}, neuropathic mechanisms are unlikely "
        "to be contributing to the pain"
    )


@dataclass(frozen=True)
class NeuropathicScreen:
    """Seed 000's lines of evidence for neuropathic pain, as far as the record shows them."""

    npq_descriptors: tuple[PainDescriptor, ...]
    other_descriptors: tuple[PainDescriptor, ...]
    signs: tuple[ExaminationSign, ...]
    lanss: LanssScore | None
    assessed: bool
    features_present: bool
    summary: str
    source: Citation = SEED_000_NEUROPATHIC

    @property
    def status(self) -> str:
        """``positive``, ``negative`` or ``incomplete``."""
        if self.features_present:
            return "positive"
        return "negative" if self.assessed else "incomplete"


def screen_neuropathic(record: PatientRecord) -> NeuropathicScreen:
    """Gather the descriptors, signs and LANSS of the record into seed 000's lines of evidence.

    Positive when the patient's words include a descriptor seed 000 names **and** examination
    shows one of its signs (two lines of evidence), or when the LANSS is 12 or more.
    """
    words = record.pain.descriptors
    signs_seen = record.pain.examination_signs
    npq = tuple(d for d in NPQ_MOST_DISCRIMINATING if words and d in words)
    other = tuple(d for d in SEED_000_OTHER_DESCRIPTORS if words and d in words)
    signs = tuple(s for s in SEED_000_SIGNS if signs_seen and s in signs_seen)
    lanss = score_lanss(record.questionnaires.lanss) if record.questionnaires.lanss else None
    lanss_positive = lanss is not None and lanss.positive is True
    two_lines = bool(npq or other) and bool(signs)
    present = two_lines or lanss_positive
    assessed = (words is not None and signs_seen is not None) or (
        lanss is not None and lanss.positive is not None
    )
    parts = [
        f"NPQ descriptors {len(npq)} of 3 ({', '.join(d.value for d in npq) or 'none'})",
        f"other descriptors: {', '.join(d.value for d in other) or 'none'}",
        f"signs: {', '.join(s.value for s in signs) or 'none'}",
    ]
    if words is None:
        parts[0] = "descriptors not recorded"
    if signs_seen is None:
        parts[2] = "examination not recorded"
    if lanss is not None:
        parts.append(f"LANSS {lanss.interpretation}")
    return NeuropathicScreen(
        npq_descriptors=npq,
        other_descriptors=other,
        signs=signs,
        lanss=lanss,
        assessed=assessed,
        features_present=present,
        summary="; ".join(parts),
    )
