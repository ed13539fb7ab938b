"""The export benchmark's one-year diary makes a whole PDF (its speed is the benchmark's)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from benchmarks.bench_export import export_pdf, sample


def test_a_one_year_diary_renders() -> None:
    data = sample(365)
    pdf = export_pdf(data)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 8
    last_page = " ".join(reader.pages[-1].extract_text().split())
    assert data.last.isoformat() in last_page
