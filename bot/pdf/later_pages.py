"""The PDF after page one: the chart, every sign and check, the key, then every entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from io import BytesIO

from fpdf.enums import Align

from bot.pdf.document import GREY, Document
from bot.pdf.table import Table
from flows.clinical.codes import Tier
from flows.i18n import t
from flows.records.models import MOST_DOSES, Entry
from flows.records.report import Report, finding_words, local_time

ENTRY_COLUMNS = (20.0, 11.0, 10.0, 10.0, 10.0, 52.0, 67.0)
SIGN_COLUMNS = (20.0, 11.0, 26.0, 47.0, 36.0, 40.0)
CHECK_COLUMNS = (20.0, 11.0, 26.0, 53.0, 70.0)
ENTRY_ALIGN = (Align.L, Align.L, Align.C, Align.C, Align.C, Align.L, Align.L)
# A table starts on a new page unless its heading row and a first row or two fit.
TABLE_START_ROOM = 22.0


def chart_page(
    pdf: Document, report: Report, chart_png: bytes | None, language: str, limit: int
) -> None:
    pdf.add_page()
    pdf.heading(t(language, "report.heading.chart"), size=14)
    if chart_png is None:
        pdf.para(t(language, "report.chart.none"))
    else:
        pdf.image(BytesIO(chart_png), w=pdf.epw)
        caption = t(language, "report.chart.caption")
        if report.treatment.timeline:
            caption += " " + t(language, "report.chart.caption_marks")
        pdf.para(caption, size=8.5, grey=GREY)
    if len(report.alerts) > limit:
        pdf.heading(t(language, "report.heading.all_events"))
        pdf.bullets([a.text for a in report.alerts], size=8.5)
    timeline = report.treatment.timeline
    if len(timeline) > limit:
        pdf.heading(t(language, "report.heading.all_treatment"))
        pdf.bullets(list(reversed(timeline)), size=8.5)


def _urgent(tier: Tier) -> bool:
    return tier in (Tier.EMERGENCY, Tier.URGENT)


def signs_and_checks(pdf: Document, report: Report, language: str) -> None:
    """Every red flag and warning sign of the period, then every symptom check, as tables."""
    pdf.ln(3)
    # Never a heading alone at the foot of a page.
    pdf.need(TABLE_START_ROOM + 20)
    pdf.heading(t(language, "report.heading.signs_and_checks"), size=14)
    pdf.para(report.flag_summary_text, size=9.5, bold=True)
    pdf.para(report.check_summary_text, size=9.5, bold=True)
    pdf.need(TABLE_START_ROOM + 12)
    pdf.heading(t(language, "report.heading.signs", count=len(report.red_flags)), size=11)
    if not report.red_flags:
        pdf.para(t(language, "report.signs.none"))
    else:
        pdf.para(t(language, "report.signs.note"), size=7.5, grey=GREY)
        pdf.ln(1)
        pdf.need(TABLE_START_ROOM)
        headings = ("date", "time", "tier", "sign", "seen", "advice")
        table = Table(
            pdf,
            [pdf.text_of(t(language, f"report.col.{key}")) for key in headings],
            SIGN_COLUMNS,
        )
        table.heading_row()
        for event in report.red_flags:
            # Bold rather than colour: urgent tiers and advice that never arrived stand out
            # in black-and-white print too.
            strong = {2} if _urgent(event.tier) else set()
            if event.delivered is False:
                strong.add(5)
            table.row(
                (
                    event.day.isoformat(),
                    event.when_text,
                    pdf.text_of(event.urgency_text),
                    pdf.text_of(event.title),
                    pdf.text_of(event.seen_text),
                    pdf.text_of(event.advice_text or t(language, "report.not_available")),
                ),
                strong=strong,
            )
    pdf.ln(3)
    pdf.need(TABLE_START_ROOM + 12)
    pdf.heading(t(language, "report.heading.checks", count=len(report.checks)), size=11)
    if not report.checks:
        pdf.para(t(language, "report.checks.none"))
        return
    check_headings = ("date", "time", "result", "flags", "causes")
    table = Table(
        pdf,
        [pdf.text_of(t(language, f"report.col.{key}")) for key in check_headings],
        CHECK_COLUMNS,
    )
    table.heading_row()
    for check in report.checks:
        table.row(
            (
                check.day.isoformat(),
                check.time.strftime("%H:%M"),
                pdf.text_of(check.tier_text),
                pdf.text_of(check.flag_names_text),
                pdf.text_of(check.causes_text),
            ),
            strong={2} if _urgent(check.tier) else set(),
        )


def key_section(pdf: Document, report: Report, language: str) -> None:
    """What the urgency words and red-flag names stand for in BackTrack's clinical rules."""
    if not (report.alerts or report.red_flags or report.checks or report.latest_check):
        # No urgency word and no red flag anywhere in the report: nothing to explain.
        return
    pdf.ln(2)
    # Kept on one page: about 30 mm for the heading and the urgency words, 4 for each rule.
    pdf.need(30 + 4 * len(report.rule_key))
    pdf.heading(t(language, "report.heading.key"), size=11)
    pdf.para(report.urgency_key, size=7.5, grey=GREY)
    if report.rule_key:
        pdf.ln(1)
        pdf.para(t(language, "report.key.rules"), size=7.5, grey=GREY)
        pdf.bullets(report.rule_key, size=7.5, grey=GREY)


