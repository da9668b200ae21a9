"""Bundled fonts for every PDF, and Paragraph markup that gives each script a font that has its glyphs.

reportlab draws a run of text with one font and has no per-glyph fallback, so a Chinese or Arabic customer
name in Noto Sans would print as empty boxes. Its own right-to-left support needs `rlbidi`, which is not on
PyPI, and its shaping breaks on words that mix fonts. So rich_text() does that work before reportlab sees the
text: it puts right-to-left spans into visual order, joins Arabic letters with HarfBuzz (the optional
`uharfbuzz` package) into the font's presentation forms, and wraps each run in the font that covers it.
Readers still extract logical text (pypdf, pdftotext), because they undo visual order and presentation forms
normalise (NFKC) to the plain letters.
"""

from __future__ import annotations

import importlib
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from functools import cache
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import resource_path

BODY_FONT = "Counterpart-Sans"
BOLD_FONT = "Counterpart-Sans-Bold"
MONO_FONT = "Counterpart-Mono"
_HEBREW = "Counterpart-Hebrew"
_HEBREW_BOLD = "Counterpart-Hebrew-Bold"
_ARABIC = "Counterpart-Arabic"
_ARABIC_BOLD = "Counterpart-Arabic-Bold"
_CJK = "Counterpart-CJK"
_KOREAN = "Counterpart-Korean"

_FILES = {
    BODY_FONT: "NotoSans-Regular.ttf",
    BOLD_FONT: "NotoSans-Bold.ttf",
    MONO_FONT: "NotoSansMono-Regular.ttf",
    _HEBREW: "NotoSansHebrew-Regular.ttf",
    _HEBREW_BOLD: "NotoSansHebrew-Bold.ttf",
    _ARABIC: "NotoSansArabic-Regular.ttf",
    _ARABIC_BOLD: "NotoSansArabic-Bold.ttf",
    _CJK: "DroidSansFallbackFull.ttf",  # TrueType outlines: reportlab cannot embed the CFF Noto CJK fonts
    _KOREAN: "NanumGothic.ttf",  # Hangul, which Droid Sans Fallback lacks
}

# (regular, bold) per family, so <b> around text in the base font and reportlab's face lookups find the bold.
_FAMILIES = {
    BODY_FONT: (BODY_FONT, BOLD_FONT),
    MONO_FONT: (MONO_FONT, MONO_FONT),
    _HEBREW: (_HEBREW, _HEBREW_BOLD),
    _ARABIC: (_ARABIC, _ARABIC_BOLD),
    _CJK: (_CJK, _CJK),
    _KOREAN: (_KOREAN, _KOREAN),
}

