"""The fonts of the PDF: DejaVu Sans, and the Noto fonts for any character it lacks."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools.fontBuilder import FontBuilder  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

CJK_FAMILY = "NotoCJK"
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


def main_range(path: Path) -> tuple[int, ...] | None:
    """The characters the main font is used for: all it has, bar emoji when Noto Emoji is there."""
    emoji = any(file.name == _FIRST_FALLBACKS[0] for file in fallback_files())
    return _without_emoji(path) if emoji else None


@functools.lru_cache(maxsize=4)
def _without_emoji(path: Path) -> tuple[int, ...]:
    return tuple(sorted(c for c in _cmap(path) if not _EMOJI_FROM <= c <= _EMOJI_TO))


def primary_codes(regular: Path, bold: Path) -> frozenset[int]:
    """What both weights of the main font are used for."""
    # A character bold DejaVu lacks takes a fallback in bold text.
    return _both(
        main_range(regular) or tuple(_cmap(regular)), main_range(bold) or tuple(_cmap(bold))
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
class Faces:
    """The fonts beyond DejaVu Sans that one report needs, in the order they are tried."""

    # (family, regular file, bold file or None)
    fonts: tuple[tuple[str, Path, Path | None], ...] = ()
    # The characters outside DejaVu Sans that one of them draws.
    drawable: frozenset[int] = frozenset()


def plan_faces(
    texts: Iterable[str], bold_texts: Iterable[str], stack: contextlib.ExitStack
) -> Faces:
    """Pick the fallback fonts for the characters of `texts` (and write the CJK ones needed)."""
    primary = font_files()
    if primary is None:
        return Faces()
    known = primary_codes(*primary)
    wanted = {ord(char) for text in texts if not text.isascii() for char in text} - known
    if not wanted:
        return Faces()
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
    return Faces(fonts=tuple(fonts), drawable=frozenset(drawn))
