"""The order set printed to PDF: the page's own template, with the patient's numbers in it."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from library import SOURCE, shipped
from pypdf import PdfReader

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.render.pdf import LocalFetcher, html_to_pdf
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.entrypoints.web.presenters.order_set import PatientIdentifiers, order_set_view
from ketamine_cds.entrypoints.web.templating import STATIC_DIR, file_static, render
from ketamine_cds.service.planning import plan


@pytest.fixture(scope="module")
def pages() -> list[str]:
    view = order_set_view(
        plan(SOURCE, "cancer-continuous", BodyWeight.from_kg(70)),
        PatientIdentifiers(name="Test Patient", identifier="TEST-0070"),
        shipped("cancer-continuous"),
        limit_table(),
        generated_at=datetime(2024, 6, 2, 8, 0, tzinfo=UTC),
    )
    pdf = html_to_pdf(render("order_set.html", static_url=file_static, o=view), STATIC_DIR)
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def test_the_pdf_holds_the_patients_numbers(pages):
    """Seed 001 for 70 kg: start 7 mg/h = 7 mL/h at 1 mg/mL, ceiling 14 mg/h, hard limit 70 mg/h."""
    text = " ".join(pages)
    assert "Ketamine 1 mg/mL" in text
    assert "7 mg/h" in text
    assert "7.0 mL/h" in text
    assert "14 mg/h" in text
    assert "pump 14.0 mL/h (rounded down)" in text
    assert "70 mg/h" in text
    assert "Pharmacist verification" in text


def test_every_page_names_the_patient_and_carries_the_notice(pages):
    """A printed page read alone still says whose order it is and that it is decision support."""
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "TEST-0070" in page
        assert "Decision support, not a prescriber" in page
        assert f"page {number} of {len(pages)}" in page


def test_the_printer_reads_only_files_under_its_folder(tmp_path: Path):
    """A stylesheet or image outside the static folder is refused, whatever the page links."""
    fetcher = LocalFetcher(STATIC_DIR)
    outside = tmp_path / "secret.css"
    outside.write_text("body { color: red }", encoding="utf-8")
    with pytest.raises(ValueError, match="reads only files under"):
        fetcher.fetch(outside.as_uri())
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://127.0.0.1:9/x.css")
    inside = fetcher.fetch((STATIC_DIR / "css" / "ward.css").as_uri())
    assert inside is not None
