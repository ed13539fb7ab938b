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
import importlib.util
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any

from fontTools.fontBuilder import FontBuilder  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace, TTFFont

from bot.charts import render_trend_png
from flows.clinical.codes import Tier
from flows.clinical.trends import Measure
from flows.dialogs.trend_view import trend_series
from flows.i18n import CATALOGUES, DEFAULT_LANGUAGE, t
from flows.records.models import Entry
from flows.records.report import RedFlagEvent, Report, finding_words, local_time

__all__ = [
    "PAGE_ONE_FALLBACKS",
    "PAGE_ONE_LINES",
    "cjk_file",
    "fallback_files",
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
CJK_FAMILY = "NotoCJK"
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
# What the core font shows for common characters outside Latin-1, and for any other.
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
        "\ufffd": "?",
    }
)
_CORE_MARK = "?"

# --- Fonts ---------------------------------------------------------------------------------------

# Tried in this order for a character DejaVu Sans lacks, then the other fonts of manimgx-fonts
# (one per script) by name, then Noto Sans CJK. Noto Emoji first, so that emoji look alike.
_FIRST_FALLBACKS = ("NotoEmoji[wght].ttf", "NotoSansSymbols[wght].ttf", "NotoSans[wght].ttf")
_CJK_FILE = "NotoSansCJK-VF.otf.ttc"
# The fonts of the collection, by the regional glyph forms of Han characters they draw.
_CJK_JAPANESE, _CJK_KOREAN, _CJK_CHINESE = 0, 1, 2
_REGULAR, _BOLD = 400, 700
# Emoji of the supplementary planes come from Noto Emoji even where DejaVu Sans has some, so
# that all emoji in a note look alike (and sequences of them can join).
_EMOJI_FROM, _EMOJI_TO = 0x1F000, 0x1FAFF
# The largest error allowed when its cubic outlines become TrueType's quadratic ones, in font
# units (1000 to the em): far below a printed pixel.
_CURVE_ERROR = 1.0


@functools.lru_cache(maxsize=1)
def font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold as shipped with matplotlib, or None if they are missing."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    return (regular, bold) if regular.is_file() and bold.is_file() else None


def _package_folder(name: str) -> Path | None:
    # Found without importing it: a font package is only files.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.lru_cache(maxsize=1)
def fallback_files() -> tuple[Path, ...]:
    """The Noto fonts of manimgx-fonts in the order they are tried; empty if it is missing."""
    folder = _package_folder("manimgx_fonts")
    if folder is None:
        return ()
    # Upright only: the report has no italics.
    found = {p.name: p for p in folder.glob("*.ttf") if "Italic" not in p.name}
    first = [found.pop(name) for name in _FIRST_FALLBACKS if name in found]
    return (*first, *(found[name] for name in sorted(found)))


@functools.lru_cache(maxsize=1)
def cjk_file() -> Path | None:
    """Noto Sans CJK from manimgx-fonts-cjk, or None if it is missing."""
    folder = _package_folder("manimgx_fonts_cjk")
    path = None if folder is None else folder / _CJK_FILE
    return path if path is not None and path.is_file() else None


@functools.cache
def _cmap(path: Path, number: int = 0) -> dict[int, str]:
    """The characters a font draws, with its glyph for each (read once per process)."""
    font = TTFont(path, fontNumber=number, lazy=True)
    try:
        return dict(font.getBestCmap())
    finally:
        font.close()


def _main_range(path: Path) -> tuple[int, ...] | None:
    """The characters the main font is used for: all it has, bar emoji when Noto Emoji is there."""
    emoji = any(file.name == _FIRST_FALLBACKS[0] for file in fallback_files())
    return _without_emoji(path) if emoji else None


@functools.lru_cache(maxsize=4)
def _without_emoji(path: Path) -> tuple[int, ...]:
    return tuple(sorted(c for c in _cmap(path) if not _EMOJI_FROM <= c <= _EMOJI_TO))