def _clock(at: time | None) -> str:
    return "" if at is None else at.strftime("%H:%M")


def _pain(value: int | None) -> str:
    return "" if value is None else str(value)


def _doses(value: int | None) -> str:
    return "" if value is None else f"{value}+" if value == MOST_DOSES else str(value)


def _noted(language: str, entry: Entry) -> str:
    """The note cell: each medicine's doses first, when the patient keeps a list, then the note."""
    note = (entry.note or "").strip()
    counted = [d for d in entry.medicine_doses if d.doses is not None]
    if not counted:
        return note
    doses = ", ".join(
        t(language, "report.entries.medicine", name=d.name, doses=_doses(d.doses))
        + (t(language, "report.entries.opioid") if d.opioid else "")
        for d in counted
    )
    return f"{doses}. {note}" if note else doses


def listed_entries(
    report: Report, entries: Sequence[Entry], rows: int | None
) -> tuple[list[Entry], int]:
    """The entries the table lists (the latest `rows` of the period), and how many it has."""
    period = sorted(
        (e for e in entries if report.first <= e.entry_date <= report.last),
        key=lambda e: (e.entry_date, e.recorded_at),
    )
    if rows is not None and len(period) > rows:
        return period[-rows:], len(period)
    return period, len(period)


def entry_table(
    pdf: Document,
    report: Report,
    entries: Sequence[Entry],
    language: str,
    rows: int | None,
) -> None:
    pdf.ln(3)
    # Never a heading alone at the foot of a page.
    pdf.need(TABLE_START_ROOM + 12)
    pdf.heading(t(language, "report.heading.entries"), size=14)
    shown, total = listed_entries(report, entries, rows)
    if not shown:
        pdf.para(t(language, "report.entries.none"))
        return
    if len(shown) < total:
        pdf.para(t(language, "report.entries.latest", n=total, limit=len(shown)), bold=True)
    # A red flag is marked as such; a warning sign that fires no rule (tier T3) more mildly.
    flagged = {i for event in report.red_flags if event.flag_id for i in event.entry_ids}
    warned = {i for event in report.red_flags for i in event.entry_ids}
    marks = {
        entry_id: t(
            language, "report.red_flag_mark" if entry_id in flagged else "report.warning_mark"
        )
        for entry_id in warned
    }
    if any(entry.as_needed_doses is not None for entry in shown):
        pdf.para(t(language, "report.entries.doses"), size=7.5, grey=GREY)
    headings = ("date", "time", "back", "leg", "doses", "symptoms", "note")
    table = Table(
        pdf,
        [pdf.text_of(t(language, f"report.col.{key}")) for key in headings],
        ENTRY_COLUMNS,
        ENTRY_ALIGN,
    )
    table.heading_row()
    for entry in shown:
        words = finding_words(entry.symptoms, language)
        mark = marks.get(entry.id)
        table.row(
            (
                entry.entry_date.isoformat(),
                _clock(local_time(entry)),
                _pain(entry.back_pain),
                _pain(entry.leg_pain),
                _doses(entry.as_needed_doses),
                pdf.text_of(words if mark is None else mark + words),
                pdf.text_of(_noted(language, entry)),
            ),
            strong=() if mark is None else (5,),
        )
