"""The surgeon's PDF: a one-page summary, the pain chart, every red flag, warning sign and
symptom check of the period, then every diary entry, each in a table.

Laid out with fpdf2 from a flows.records.report.Report, in black and grey only, so it prints and
photocopies well. Text is set in DejaVu Sans from matplotlib's own data (matplotlib is a
dependency). A character it lacks comes from the Noto fonts of two PyPI packages:
manimgx-fonts (Noto Emoji, the monochrome one; Noto Sans Symbols; Noto Sans and the Noto Sans
of 19 scripts, Arabic and Hebrew among them) and manimgx-fonts-cjk (Noto Sans CJK). Text in a
script that needs it (right to left, joined letters, combining marks, emoji sequences) is
shaped with HarfBuzz (uharfbuzz). A character no font has is drawn as a visible mark that the
PDF explains; a note is never turned into question marks. Without DejaVu Sans the built-in
Helvetica is used and text is reduced to Latin-1 with plain replacements, so an unusual
character never stops an export.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from datetime import UTC, datetime, time

from bot.charts import render_trend_png
from bot.pdf.document import GREY, Document
from bot.pdf.fonts import plan_faces
from bot.pdf.later_pages import (
    chart_page,
    entry_table,
    key_section,
    listed_entries,
    signs_and_checks,
)
from bot.pdf.page_one import page_one
from flows.clinical.trends import Measure
from flows.dialogs.trend_view import trend_series
from flows.i18n import CATALOGUES, DEFAULT_LANGUAGE, t
from flows.records.models import Entry
from flows.records.report import Report

__all__ = ["PAGE_ONE_FALLBACKS", "PAGE_ONE_LINES", "render_pdf", "report_chart_png"]

# Alerts (the most recent) and red flags or warning signs (the most urgent) listed on page one;
# all of them follow the chart. Should page one still overflow (long reasons, a long check), it
# is laid out again with the next smaller number, so that the summary always fits on one sheet.
PAGE_ONE_LINES = 6
PAGE_ONE_FALLBACKS = (3, 1, 0)


@functools.lru_cache(maxsize=8)
def _catalogue_text(language: str) -> str:
    # Every report text of the language, so that its fonts are planned with the rest.
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    return "".join(value for key, value in catalogue.items() if key.startswith("report."))


def report_chart_png(report: Report, entries: Sequence[Entry], language: str) -> bytes | None:
    """The /trend chart for the report's period, with its baselines and alert days."""
    shown = [e for e in entries if report.first <= e.entry_date <= report.last]
    if not shown:
        return None
    baselines = {row.measure: row.baseline for row in report.measures}
    back, leg = baselines.get(Measure.BACK), baselines.get(Measure.LEG)
    series = trend_series(
        shown,
        report.first,
        report.last,
        baselines=(back, leg),
        alert_days=[alert.day for alert in report.alerts],
    )
    return render_trend_png(series, language)


def render_pdf(
    report: Report,
    entries: Sequence[Entry],
    chart_png: bytes | None,
    language: str,
    *,
    entry_rows: int | None = None,
) -> bytes:
    """Return the PDF: summary page, chart, warning signs and checks, then the entries.

    With `entry_rows`, the table lists only the latest that many entries and says so.
    """
    listed, _ = listed_entries(report, entries, entry_rows)
    own = (report.model_dump_json(), _catalogue_text(language))
    notes = [e.note for e in listed if e.note]
    with contextlib.ExitStack() as stack:
        # The fonts are picked (and Noto Sans CJK cut) once, for every layout of page one.
        faces = plan_faces([*own, *notes], own, stack)
        for limit in (PAGE_ONE_LINES, *PAGE_ONE_FALLBACKS):
            pdf = Document(report, language, faces)
            pdf.add_page()
            page_one(pdf, report, language, limit)
            if pdf.page_no() == 1 or limit == PAGE_ONE_FALLBACKS[-1]:
                break
            pdf.discard()
        pdf.set_title(t(language, "report.title"))
        pdf.set_creator("BackTrack")
        # Fixed by the report, not the clock, so the same report gives the same file.
        pdf.set_creation_date(datetime.combine(report.generated_on, time(0, 0), tzinfo=UTC))
        # Thin grey rules for every table after page one.
        pdf.set_draw_color(GREY)
        pdf.set_line_width(0.1)
        chart_page(pdf, report, chart_png, language, limit)
        signs_and_checks(pdf, report, language)
        key_section(pdf, report, language)
        entry_table(pdf, report, entries, language, entry_rows)
        if pdf.replaced:
            pdf.ln(2)
            pdf.para(t(language, "report.unsupported_note", mark=pdf.mark), size=7.5, grey=GREY)
        return bytes(pdf.output())
