"""Bundled fonts for every PDF, and Paragraph markup that gives each script a font that has its glyphs.

reportlab draws a run of text with one font and has no per-glyph fallback, so a Chinese or Arabic customer
name in Noto Sans would print as empty boxes. Its own right-to-left support needs `rlbidi`, which is not on
PyPI, and its shaping breaks on words that mix fonts. So rich_text() does that work before reportlab sees the
text: it puts right-to-left spans into visual order, joins Arabic letters with HarfBuzz (the optional
`uharfbuzz` package) into the font's presentation forms, and wraps each run in the font that covers it.
Readers still extract logical text (pypdf, pdftotext), because they undo visual order and presentation forms
normalise (NFKC) to the plain letters.

Thai, Devanagari, Bengali, Tamil and emoji cannot be written as code points that way: their vowel signs are
reordered, consonants fuse into conjuncts that have no code point, Thai tone marks move up over vowel marks, and
emoji sequences become one glyph. Runs in those fonts (_SHAPED) go through reportlab's own HarfBuzz path, which
draws glyphs with their positions. That path has faults, mended once per process by _install_shaping(): a
Paragraph shapes only when its style asks and its style's font is shapable, and a word that mixes fonts
("(राहुल)", "สมชาย,") is shaped entirely with its first font. So every bundled font is marked shapable, a
Paragraph that holds a _SHAPED run turns shaping on for itself, and a word is shaped font run by font run, only
in _SHAPED fonts: Latin, Greek, Cyrillic, Arabic, Hebrew and CJK text is drawn exactly as before. And
_install_to_unicode_fix() makes the text readable back: reportlab names glyphs without a code point (a
conjunct, a Thai mark's raised form) by private-use characters and writes emoji wrongly into a font's ToUnicode
map; the map then says which letters each glyph stands for.
"""

from __future__ import annotations

import importlib
import inspect
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from copy import copy
from functools import cache
from itertools import groupby
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
_THAI = "Counterpart-Thai"
_THAI_BOLD = "Counterpart-Thai-Bold"
_DEVANAGARI = "Counterpart-Devanagari"
_DEVANAGARI_BOLD = "Counterpart-Devanagari-Bold"
_BENGALI = "Counterpart-Bengali"
_BENGALI_BOLD = "Counterpart-Bengali-Bold"
_TAMIL = "Counterpart-Tamil"
_TAMIL_BOLD = "Counterpart-Tamil-Bold"
_EMOJI = "Counterpart-Emoji"

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
    # The UI variants: the characters of Noto Sans Thai etc., made to sit within Noto Sans's line height
    _THAI: "NotoSansThaiUI-Regular.ttf",
    _THAI_BOLD: "NotoSansThaiUI-Bold.ttf",
    _DEVANAGARI: "NotoSansDevanagariUI-Regular.ttf",
    _DEVANAGARI_BOLD: "NotoSansDevanagariUI-Bold.ttf",
    _BENGALI: "NotoSansBengaliUI-Regular.ttf",
    _BENGALI_BOLD: "NotoSansBengaliUI-Bold.ttf",
    _TAMIL: "NotoSansTamilUI-Regular.ttf",
    _TAMIL_BOLD: "NotoSansTamilUI-Bold.ttf",
    _EMOJI: "NotoEmoji-Regular.ttf",  # monochrome, TrueType outlines (the colour emoji fonts are bitmaps)
}

# Fonts whose runs reportlab shapes with HarfBuzz (see the module docstring); all others are drawn as written.
_SHAPED = frozenset(
    {_THAI, _THAI_BOLD, _DEVANAGARI, _DEVANAGARI_BOLD, _BENGALI, _BENGALI_BOLD, _TAMIL, _TAMIL_BOLD, _EMOJI}
)

# (regular, bold) per family, so <b> around text in the base font and reportlab's face lookups find the bold.
_FAMILIES = {
    BODY_FONT: (BODY_FONT, BOLD_FONT),
    MONO_FONT: (MONO_FONT, MONO_FONT),
    _HEBREW: (_HEBREW, _HEBREW_BOLD),
    _ARABIC: (_ARABIC, _ARABIC_BOLD),
    _CJK: (_CJK, _CJK),
    _KOREAN: (_KOREAN, _KOREAN),
    _THAI: (_THAI, _THAI_BOLD),
    _DEVANAGARI: (_DEVANAGARI, _DEVANAGARI_BOLD),
    _BENGALI: (_BENGALI, _BENGALI_BOLD),
    _TAMIL: (_TAMIL, _TAMIL_BOLD),
    _EMOJI: (_EMOJI, _EMOJI),
}