def _primary_codes(regular: Path, bold: Path) -> frozenset[int]:
    """What both weights of the main font are used for."""
    # A character bold DejaVu lacks takes a fallback in bold text.
    return _both(
        _main_range(regular) or tuple(_cmap(regular)), _main_range(bold) or tuple(_cmap(bold))
    )


@functools.lru_cache(maxsize=4)
def _both(regular: tuple[int, ...], bold: tuple[int, ...]) -> frozenset[int]:
    return frozenset(regular).intersection(bold)


def _font_for(code: int) -> Path | None:
    """The first fallback font that draws the character, Noto Sans CJK last."""
    return _first_with(code, fallback_files(), cjk_file())


@functools.lru_cache(maxsize=65536)
def _first_with(code: int, files: tuple[Path, ...], cjk: Path | None) -> Path | None:
    for path in files:
        if code in _cmap(path):
            return path
    return cjk if cjk is not None and code in _cmap(cjk, _CJK_JAPANESE) else None


def _cjk_number(codes: Iterable[int]) -> int:
    """Japanese forms with kana, Korean with hangul, else Simplified Chinese ones."""
    found = set(codes)
    if any(0x3040 <= c <= 0x30FF or 0x31F0 <= c <= 0x31FF or 0xFF66 <= c <= 0xFF9F for c in found):
        return _CJK_JAPANESE
    if any(0xAC00 <= c <= 0xD7AF or 0x1100 <= c <= 0x11FF or 0x3130 <= c <= 0x318F for c in found):
        return _CJK_KOREAN
    return _CJK_CHINESE


@functools.lru_cache(maxsize=2)
def _cjk_source(collection: Path, number: int) -> Any:
    # Kept open for the life of the worker: reading the collection's outlines is the cost.
    return TTFont(collection, fontNumber=number, lazy=True)


@functools.lru_cache(maxsize=4)
def _cjk_glyphs(collection: Path, number: int, weight: int) -> Any:
    return _cjk_source(collection, number).getGlyphSet(location={"wght": weight})


def _cjk_font(collection: Path, number: int, weight: int, codes: Iterable[int], out: Path) -> Path:
    """Write a small static TrueType font of these characters, cut from Noto Sans CJK.

    The package has one variable font with CFF2 outlines, which PDF cannot embed; fpdf2 embeds
    the static TrueType font this writes, and subsets it again.
    """
    source = _cjk_source(collection, number)
    cmap = _cmap(collection, number)
    glyph_set = _cjk_glyphs(collection, number, weight)
    chosen = {code: cmap[code] for code in sorted(set(codes)) if code in cmap}
    names = [".notdef", *dict.fromkeys(chosen.values())]
    outlines = {}
    for name in names:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, _CURVE_ERROR, reverse_direction=True))
        outlines[name] = pen.glyph()
    builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap(chosen)
    builder.setupGlyf(outlines)
    glyf = builder.font["glyf"]
    builder.setupHorizontalMetrics(
        {name: (round(glyph_set[name].width), getattr(glyf[name], "xMin", 0)) for name in names}
    )
    header = source["hhea"]
    builder.setupHorizontalHeader(ascent=header.ascent, descent=header.descent)
    style = "Bold" if weight >= _BOLD else "Regular"
    family = "BackTrack " + source["name"].getBestFamilyName()
    builder.setupNameTable({"familyName": family, "styleName": style})
    os2 = source["OS/2"]
    builder.setupOS2(
        usWeightClass=weight,
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        sCapHeight=getattr(os2, "sCapHeight", header.ascent),
        sxHeight=getattr(os2, "sxHeight", 0),
    )
    builder.setupPost()
    builder.save(str(out))
    return out


@dataclass(frozen=True, slots=True)
class _Faces:
    """The fonts beyond DejaVu Sans that one report needs, in the order they are tried."""

    # (family, regular file, bold file or None)
    fonts: tuple[tuple[str, Path, Path | None], ...] = ()
    # The characters outside DejaVu Sans that one of them draws.
    drawable: frozenset[int] = frozenset()


