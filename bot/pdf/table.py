"""The PDF's tables of signs, checks and entries, their headings repeated on every page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fpdf.enums import Align

from bot.pdf.document import LIGHT, ZEBRA, Document, needs_shaping, right_to_left


class Table:
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
        pdf: Document,
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
        self.shaped = not plain and needs_shaping(text)
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
                elif not simple and right_to_left(line):
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