# The base font first, then the fonts tried for characters it lacks; the emoji font last, so that symbols a
# text font has (©, →, ★) stay text. Emoji sequences choose it ahead of the others (_font_for).
_CHAINS = {
    "body": (BODY_FONT, _HEBREW, _ARABIC, _THAI, _DEVANAGARI, _BENGALI, _TAMIL, _CJK, _KOREAN, _EMOJI),
    "bold": (
        BOLD_FONT,
        _HEBREW_BOLD,
        _ARABIC_BOLD,
        _THAI_BOLD,
        _DEVANAGARI_BOLD,
        _BENGALI_BOLD,
        _TAMIL_BOLD,
        _CJK,
        _KOREAN,
        _EMOJI,
    ),
    "mono": (MONO_FONT, _HEBREW, _ARABIC, _THAI, _DEVANAGARI, _BENGALI, _TAMIL, _CJK, _KOREAN, _EMOJI),
}

_lock = threading.Lock()
_registered = False
# Each font's code point to glyph map as the file has it. reportlab's shaping adds private-use code points to
# the live map for glyphs that have none (conjuncts, ligatures), which must not make such a font "cover" them.
_cmaps: dict[str, Mapping[int, int]] = {}


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
            # Shapable so that a Paragraph set in any of them shapes at all; only _SHAPED runs are shaped
            # (_shape_word), the rest rich_text() hands over ready to draw. Without uharfbuzz this stays False.
            font.shapable = True
            _cmaps[name] = dict(font.face.charToGlyph)
            pdfmetrics.registerFont(font)
        for family, (regular, bold) in _FAMILIES.items():
            pdfmetrics.registerFontFamily(family, normal=regular, bold=bold, italic=regular, boldItalic=bold)
            addMapping(family, 1, 0, bold)  # the last mapping of a face decides what it is read back as
            addMapping(family, 0, 0, regular)
        _install_shaping()
        _install_to_unicode_fix()
        _registered = True


def font_name(role: str) -> str:
    """The registered font for a role: "body", "bold" or "mono"."""
    return _chain(role)[0]


def shaping_available() -> bool:
    """True when text can be shaped (uharfbuzz is installed). Without it Arabic letters print unjoined, and Thai,
    Indic and emoji runs print glyph by glyph: readable letters, but vowel signs out of order and no conjuncts."""
    return _harfbuzz() is not None


def rich_text(text: str, base_font: str = "body") -> str:
    """`text` as reportlab Paragraph markup for a paragraph set in the `base_font` role's font.

    Markup characters are escaped, newlines become <br/>, runs the base font cannot draw are wrapped in
    <font name=...> for a bundled font that can, and right-to-left spans come out readable in a
    left-to-right paragraph. Symbols no bundled font has (emoji newer than the bundled emoji font) are left
    out rather than printed as boxes; letters no bundled font has print as U+FFFD so a name is never
    silently shortened.

    Runs that must be shaped (Thai, Devanagari, Bengali, Tamil, emoji) are wrapped in <font face=...>
    instead: a Paragraph shapes them, and a caller that draws <font name=...> runs straight onto the
    canvas (subject_export's one-line table cells) sees markup it does not know and leaves them to one.

    For bold text use base_font="bold" in a bold style: reportlab resets <b> inside a <font name=...>.
    """
    chain = _chain(base_font)
    register_fonts()
    visual = _visual_order(_printable(unicodedata.normalize("NFC", text), chain))
    parts = []
    for font, run in _font_runs(visual, chain):
        body = escape(run).replace("\n", "<br/>")
        attribute = "face" if font in _SHAPED else "name"
        parts.append(body if font == chain[0] else f'<font {attribute}="{font}">{body}</font>')
    return "".join(parts)


def _chain(role: str) -> tuple[str, ...]:
    try:
        return _CHAINS[role]
    except KeyError:
        raise ValueError(f"unknown font role {role!r}; expected one of {sorted(_CHAINS)}") from None


def _cmap(font: str) -> Mapping[int, int]:
    """Code point to glyph id of a registered font, as in its file."""
    return _cmaps[font]


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
    """Characters in reverse order, each base letter keeping its combining marks and each emoji sequence kept
    whole, brackets mirrored."""
    clusters: list[str] = []
    for ch in chunk:
        if clusters and _continues(clusters[-1], ch):
            clusters[-1] += ch
        else:
            clusters.append(_MIRRORED.get(ch, ch))
    return "".join(reversed(clusters))