# The base font first, then the fonts tried for characters it lacks.
_CHAINS = {
    "body": (BODY_FONT, _HEBREW, _ARABIC, _CJK, _KOREAN),
    "bold": (BOLD_FONT, _HEBREW_BOLD, _ARABIC_BOLD, _CJK, _KOREAN),
    "mono": (MONO_FONT, _HEBREW, _ARABIC, _CJK, _KOREAN),
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the bundled fonts with reportlab; cheap after the first call and safe from any thread."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, file in _FILES.items():
            font = TTFont(name, str(resource_path("fonts", file)))
            font.shapable = False  # rich_text() hands reportlab text that is already shaped
            pdfmetrics.registerFont(font)
        for family, (regular, bold) in _FAMILIES.items():
            pdfmetrics.registerFontFamily(family, normal=regular, bold=bold, italic=regular, boldItalic=bold)
            addMapping(family, 1, 0, bold)  # the last mapping of a face decides what it is read back as
            addMapping(family, 0, 0, regular)
        _registered = True


def font_name(role: str) -> str:
    """The registered font for a role: "body", "bold" or "mono"."""
    return _chain(role)[0]


def shaping_available() -> bool:
    """True when Arabic letters can be joined (uharfbuzz is installed); without it they print unjoined."""
    return _harfbuzz() is not None


def rich_text(text: str, base_font: str = "body") -> str:
    """`text` as reportlab Paragraph markup for a paragraph set in the `base_font` role's font.

    Markup characters are escaped, newlines become <br/>, runs the base font cannot draw are wrapped in
    <font name=...> for a bundled font that can, and right-to-left spans come out readable in a
    left-to-right paragraph. Emoji and other symbols no bundled font has are left out rather than printed
    as boxes; letters no bundled font has print as U+FFFD so a name is never silently shortened.

    For bold text use base_font="bold" in a bold style: reportlab resets <b> inside a <font name=...>.
    """
    chain = _chain(base_font)
    register_fonts()
    visual = _visual_order(_printable(unicodedata.normalize("NFC", text), chain))
    parts = []
    for font, run in _font_runs(visual, chain):
        body = escape(run).replace("\n", "<br/>")
        parts.append(body if font == chain[0] else f'<font name="{font}">{body}</font>')
    return "".join(parts)


def _chain(role: str) -> tuple[str, ...]:
    try:
        return _CHAINS[role]
    except KeyError:
        raise ValueError(f"unknown font role {role!r}; expected one of {sorted(_CHAINS)}") from None


@cache
def _cmap(font: str) -> Mapping[int, int]:
    """Code point to glyph id of a registered font."""
    cmap: dict[int, int] = pdfmetrics.getFont(font).face.charToGlyph
    return cmap


def _covers(font: str, ch: str) -> bool:
    return ord(ch) in _cmap(font)


# --- leaving out what no font can draw ------------------------------------------------------------------

# Uncovered characters of these categories are dropped: emoji and other pictographs (So), skin-tone
# modifiers (Sk), keycap and variation marks (Me, Mn), format and private-use characters.
_DROPPABLE = frozenset({"So", "Sk", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"})
# Letters no bundled font has (Korean, Thai, Devanagari, ...) show as this, not as an invisible glyph.
_MISSING = "\ufffd"
_KEPT_CONTROLS = frozenset("\n\t")
# Glue inside emoji sequences; dropped when it follows a dropped character.
_EMOJI_GLUE = frozenset({"\u200d", "\ufe0e", "\ufe0f"})


def _printable(text: str, chain: tuple[str, ...]) -> str:
    kept: list[str] = []
    dropping = False
    for ch in text:
        if dropping and ch in _EMOJI_GLUE:
            continue
        category = unicodedata.category(ch)
        dropping = False
        if ch in _KEPT_CONTROLS or any(_covers(font, ch) for font in chain):
            kept.append(ch)
        elif category in _DROPPABLE:
            dropping = True
        else:
            kept.append(_MISSING)
    return "".join(kept)


# --- right-to-left spans --------------------------------------------------------------------------------

_RTL = frozenset({"R", "AL"})
_KEEPS_SPAN = frozenset({"R", "AL", "EN", "AN", "NSM"})
_ENDS_SPAN = frozenset({"L", "B"})  # a left-to-right letter or a line break
_MIRRORED = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))
_NUMBER = re.compile(r"(\d+(?:[.,:/\u066b\u066c]\d+)*)")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def _visual_order(text: str) -> str:
    """Each right-to-left span reversed into drawing order; the paragraph itself stays left-to-right."""
    out: list[str] = []
    done = 0
    for start, end in _rtl_spans(text):
        out.append(text[done:start])
        # A no-break space keeps the span on one line: reportlab would otherwise wrap it in visual order.
        out.append(_visual_span(text[start:end]).replace(" ", "\u00a0"))
        done = end
    out.append(text[done:])
    return "".join(out)


def _rtl_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each span from a right-to-left letter up to the last RTL letter or number before
    the next left-to-right letter or line break (the Unicode bidi rules for an LTR paragraph, simplified)."""
    i, n = 0, len(text)
    while i < n:
        if unicodedata.bidirectional(text[i]) not in _RTL:
            i += 1
            continue
        start = end = i
        while i < n and unicodedata.bidirectional(text[i]) not in _ENDS_SPAN:
            if unicodedata.bidirectional(text[i]) in _KEEPS_SPAN:
                end = i + 1
            i += 1
        yield start, end


def _visual_span(span: str) -> str:
    """Pieces in reverse order; numbers keep their digits left-to-right, the rest is shaped or mirrored."""
    pieces = _NUMBER.split(span)  # odd indexes are the numbers
    visual = [piece if index % 2 else _visual_rtl(piece) for index, piece in enumerate(pieces)]
    return "".join(reversed(visual))


def _visual_rtl(chunk: str) -> str:
    harfbuzz = _harfbuzz()
    if harfbuzz is not None and _ARABIC_LETTER.search(chunk):
        return _shape_arabic(chunk, harfbuzz)
    return _reverse_clusters(chunk)


def _reverse_clusters(chunk: str) -> str:
    """Characters in reverse order, each base letter keeping its combining marks, brackets mirrored."""
    clusters: list[str] = []
    for ch in chunk:
        if clusters and unicodedata.category(ch).startswith("M"):
            clusters[-1] += ch
        else:
            clusters.append(_MIRRORED.get(ch, ch))
    return "".join(reversed(clusters))


def _shape_arabic(chunk: str, harfbuzz: ModuleType) -> str:
    """Shape with HarfBuzz and write each glyph back as the code point the font maps to it (mostly the
    Arabic presentation forms), already in visual order. Glyphs without a code point fall back to their
    cluster's characters."""
    font, glyph_chars = _arabic_shaper(harfbuzz)
    buf = harfbuzz.Buffer()
    buf.add_codepoints([ord(ch) for ch in chunk])
    buf.direction = "rtl"
    buf.guess_segment_properties()
    harfbuzz.shape(font, buf, {})
    infos: list[Any] = list(buf.glyph_infos)
    starts = sorted({info.cluster for info in infos}) + [len(chunk)]
    cluster_text = {start: chunk[start:after] for start, after in zip(starts, starts[1:], strict=False)}
    unmapped = {info.cluster for info in infos if info.codepoint not in glyph_chars}
    out: list[str] = []
    done: set[int] = set()
    for info in infos:
        if info.cluster not in unmapped:
            out.append(glyph_chars[info.codepoint])
        elif info.cluster not in done:
            done.add(info.cluster)
            out.append(_reverse_clusters(cluster_text[info.cluster]))
    return "".join(out)


@cache
def _arabic_shaper(harfbuzz: ModuleType) -> tuple[Any, Mapping[int, str]]:
    """The HarfBuzz font for the bundled Arabic face and its glyph-to-character map (lowest code point)."""
    register_fonts()
    blob = harfbuzz.Blob(resource_path("fonts", _FILES[_ARABIC]).read_bytes())
    glyph_chars: dict[int, str] = {}
    for codepoint, glyph in sorted(_cmap(_ARABIC).items(), reverse=True):
        if glyph:
            glyph_chars[glyph] = chr(codepoint)
    return harfbuzz.Font(harfbuzz.Face(blob)), glyph_chars


@cache
def _harfbuzz() -> ModuleType | None:
    try:
        return importlib.import_module("uharfbuzz")
    except ImportError:
        return None


# --- font runs ------------------------------------------------------------------------------------------


def _font_runs(text: str, chain: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(font, text) runs: letters take the first font in the chain that has them; spaces, digits, marks
    and punctuation stay in the current run's font when it has them, so runs do not split needlessly."""
    current, run = chain[0], ""
    for ch in text:
        font = _font_for(ch, current, chain)
        if font != current and run:
            yield current, run
            run = ""
        current = font
        run += ch
    if run:
        yield current, run


def _font_for(ch: str, current: str, chain: tuple[str, ...]) -> str:
    if not unicodedata.category(ch).startswith("L") and _covers(current, ch):
        return current
    return next((font for font in chain if _covers(font, ch)), chain[0])
