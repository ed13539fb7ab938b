"""The surgeon's PDF: a one-page summary, the pain chart, every red flag, warning sign and
symptom check of the period, then every diary entry, each in a table.

Laid out with fpdf2 from a flows.report.Report, in black and grey only, so it prints and
photocopies well. Text uses DejaVu Sans from matplotlib's own data (matplotlib is a dependency,
so the font is always there); should it be missing, the built-in Helvetica is used and text
is reduced to Latin-1 with plain replacements, so an unusual character never stops an export.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace, TTFFont

from bot.charts import render_trend_png
from flows.codes import Tier
from flows.i18n import t
from flows.models import Entry
from flows.report import RedFlagEvent, Report, finding_words, local_time
from flows.trend_view import trend_series
from flows.trends import Measure, rise_needed

__all__ = [
    "PAGE_ONE_FALLBACKS",
    "PAGE_ONE_LINES",
    "font_files",
    "render_pdf",
    "report_chart_png",
]

# Alerts (the most recent) and red flags or warning signs (the most urgent) listed on page one;
# all of them follow the chart. Should page one still overflow (long reasons, a long check), it
# is laid out again with the next smaller number, so that the summary always fits on one sheet.
PAGE_ONE_LINES = 6
PAGE_ONE_FALLBACKS = (3, 1, 0)
FAMILY = "DejaVu"
CORE_FAMILY = "Helvetica"
MARGIN = 15.0
BLACK = 0
GREY = 90
LIGHT = 225
ZEBRA = 245
# Column widths (mm, 180 in all) of the pain table, the entry table, the table of red flags and
# warning signs, and the table of symptom checks.
PAIN_COLUMNS = (40.0, 24.0, 40.0, 20.0, 30.0, 26.0)
ENTRY_COLUMNS = (20.0, 11.0, 10.0, 10.0, 52.0, 77.0)
SIGN_COLUMNS = (20.0, 11.0, 26.0, 47.0, 36.0, 40.0)
CHECK_COLUMNS = (20.0, 11.0, 26.0, 53.0, 70.0)
ENTRY_ALIGN = (Align.L, Align.L, Align.C, Align.C, Align.L, Align.L)
# A table starts on a new page unless its heading row and a first row or two fit.
TABLE_START_ROOM = 22.0
# What the core font shows for common characters outside Latin-1.
_LATIN1_PLAIN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "\u2212": "-",
        "\u2018": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
        "≥": ">=",
        "≤": "<=",
        "€": "EUR",
    }
)


@functools.lru_cache(maxsize=1)
def font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold as shipped with matplotlib, or None if they are missing."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    return (regular, bold) if regular.is_file() and bold.is_file() else None


class _Document(FPDF):
    """An A4 page with the patient and period on every page after the first, and page numbers."""

    def __init__(self, report: Report, language: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.language = language
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 3)
        fonts = font_files()
        self.face = FAMILY if fonts is not None else CORE_FAMILY
        self._known: frozenset[int] | None = None
        self._replacement = t(language, "report.unsupported_char")
        if fonts is not None:
            self.add_font(FAMILY, "", fonts[0])
            self.add_font(FAMILY, "B", fonts[1])
            font = self.fonts[FAMILY.lower()]
            if isinstance(font, TTFFont):
                self._known = frozenset(font.cmap)

    def discard(self) -> None:
        """Close the font files of a layout that is thrown away (output() closes them too)."""
        for font in self.fonts.values():
            if isinstance(font, TTFFont):
                font.ttfont.close()

    def text_of(self, text: str) -> str:
        """The text with every character the font cannot draw replaced by a visible mark."""
        if self._known is None:
            text = text.translate(_LATIN1_PLAIN)
            if text.isascii() or all(ord(char) < 256 for char in text):
                return text
            return "".join(char if ord(char) < 256 else self._replacement for char in text)
        known = self._known
        if all(ord(char) in known or char == "\n" for char in text):
            return text
        return "".join(
            char if ord(char) in known or char == "\n" else self._replacement for char in text
        )

    def use(self, size: float, bold: bool = False, grey: int = BLACK) -> None:
        """Set the font size, weight and grey level."""
        self.set_font(self.face, "B" if bold else "", size)
        self.set_text_color(grey)

    def header(self) -> None:
        """Patient and period at the top of every page after the first."""
        if self.page_no() == 1:
            return
        self.use(8, grey=GREY)
        report = self.report
        line = t(
            self.language,
            "report.running_head",
            patient=report.patient_text,
            period=report.period_text,
        )
        self.cell(0, 5, self.text_of(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        """Page x of y, and on a loose page a reminder that this is not a diagnosis."""
        self.set_y(-MARGIN + 2)
        self.use(8, grey=GREY)
        if self.page_no() > 1:
            self.cell(0, 5, self.text_of(t(self.language, "report.footer_note")))
            self.set_x(self.l_margin)
        page = t(self.language, "report.page", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, self.text_of(page), align=Align.R)

    def need(self, height: float) -> None:
        """Start a new page unless `height` mm fit below the current line."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def heading(self, text: str, size: float = 13) -> None:
        """A section heading with a little space above it."""
        self.ln(2.5)
        self.use(size, bold=True)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, size: float = 10, bold: bool = False, grey: int = BLACK) -> None:
        """A wrapped paragraph."""
        self.use(size, bold=bold, grey=grey)
        self.multi_cell(
            0, size * 0.47, self.text_of(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def bullets(
        self, lines: Iterable[str], size: float = 9.5, mark: str = "•", indent: float = 2
    ) -> None:
        """One item per line, wrapped lines hanging under the text rather than the mark."""
        self.use(size)
        height = size * 0.46
        for line in lines:
            self.set_x(MARGIN + indent)
            self.cell(4, height, self.text_of(mark))
            self.multi_cell(
                0, height, self.text_of(line), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )


# --- Page one ------------------------------------------------------------------------------------


def _title(pdf: _Document, report: Report, language: str) -> None:
    pdf.use(20, bold=True)
    pdf.cell(0, 10, pdf.text_of(t(language, "report.title")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(t(language, "report.subtitle"), size=9, grey=GREY)
    pdf.ln(2)
    pdf.para(report.patient_text, size=12, bold=True)
    line = t(
        language, "report.period_line", period=report.period_text, generated=report.generated_text
    )
    pdf.para(line, size=10)


def _pain_table(pdf: _Document, report: Report, language: str) -> None:
    pdf.heading(t(language, "report.heading.pain"))
    pdf.use(9.5)
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
    pdf.para(report.pain_note, size=7.5, grey=GREY)


def _listed(pdf: _Document, lines: Sequence[str], none: str, language: str, limit: int) -> None:
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


def _first_to_show(events: Sequence[RedFlagEvent], limit: int) -> list[RedFlagEvent]:
    """The most urgent events (the most recent among equals), most recent first."""
    if limit <= 0:
        return []
    ranked = sorted(events, key=lambda e: (e.tier.rank, e.day, e.time or time.min), reverse=True)
    chosen = ranked[:limit]
    # Within one moment the more urgent first.
    return sorted(chosen, key=lambda e: (e.day, e.time or time.min, e.tier.rank), reverse=True)


def _page_one(pdf: _Document, report: Report, language: str, limit: int) -> None:
    _title(pdf, report, language)
    pdf.heading(t(language, "report.heading.surgery"))
    pdf.para(report.surgery_text)
    pdf.para(report.since_text)
    _pain_table(pdf, report, language)
    pdf.heading(t(language, "report.heading.completeness"))
    pdf.para(report.completeness_text)
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


# --- Later pages ---------------------------------------------------------------------------------


def _chart_page(
    pdf: _Document, report: Report, chart_png: bytes | None, language: str, limit: int
) -> None:
    pdf.add_page()
    pdf.heading(t(language, "report.heading.chart"), size=14)
    if chart_png is None:
        pdf.para(t(language, "report.chart.none"))
    else:
        pdf.image(BytesIO(chart_png), w=pdf.epw)
        pdf.para(t(language, "report.chart.caption"), size=8.5, grey=GREY)
    if len(report.alerts) > limit:
        pdf.heading(t(language, "report.heading.all_events"))
        pdf.bullets([a.text for a in report.alerts], size=8.5)


def _urgent(tier: Tier) -> bool:
    return tier in (Tier.EMERGENCY, Tier.URGENT)


def _signs_and_checks(pdf: _Document, report: Report, language: str) -> None:
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
        table = _Table(
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
                    pdf.text_of(event.tier_text),
                    pdf.text_of(event.name),
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
    table = _Table(
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
                pdf.text_of(check.flags_text),
                pdf.text_of(check.causes_text),
            ),
            strong={2} if _urgent(check.tier) else set(),
        )


def _clock(at: time | None) -> str:
    return "" if at is None else at.strftime("%H:%M")


def _pain(value: int | None) -> str:
    return "" if value is None else str(value)


class _Table:
    """A table drawn cell by cell with its own word wrap, its headings on top of every page.

    fpdf2's table and multi_cell run the full line breaker on every cell, which takes seconds
    for ten years of entries; here text widths come from memoised character widths (exact:
    without text shaping fpdf2 adds no kerning) and lines are placed with text().
    """

    LINE = 3.6
    PAD = 0.8
    SIZE = 8.0

    def __init__(
        self,
        pdf: _Document,
        headings: Sequence[str],
        columns: Sequence[float],
        aligns: Sequence[Align] | None = None,
    ) -> None:
        self.pdf = pdf
        self.headings = headings
        self.columns = tuple(columns)
        self.aligns = tuple(aligns) if aligns is not None else (Align.L,) * len(self.columns)
        self.count = 0
        self.bold = False
        # Per weight: each character's width at 1 pt.
        self._widths: dict[bool, dict[str, float]] = {False: {}, True: {}}
        pdf.use(self.SIZE)

    def _weight(self, bold: bool) -> None:
        if bold != self.bold:
            self.pdf.use(self.SIZE, bold=bold)
            self.bold = bold

    def _width(self, text: str) -> float:
        widths = self._widths[self.bold]
        total = 0.0
        for char in text:
            width = widths.get(char)
            if width is None:
                width = widths[char] = self.pdf.get_string_width(char) / self.SIZE
            total += width
        return total * self.SIZE

    def _split(self, word: str, room: float) -> list[str]:
        """A word wider than the column, cut into pieces that fit."""
        pieces, piece, used = [], "", 0.0
        for char in word:
            width = self._width(char)
            if piece and used + width > room:
                pieces.append(piece)
                piece, used = "", 0.0
            piece += char
            used += width
        return [*pieces, piece]

    def _lines(self, text: str, width: float) -> list[str]:
        room = width - 2 * self.PAD
        if not text:
            return [""]
        if "\n" not in text and self._width(text) <= room:
            return [text]
        space = self._width(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                size = self._width(word)
                if line and used + space + size <= room:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                pieces = self._split(word, room) if size > room else [word]
                lines.extend(pieces[:-1])
                line, used = pieces[-1], self._width(pieces[-1])
            lines.append(line)
        return lines

    def _draw(self, cells: Sequence[str], bold: Sequence[bool], fill: int | None) -> None:
        pdf = self.pdf
        wrapped = []
        for text, strong, width in zip(cells, bold, self.columns, strict=True):
            self._weight(strong)
            wrapped.append(self._lines(text, width))
        height = max(len(lines) for lines in wrapped) * self.LINE + 2 * self.PAD
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            # The page header changed the font and colour.
            pdf.use(self.SIZE, bold=self.bold)
            self.heading_row()
        x, y = pdf.l_margin, pdf.get_y()
        if fill is not None:
            pdf.set_fill_color(fill)
            pdf.rect(x, y, sum(self.columns), height, style="F")
        # The baseline of a line sits about a third of the font size below the line's middle.
        first_base = y + self.PAD + self.LINE / 2 + pdf.font_size * 0.35
        columns = zip(wrapped, bold, self.columns, self.aligns, strict=True)
        for lines, strong, width, align in columns:
            pdf.rect(x, y, width, height)
            self._weight(strong)
            for number, line in enumerate(lines):
                if not line:
                    continue
                left = x + self.PAD
                if align is Align.C:
                    left = x + (width - self._width(line)) / 2
                pdf.text(left, first_base + number * self.LINE, line)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)

    def heading_row(self) -> None:
        """The column names, on top of every page of the table."""
        self._draw(self.headings, [True] * len(self.headings), LIGHT)

    def row(self, cells: Sequence[str], strong: Iterable[int] = ()) -> None:
        """One row; `strong` are the indexes of cells to print in bold."""
        marked = frozenset(strong)
        bold = [index in marked for index in range(len(cells))]
        # Every other row shaded lightly, to follow a line across the page.
        self._draw(cells, bold, ZEBRA if self.count % 2 else None)
        self.count += 1


def _entry_table(
    pdf: _Document,
    report: Report,
    entries: Sequence[Entry],
    language: str,
    rows: int | None,
) -> None:
    pdf.ln(3)
    # Never a heading alone at the foot of a page.
    pdf.need(TABLE_START_ROOM + 12)
    pdf.heading(t(language, "report.heading.entries"), size=14)
    shown = sorted(
        (e for e in entries if report.first <= e.entry_date <= report.last),
        key=lambda e: (e.entry_date, e.recorded_at),
    )
    if not shown:
        pdf.para(t(language, "report.entries.none"))
        return
    if rows is not None and len(shown) > rows:
        pdf.para(t(language, "report.entries.latest", n=len(shown), limit=rows), bold=True)
        shown = shown[-rows:]
    # A red flag is marked as such; a warning sign that fires no rule (tier T3) more mildly.
    flagged = {i for event in report.red_flags if event.flag_id for i in event.entry_ids}
    warned = {i for event in report.red_flags for i in event.entry_ids}
    marks = {
        entry_id: t(
            language, "report.red_flag_mark" if entry_id in flagged else "report.warning_mark"
        )
        for entry_id in warned
    }
    headings = ("date", "time", "back", "leg", "symptoms", "note")
    table = _Table(
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
                pdf.text_of(words if mark is None else mark + words),
                pdf.text_of((entry.note or "").strip()),
            ),
            strong=() if mark is None else (4,),
        )


# --- Public entry points -------------------------------------------------------------------------


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
        lines=(
            None if back is None else min(10.0, back + rise_needed(Measure.BACK, back)),
            None if leg is None else min(10.0, leg + rise_needed(Measure.LEG, leg)),
        ),
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
    for limit in (PAGE_ONE_LINES, *PAGE_ONE_FALLBACKS):
        pdf = _Document(report, language)
        pdf.add_page()
        _page_one(pdf, report, language, limit)
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
    _chart_page(pdf, report, chart_png, language, limit)
    _signs_and_checks(pdf, report, language)
    _entry_table(pdf, report, entries, language, entry_rows)
    return bytes(pdf.output())
