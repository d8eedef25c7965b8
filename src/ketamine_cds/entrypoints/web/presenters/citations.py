"""Numbered references for a printed page: each source document once, each rule by number.

A plan repeats its sources in full beside every rule ("<authors, title, journal> [seed 001],
Ketamine Protocol Details"). On paper that buries the rules, so the page lists each document
once, numbered, and a rule shows ``[1] Ketamine Protocol Details``. A source that matches no
listed document is shown in full where it is cited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ketamine_cds.domain.references import SEEDS, cite


@dataclass(frozen=True)
class Reference:
    """One source document as listed at the foot of the page."""

    number: int
    label: str
    text: str


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: a listed reference and its section, or the full source."""

    number: int | None
    section: str
    full: str

    @property
    def short(self) -> str:
        """``[1] Section`` when the document is listed, else the source in full."""
        if self.number is None:
            return self.full
        return f"[{self.number}] {self.section}".rstrip()


@dataclass
class References:
    """The references of one page, numbered in the order they are first needed."""

    listed: list[Reference] = field(default_factory=list)
    _prefixes: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def from_protocol(cls, sources: list[str]) -> References:
        """The protocol's own sources first (``label: text``), in its order."""
        references = cls()
        for source in sources:
            label, _, text = source.partition(": ")
            if not text:
                label, text = "", source
            references.add(label, text)
        return references

    def add(self, label: str, text: str) -> int:
        """Number a document (once); later rule sources that begin with it cite that number."""
        document = SEEDS.get(label, text)
        shown = f"{document} [{label}]" if label in SEEDS else text
        for prefix, number in self._prefixes:
            if prefix == shown:
                return number
        number = len(self.listed) + 1
        self.listed.append(Reference(number, label, shown))
        self._prefixes.append((shown, number))
        if label in SEEDS:
            self._prefixes.append((f"{SEEDS[label]} [{label}]", number))
        else:
            self._prefixes.append((cite(text), number))
        return number

    def cite(self, source: str) -> Citation:
        """The citation of a rule's source, adding a seed document not yet listed."""
        for prefix, number in sorted(self._prefixes, key=lambda p: -len(p[0])):
            if source.startswith(prefix):
                return Citation(number, source[len(prefix) :].lstrip(" ,;"), source)
        for key, document in SEEDS.items():
            prefix = f"{document} [{key}]"
            if source.startswith(prefix):
                number = self.add(key, document)
                return Citation(number, source[len(prefix) :].lstrip(" ,;"), source)
        return Citation(None, "", source)