def _plan_faces(
    texts: Iterable[str], bold_texts: Iterable[str], stack: contextlib.ExitStack
) -> _Faces:
    """Pick the fallback fonts for the characters of `texts` (and write the CJK ones needed)."""
    primary = font_files()
    if primary is None:
        return _Faces()
    known = _primary_codes(*primary)
    wanted = {ord(char) for text in texts if not text.isascii() for char in text} - known
    if not wanted:
        return _Faces()
    by_font: dict[Path, set[int]] = {}
    for code in wanted:
        path = _font_for(code)
        if path is not None:
            by_font.setdefault(path, set()).add(code)
    fonts: list[tuple[str, Path, Path | None]] = [
        (f"Noto{index}", path, None)
        for index, path in enumerate(fallback_files())
        if path in by_font
    ]
    cjk = cjk_file()
    codes = by_font.get(cjk) if cjk is not None else None
    if cjk is not None and codes:
        # Bold only for what is ever set in bold: the report's own texts, not the notes.
        bold = {ord(char) for text in bold_texts if not text.isascii() for char in text} & codes
        # fpdf2 reads fonts from files; the folder (the owner's alone) goes with the PDF.
        where = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="backtrack-pdf-")))
        number = _cjk_number(codes)
        regular = _cjk_font(cjk, number, _REGULAR, codes, where / "cjk.ttf")
        heavy = _cjk_font(cjk, number, _BOLD, bold, where / "cjk-bold.ttf") if bold else None
        fonts.append((CJK_FAMILY, regular, heavy))
    drawn = set().union(*by_font.values())
    return _Faces(fonts=tuple(fonts), drawable=frozenset(drawn))