def _continues(cluster: str, ch: str) -> bool:
    """Whether `ch` belongs to the cluster before it: a mark, a part of an emoji sequence (joiner, selector,
    skin tone, the character after a joiner), the second flag letter of a pair."""
    flag_letter = 0x1F1E6 <= ord(ch) <= 0x1F1FF
    return (
        unicodedata.category(ch).startswith("M")
        or ch in _EMOJI_JOINERS
        or 0x1F3FB <= ord(ch) <= 0x1F3FF
        or cluster.endswith("\u200d")
        or (flag_letter and len(cluster) == 1 and 0x1F1E6 <= ord(cluster) <= 0x1F1FF)
    )


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

# What continues an emoji sequence: joiner, presentation selectors, keycap, and the tag letters of
# subdivision flags (skin-tone modifiers count as emoji themselves).
_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f\u20e3") | frozenset(map(chr, range(0xE0020, 0xE0080)))


def _font_runs(text: str, chain: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(font, text) runs: letters take the first font in the chain that has them; spaces, digits, marks
    and punctuation stay in the current run's font when it has them, so runs do not split needlessly.
    Emoji and the rest of their sequence take the emoji font, so it can draw the sequence as one glyph."""
    current, run = chain[0], ""
    for index, ch in enumerate(text):
        font = _font_for(text, index, current, chain)
        if font != current and run:
            yield current, run
            run = ""
        current = font
        run += ch
    if run:
        yield current, run


def _font_for(text: str, index: int, current: str, chain: tuple[str, ...]) -> str:
    ch, emoji = text[index], chain[-1]
    if _covers(emoji, ch) and (_starts_emoji(text, index) or (current == emoji and ch in _EMOJI_JOINERS)):
        return emoji
    if current != emoji and not unicodedata.category(ch).startswith("L") and _covers(current, ch):
        return current
    return next((font for font in chain if _covers(font, ch)), chain[0])


def _starts_emoji(text: str, index: int) -> bool:
    """A pictograph from the emoji planes, or any character asked to look like an emoji (U+FE0F, a keycap)."""
    ch, after = text[index], text[index + 1 : index + 2]
    return after in ("\ufe0f", "\u20e3") or (ord(ch) >= 0x1F000 and unicodedata.category(ch) in ("So", "Sk"))


# --- shaping through reportlab ----------------------------------------------------------------------------

_installed = False


def _install_shaping() -> None:
    """Let reportlab's Paragraph shape the _SHAPED runs (see the module docstring). Idempotent; a no-op without
    uharfbuzz, or on a reportlab whose Paragraph does not have the hooks this relies on (text then prints
    unshaped rather than failing)."""
    global _installed
    if _installed or _harfbuzz() is None:
        return
    from reportlab.pdfbase import ttfonts
    from reportlab.platypus import paragraph

    shape = getattr(ttfonts, "shapeFragWord", None)
    break_lines = getattr(paragraph.Paragraph, "breakLines", None)
    if (
        shape is None
        or break_lines is None
        or not hasattr(paragraph, "shapeFragWord")
        or "force" not in inspect.signature(shape).parameters
    ):
        return

    def shape_word(word: Any) -> Any:
        return _shape_word(word, shape, ttfonts)

    def breaks_shaped(self: Any, width: Any) -> Any:
        style = self.style
        if getattr(style, "shaping", 0) or not _has_shaped_run(self.frags):
            return break_lines(self, width)
        self.style = copy(style)
        self.style.shaping = 1
        try:
            return break_lines(self, width)
        finally:
            self.style = style

    paragraph.shapeFragWord = shape_word
    paragraph.Paragraph.breakLines = breaks_shaped
    _installed = True


# What each private-use code point reportlab gave a shaped glyph stands for, by font (PostScript name):
# "ปั" draws ั as a narrower glyph without a code point, "हु" is one glyph. Written into the fonts' ToUnicode
# maps, so copying or searching the PDF finds the letters, not private-use characters.
_actual_text: dict[str, dict[int, str]] = {}
_TO_UNICODE_ENTRY = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{4,6})>")


def _install_to_unicode_fix() -> None:
    """Make reportlab's ToUnicode maps say which letters each shaped glyph stands for (_actual_text), and write
    characters beyond U+FFFF (emoji, rare CJK) as UTF-16 surrogate pairs, as PDF requires: reportlab writes the
    bare code point, which readers reject. Idempotent."""
    from reportlab.pdfbase import ttfonts

    make = getattr(ttfonts, "makeToUnicodeCMap", None)
    if make is None or getattr(make, "actual_text", False):
        return

    def make_with_text(fontname: str, subset: Any) -> str:
        known = _actual_text.get(fontname.split("+", 1)[-1], {})

        def entry(match: re.Match[str]) -> str:
            code = int(match[2], 16)
            text = known.get(code) or chr(code)
            return f"<{match[1]}> <{text.encode('utf-16-be').hex().upper()}>"

        return _TO_UNICODE_ENTRY.sub(entry, str(make(fontname, subset)))

    make_with_text.actual_text = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make_with_text


def _remember_text(run: list[Any], pieces: list[Any], ttfonts: ModuleType) -> None:
    """Note in _actual_text what the private-use glyphs of a freshly shaped run stand for: in each cluster (the
    glyphs HarfBuzz made from some characters), the characters that no glyph with a real code point draws go
    to its first private-use glyph. A glyph keeps the first meaning it was given. Reordered glyphs still read
    back in drawing order ("शर्मा" as "शमार्", the reph last)."""
    text = "".join(part for _frag, part in run)
    glyphs = [
        (frag.fontName, ch, data.cluster)
        for frag, part in pieces
        if isinstance(part, ttfonts.ShapedStr)
        for ch, data in zip(part, part.__shapeData__, strict=False)
    ]
    starts = sorted({cluster for _font, _ch, cluster in glyphs if 0 <= cluster < len(text)}) + [len(text)]
    ends = dict(zip(starts, starts[1:], strict=False))
    clusters: dict[int, list[tuple[str, str]]] = {}
    for font, ch, cluster in glyphs:
        if cluster in ends:
            clusters.setdefault(cluster, []).append((font, ch))
    for cluster, members in clusters.items():
        rest = list(text[cluster : ends[cluster]])
        private = []
        for font, ch in members:
            if ord(ch) in _cmaps[font] and unicodedata.category(ch) != "Co":  # flags are private-use in the font
                if ch in rest:
                    rest.remove(ch)
            else:
                private.append((font, ch))
        if private and rest:
            font, ch = private[0]
            _actual_text.setdefault(_postscript_name(font), {}).setdefault(ord(ch), "".join(rest))


@cache
def _postscript_name(font: str) -> str:
    face = pdfmetrics.getFont(font).face
    return bytes(face.name + face.subfontNameX).decode("latin-1")


def _has_shaped_run(frags: Any) -> bool:
    """Whether a Paragraph's fragments (parsed, or words carried over from a split) use a _SHAPED font."""
    for frag in frags or ():
        if isinstance(frag, list):  # a word: [width, (frag, text), ...]
            if any(getattr(piece[0], "fontName", None) in _SHAPED for piece in frag[1:]):
                return True
        elif getattr(frag, "fontName", None) in _SHAPED:
            return True
    return False


def _shape_word(word: Any, shape: Any, ttfonts: ModuleType) -> Any:
    """reportlab's shapeFragWord applied to each run of a word in one _SHAPED font (and size), not to the
    whole word in its first font; the other runs are left as they are. A word is [width, (frag, text), ...]."""
    pieces = word[1:]
    if isinstance(word, ttfonts.ShapedFragWord) or not any(_shaped_piece(piece) for piece in pieces):
        return word
    width, out = word[0], []
    for key, group in groupby(pieces, _shaped_piece):
        run = list(group)
        if key is None:
            out += run
            continue
        plain = sum(pdfmetrics.stringWidth(text, frag.fontName, frag.fontSize) for frag, text in run)
        # force: reportlab takes a ligature whose glyph is its first character's (👍 + skin tone → 👍 in a
        # monochrome font) for no change at all, and would draw both characters
        shaped = shape([plain, *run], force=True)
        _remember_text(run, shaped[1:], ttfonts)
        width += shaped[0] - plain
        out += shaped[1:]
    return ttfonts.makeShapedFragWord(word)([width, *out])


def _shaped_piece(piece: Any) -> tuple[str, float] | None:
    frag = piece[0]
    if hasattr(frag, "cbDefn") or getattr(frag, "fontName", None) not in _SHAPED:
        return None
    return frag.fontName, frag.fontSize
