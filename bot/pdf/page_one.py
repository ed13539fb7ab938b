"""Page one of the PDF: the patient, the surgery, pain against baseline, alerts, the last check."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from bot.pdf.document import GREY, LIGHT, Document
from flows.i18n import t
from flows.records.report import RedFlagEvent, Report

# Column widths (mm, 180 in all) of the pain table.
PAIN_COLUMNS = (40.0, 24.0, 40.0, 20.0, 30.0, 26.0)


def _title(pdf: Document, report: Report, language: str) -> None:
    pdf.use(20, bold=True)
    pdf.shape_for("")
    pdf.cell(0, 10, pdf.text_of(t(language, "report.title")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(t(language, "report.subtitle"), size=9, grey=GREY)
    pdf.ln(2)
    pdf.para(report.patient_text, size=12, bold=True)
    line = t(
        language, "report.period_line", period=report.period_text, generated=report.generated_text
    )
    pdf.para(line, size=10)


def _pain_table(pdf: Document, report: Report, language: str) -> None:
    pdf.heading(t(language, "report.heading.pain"))
    pdf.use(9.5)
    # The table is of the report's own words and numbers, none to shape.
    pdf.shape_for("")
    headings = (
        "report.col.measure",
        "report.col.baseline",
        "report.col.recent",
        "report.col.change",
        "report.col.mcid",
        "report.col.crossed",
    )
    with pdf.table(
        col_widths=PAIN_COLUMNS,
        width=sum(PAIN_COLUMNS),
        align=Align.L,
        text_align=Align.L,
        line_height=5,
        headings_style=FontFace(emphasis="BOLD", fill_color=LIGHT),
        padding=1,
    ) as table:
        row = table.row()
        for key in headings:
            row.cell(pdf.text_of(t(language, key)))
        for measure in report.measures:
            row = table.row()
            row.cell(pdf.text_of(measure.name), style=FontFace(emphasis="BOLD"))
            row.cell(pdf.text_of(measure.baseline_text))
            row.cell(pdf.text_of(measure.recent_text))
            row.cell(pdf.text_of(measure.change_text))
            row.cell(pdf.text_of(measure.mcid_text))
            # Bold rather than colour, so it survives black-and-white printing.
            row.cell(
                pdf.text_of(measure.crossed_text),
                style=FontFace(emphasis="BOLD") if measure.crossed else None,
            )
    pdf.ln(1)
    # Which days the baseline is from: an import of older rows moves it, and with it the verdict.
    pdf.para(report.baseline_text, size=9)
    # How complete the diary is, which the numbers above rest on.
    pdf.para(report.completeness_text, size=9)
    pdf.ln(0.5)
    pdf.para(report.pain_note, size=7.5, grey=GREY)


def _listed(pdf: Document, lines: Sequence[str], none: str, language: str, limit: int) -> None:
    if not lines:
        pdf.bullets([none], size=9)
        return
    # The most recent first: that is what the surgeon acts on.
    recent = list(reversed(lines))[:limit]
    pdf.bullets(recent, size=9)
    hidden = len(lines) - len(recent)
    if hidden:
        key = "report.more" if recent else "report.all_later"
        pdf.para(t(language, key, count=hidden), size=8.5, grey=GREY)


def _treatment(pdf: Document, report: Report, language: str, limit: int) -> None:
    """The medicines now, the period's changes and events, the as-needed doses."""
    summary = report.treatment
    if summary.empty:
        return
    pdf.heading(t(language, "report.heading.treatment"))
    if summary.current:
        pdf.para(t(language, "report.medicines_now", lines="; ".join(summary.current)), size=9)
    else:
        pdf.para(t(language, "report.no_medicines"), size=9)
    if summary.doses_text:
        pdf.para(summary.doses_text, size=9)
    if summary.timeline:
        _listed(pdf, summary.timeline, "", language, limit)


def _first_to_show(events: Sequence[RedFlagEvent], limit: int) -> list[RedFlagEvent]:
    """The most urgent events (the most recent among equals), most recent first."""
    if limit <= 0:
        return []
    ranked = sorted(events, key=lambda e: (e.tier.rank, e.day, e.time or time.min), reverse=True)
    chosen = ranked[:limit]
    # Within one moment the more urgent first.
    return sorted(chosen, key=lambda e: (e.day, e.time or time.min, e.tier.rank), reverse=True)


def page_one(pdf: Document, report: Report, language: str, limit: int) -> None:
    _title(pdf, report, language)
    pdf.heading(t(language, "report.heading.surgery"))
    pdf.para(report.surgery_text)
    pdf.para(report.since_text)
    _pain_table(pdf, report, language)
    _treatment(pdf, report, language, limit)
    pdf.heading(t(language, "report.heading.alerts"))
    alerts = [a.text for a in report.alerts]
    _listed(pdf, alerts, t(language, "report.alerts.none"), language, limit)
    pdf.heading(t(language, "report.heading.red_flags"))
    # The count first; the list under it keeps only the most urgent, all follow the chart.
    pdf.para(report.flag_count_text, size=9.5, bold=True)
    pdf.ln(0.8)
    shown = _first_to_show(report.red_flags, limit)
    # With none shown, the count line above already says where they all are.
    if shown:
        pdf.bullets([e.text for e in shown], size=9)
        hidden = len(report.red_flags) - len(shown)
        if hidden:
            pdf.para(t(language, "report.more_signs", count=hidden), size=8.5, grey=GREY)
    pdf.heading(t(language, "report.heading.check"))
    check = report.latest_check
    # The last fallback gives up this line too: the list of checks follows the chart anyway.
    if limit > 0:
        pdf.para(report.check_count_text, size=8.5, grey=GREY)
    if check is None:
        pdf.para(report.check_none_text)
    else:
        pdf.para(check.heading, bold=True)
        pdf.bullets(check.details)
        pdf.bullets([check.causes_heading])
        pdf.bullets(check.cause_lines, mark="", indent=7)
        if check.tests_text:
            pdf.bullets([check.tests_text])
    pdf.ln(3)
    pdf.use(9, bold=True)
    pdf.shape_for("")
    pdf.multi_cell(
        0,
        4.6,
        pdf.text_of(report.not_a_diagnosis),
        border=1,
        align=Align.L,
        padding=2,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