def _right_to_left(text: str) -> bool:
    """Whether the text's first letter reads right to left (Arabic, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _ignorable(char: str) -> bool:
    # Invisible format characters (joiners, variation selectors): dropped when no font has them.
    return (
        unicodedata.category(char) == "Cf"
        or 0xFE00 <= ord(char) <= 0xFE0F
        or (0xE0100 <= ord(char) <= 0xE01EF)
    )


def _needs_shaping(text: str) -> bool:
    """Whether the text must go through HarfBuzz to look right (and be in the right order)."""
    if text.isascii():
        return False
    for char in text:
        code = ord(char)
        if code < 0x0300:
            continue
        if (
            unicodedata.bidirectional(char) in ("R", "AL")
            or unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
            # Flags and skin tones: pairs that one glyph draws.
            or 0x1F1E6 <= code <= 0x1F1FF
            or 0x1F3FB <= code <= 0x1F3FF
        ):
            return True
    return False


_SHAPING = importlib.util.find_spec("uharfbuzz") is not None


@functools.lru_cache(maxsize=8)
def _catalogue_text(language: str) -> str:
    # Every report text of the language, so that its fonts are planned with the rest.
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    return "".join(value for key, value in catalogue.items() if key.startswith("report."))


class _Document(FPDF):
    """An A4 page with the patient and period on every page after the first, and page numbers."""

    def __init__(self, report: Report, language: str, faces: _Faces) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.language = language
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 3)
        fonts = font_files()
        self.face = FAMILY if fonts is not None else CORE_FAMILY
        # What each weight of the main font draws; None for the core font (Latin-1).
        self.weights: dict[bool, frozenset[int]] | None = None
        self._known: frozenset[int] = frozenset()
        self.mark = t(language, "report.unsupported_char") if fonts is not None else _CORE_MARK
        # Whether a character was drawn as the mark, which the PDF then explains.
        self.replaced = False
        self.shaping = False
        if fonts is not None:
            self.add_font(FAMILY, "", fonts[0], unicode_range=_main_range(fonts[0]))
            self.add_font(FAMILY, "B", fonts[1], unicode_range=_main_range(fonts[1]))
            regular, bold = self.fonts[FAMILY.lower()], self.fonts[FAMILY.lower() + "B"]
            if isinstance(regular, TTFFont) and isinstance(bold, TTFFont):
                self.weights = {False: frozenset(regular.cmap), True: frozenset(bold.cmap)}
            for family, light, heavy in faces.fonts:
                self.add_font(family, "", light)
                if heavy is not None:
                    self.add_font(family, "B", heavy)
            if faces.fonts:
                # Bold text takes a fallback's regular weight when it has no bold one.
                self.set_fallback_fonts([f[0] for f in faces.fonts], exact_match=False)
            self._known = _primary_codes(*fonts) | faces.drawable

    def discard(self) -> None:
        """Close the font files of a layout that is thrown away (output() closes them too)."""
        for font in self.fonts.values():
            if isinstance(font, TTFFont):
                font.ttfont.close()

    def text_of(self, text: str) -> str:
        """The text with every character no font can draw replaced by a visible mark."""
        if self.weights is None:
            text = text.translate(_LATIN1_PLAIN)
            if text.isascii() or all(ord(char) < 256 for char in text):
                return text
            self.replaced = True
            return "".join(char if ord(char) < 256 else self.mark for char in text)
        if text.isascii():
            return text
        known = self._known
        if all(ord(char) in known or char == "\n" for char in text):
            return text
        shown = []
        for char in text:
            if ord(char) in known or char == "\n":
                shown.append(char)
            elif not _ignorable(char):
                self.replaced = True
                shown.append(self.mark)
        return "".join(shown)

    def plain(self, text: str, bold: bool) -> bool:
        """Whether text() can set the text: all in the main font, nothing to shape."""
        if text.isascii() or self.weights is None:
            return True
        codes = self.weights[bold]
        return all(ord(char) in codes for char in text) and not _needs_shaping(text)

    def shape_for(self, text: str) -> None:
        """Shape the next text with HarfBuzz only when it needs it (shaping costs time)."""
        wanted = _SHAPING and self.weights is not None and _needs_shaping(text)
        if wanted != self.shaping:
            self.set_text_shaping(wanted)
            self.shaping = wanted
        if text and not self.current_font_is_set_on_page and not self.plain(text, False):
            # fpdf2 2.8 sets the main font inside the q/Q of a line whose first part is in a
            # fallback font, then takes it as set for the page: the next text would be drawn
            # in the font from before, with the main font's codes. An empty text() sets it.
            self.text(self.l_margin, self.t_margin, "")

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
        line = self.text_of(
            t(
                self.language,
                "report.running_head",
                patient=report.patient_text,
                period=report.period_text,
            )
        )
        self.shape_for(line)
        self.cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def footer(self) -> None:
        """Page x of y, and on a loose page a reminder that this is not a diagnosis."""
        self.set_y(-MARGIN + 2)
        self.use(8, grey=GREY)
        self.shape_for("")
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
        shown = self.text_of(text)
        self.shape_for(shown)
        self.multi_cell(0, size * 0.5, shown, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, size: float = 10, bold: bool = False, grey: int = BLACK) -> None:
        """A wrapped paragraph."""
        self.use(size, bold=bold, grey=grey)
        shown = self.text_of(text)
        self.shape_for(shown)
        self.multi_cell(0, size * 0.47, shown, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def bullets(
        self,
        lines: Iterable[str],
        size: float = 9.5,
        mark: str = "•",
        indent: float = 2,
        grey: int = BLACK,
    ) -> None:
        """One item per line, wrapped lines hanging under the text rather than the mark."""
        self.use(size, grey=grey)
        height = size * 0.46
        for line in lines:
            self.set_x(MARGIN + indent)
            self.shape_for("")
            self.cell(4, height, self.text_of(mark))
            shown = self.text_of(line)
            self.shape_for(shown)
            self.multi_cell(0, height, shown, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# --- Page one ------------------------------------------------------------------------------------


def _title(pdf: _Document, report: Report, language: str) -> None:
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


def _pain_table(pdf: _Document, report: Report, language: str) -> None:
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
                pdf.text_of(check.flag_names_text),
                pdf.text_of(check.causes_text),
            ),
            strong={2} if _urgent(check.tier) else set(),
        )


def _key(pdf: _Document, report: Report, language: str) -> None:
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


class _Table:
    """A table drawn cell by cell with its own word wrap, its headings on top of every page.

    fpdf2's table and multi_cell run the full line breaker on every cell, which takes seconds
    for ten years of entries; here text widths come from memoised character widths (exact:
    without text shaping fpdf2 adds no kerning) and lines are placed with text(). A cell that
    needs a fallback font or shaping (text() has neither) is measured and set with cell().
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
        # Whether the cell being wrapped is shaped: its widths are then measured whole.
        self.shaped = False
        # Per weight: each character's width at 1 pt.
        self._widths: dict[bool, dict[str, float]] = {False: {}, True: {}}
        pdf.use(self.SIZE)

    def _weight(self, bold: bool) -> None:
        if bold != self.bold:
            self.pdf.use(self.SIZE, bold=bold)
            self.bold = bold

    def _width(self, text: str) -> float:
        if self.shaped:
            return self.pdf.get_string_width(text)
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

    def _shape(self, text: str, plain: bool) -> None:
        self.shaped = not plain and _needs_shaping(text)
        self.pdf.shape_for(text)

    def _draw(self, cells: Sequence[str], bold: Sequence[bool], fill: int | None) -> None:
        pdf = self.pdf
        wrapped = []
        plain = [pdf.plain(text, strong) for text, strong in zip(cells, bold, strict=True)]
        for text, strong, width, simple in zip(cells, bold, self.columns, plain, strict=True):
            self._weight(strong)
            self._shape(text, simple)
            wrapped.append(self._lines(text, width))
        self.shaped = False
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
        columns = zip(cells, wrapped, bold, plain, self.columns, self.aligns, strict=True)
        for text, lines, strong, simple, width, align in columns:
            pdf.rect(x, y, width, height)
            self._weight(strong)
            self._shape(text, simple)
            for number, line in enumerate(lines):
                if not line:
                    continue
                left = x + self.PAD
                if align is Align.C:
                    left = x + (width - self._width(line)) / 2
                elif not simple and _right_to_left(line):
                    # A note in Arabic or Hebrew starts at the right, as its reader expects.
                    left = x + width - self.PAD - self._width(line)
                base = first_base + number * self.LINE
                if simple:
                    pdf.text(left, base, line)
                    continue
                # cell() puts the baseline 0.3 font sizes below the middle of its height.
                pdf.set_xy(left - pdf.c_margin, base - self.LINE / 2 - 0.3 * pdf.font_size)
                pdf.cell(self._width(line) + 2 * pdf.c_margin, self.LINE, line)
            x += width
        self.shaped = False
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


def _listed_entries(
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
    shown, total = _listed_entries(report, entries, rows)
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
    listed, _ = _listed_entries(report, entries, entry_rows)
    own = (report.model_dump_json(), _catalogue_text(language))
    notes = [e.note for e in listed if e.note]
    with contextlib.ExitStack() as stack:
        # The fonts are picked (and Noto Sans CJK cut) once, for every layout of page one.
        faces = _plan_faces([*own, *notes], own, stack)
        for limit in (PAGE_ONE_LINES, *PAGE_ONE_FALLBACKS):
            pdf = _Document(report, language, faces)
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
        _key(pdf, report, language)
        _entry_table(pdf, report, entries, language, entry_rows)
        if pdf.replaced:
            pdf.ln(2)
            pdf.para(t(language, "report.unsupported_note", mark=pdf.mark), size=7.5, grey=GREY)
        return bytes(pdf.output())
