"""The PDF's pages and what every section draws with: headings, paragraphs, lists, fonts."""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import TTFFont

from bot.pdf import fonts
from bot.pdf.fonts import Faces
from flows.i18n import t
from flows.records.report import Report

FAMILY = "DejaVu"
CORE_FAMILY = "Helvetica"
MARGIN = 15.0
BLACK = 0
GREY = 90
LIGHT = 225
ZEBRA = 245
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


def right_to_left(text: str) -> bool:
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


def needs_shaping(text: str) -> bool:
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


class Document(FPDF):
    """An A4 page with the patient and period on every page after the first, and page numbers."""

    def __init__(self, report: Report, language: str, faces: Faces) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.language = language
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 3)
        # Looked up on the module, where a test takes the main font away.
        main = fonts.font_files()
        self.face = FAMILY if main is not None else CORE_FAMILY
        # What each weight of the main font draws; None for the core font (Latin-1).
        self.weights: dict[bool, frozenset[int]] | None = None
        self._known: frozenset[int] = frozenset()
        self.mark = t(language, "report.unsupported_char") if main is not None else _CORE_MARK
        # Whether a character was drawn as the mark, which the PDF then explains.
        self.replaced = False
        self.shaping = False
        if main is not None:
            self.add_font(FAMILY, "", main[0], unicode_range=fonts.main_range(main[0]))
            self.add_font(FAMILY, "B", main[1], unicode_range=fonts.main_range(main[1]))
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
            self._known = fonts.primary_codes(*main) | faces.drawable

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
        return all(ord(char) in codes for char in text) and not needs_shaping(text)

    def shape_for(self, text: str) -> None:
        """Shape the next text with HarfBuzz only when it needs it (shaping costs time)."""
        wanted = _SHAPING and self.weights is not None and needs_shaping(text)
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
