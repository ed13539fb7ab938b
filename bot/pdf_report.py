"""The surgeon's PDF: a one-page summary, the pain chart, then every diary entry in a table.

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
from flows.i18n import t
from flows.models import Entry
from flows.report import Report, finding_words, local_time
from flows.trend_view import trend_series
from flows.trends import Measure, rise_needed

__all__ = [
    "PAGE_ONE_FALLBACKS",
    "PAGE_ONE_LINES",
    "font_files",
    "render_pdf",
    "report_chart_png",
]

# Alerts and red-flag events listed on page one (the most recent); the rest follow the chart.
# Should page one still overflow (long reasons, a long check), it is laid out again with the
# next smaller number, so that the summary always fits on one sheet.
PAGE_ONE_LINES = 6
PAGE_ONE_FALLBACKS = (3, 1, 0)
FAMILY = "DejaVu"
CORE_FAMILY = "Helvetica"
MARGIN = 15.0
BLACK = 0
GREY = 90
LIGHT = 225
ZEBRA = 245
# Column widths (mm, 180 in all) of the pain table and the entry table.
PAIN_COLUMNS = (40.0, 24.0, 40.0, 20.0, 30.0, 26.0)
ENTRY_COLUMNS = (20.0, 11.0, 10.0, 10.0, 52.0, 77.0)
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
    flags = [e.text for e in report.red_flags]
    _listed(pdf, flags, t(language, "report.red_flags.none"), language, limit)
    pdf.heading(t(language, "report.heading.check"))
    check = report.latest_check
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
    hidden = len(report.alerts) > limit or len(report.red_flags) > limit
    if hidden:
        pdf.heading(t(language, "report.heading.all_events"))
        pdf.heading(t(language, "report.heading.alerts"), size=11)
        pdf.bullets([a.text for a in report.alerts], size=8.5)
        pdf.heading(t(language, "report.heading.red_flags"), size=11)
        flags = [e.text for e in report.red_flags] or [t(language, "report.red_flags.none")]
        pdf.bullets(flags, size=8.5)


def _clock(at: time | None) -> str:
    return "" if at is None else at.strftime("%H:%M")


def _pain(value: int | None) -> str:
    return "" if value is None else str(value)


class _EntryTable:
    """The entry table, drawn cell by cell with its own word wrap.

    fpdf2's table and multi_cell run the full line breaker on every cell, which takes seconds
    for ten years of entries; here text widths come from memoised character widths (exact:
    without text shaping fpdf2 adds no kerning) and lines are placed with text().
    """

    LINE = 3.6
    PAD = 0.8
    SIZE = 8.0
    ALIGN = (Align.L, Align.L, Align.C, Align.C, Align.L, Align.L)

    def __init__(self, pdf: _Document, headings: Sequence[str]) -> None:
        self.pdf = pdf
        self.headings = headings
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
        for text, strong, width in zip(cells, bold, ENTRY_COLUMNS, strict=True):
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
            pdf.rect(x, y, sum(ENTRY_COLUMNS), height, style="F")
        # The baseline of a line sits about a third of the font size below the line's middle.
        first_base = y + self.PAD + self.LINE / 2 + pdf.font_size * 0.35
        columns = zip(wrapped, bold, ENTRY_COLUMNS, self.ALIGN, strict=True)
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

    def row(self, cells: Sequence[str], strong: int | None = None) -> None:
        """One entry; `strong` is the index of a cell to print in bold."""
        bold = [index == strong for index in range(len(cells))]
        # Every other row shaded lightly, to follow a line across the page.
        self._draw(cells, bold, ZEBRA if self.count % 2 else None)
        self.count += 1


def _entry_table(pdf: _Document, report: Report, entries: Sequence[Entry], language: str) -> None:
    pdf.ln(3)
    pdf.heading(t(language, "report.heading.entries"), size=14)
    shown = sorted(
        (e for e in entries if report.first <= e.entry_date <= report.last),
        key=lambda e: (e.entry_date, e.recorded_at),
    )
    if not shown:
        pdf.para(t(language, "report.entries.none"))
        return
    # A red flag is marked as such; a warning sign that fires no rule (tier T3) more mildly.
    marks = {
        event.entry_id: t(
            language, "report.red_flag_mark" if event.flag_ids else "report.warning_mark"
        )
        for event in report.red_flags
    }
    headings = ("date", "time", "back", "leg", "symptoms", "note")
    pdf.set_draw_color(GREY)
    pdf.set_line_width(0.1)
    table = _EntryTable(pdf, [pdf.text_of(t(language, f"report.col.{key}")) for key in headings])
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
            strong=None if mark is None else 4,
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
    report: Report, entries: Sequence[Entry], chart_png: bytes | None, language: str
) -> bytes:
    """Return the PDF: summary page, chart, then every entry of the report's period."""
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
    _chart_page(pdf, report, chart_png, language, limit)
    _entry_table(pdf, report, entries, language)
    return bytes(pdf.output())
