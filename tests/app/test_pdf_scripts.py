"""Customer names in every script the PDFs support: each is set in its bundled font, shaped where the script needs
it, and read back with pypdf.

What is checked per name (pdf.para, the paragraph every document uses, rendered by pdf.render):
- the text pypdf attributes to the script's font is in an embedded TrueType subset of that bundled file;
- the bundled font has a glyph for every character of the name (its own cmap, not reportlab's fallback);
- the extracted text gives the name back (NFKC, spaces ignored) for Latin, Thai, Bengali, Hebrew, Hangul and
  emoji. Devanagari and Tamil come back with every letter but not in typed order, because readers follow the
  drawing order of the shaped glyphs: the reph of "शर्मा" is drawn last ("शमार्"), the vowel sign of "செ" first
  ("ெச"). For those the test checks that the same letters come back, and no private-use stand-ins.
"""

from __future__ import annotations

import io
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactService
from app.documents.fonts import register_fonts, rich_text, shaping_available
from app.documents.pdf import para, render, styles
from app.documents.subject_export import write_subject_export
from app.privacy.subject_data import gather

FONTS = Path(__file__).resolve().parents[1].parent / "resources" / "fonts"
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

# (name, bundled file, extraction gives the name back)
NAMES = [
    ("สมชาย ใจดี", "NotoSansThaiUI-Regular.ttf", True),
    ("नमस्ते राहुल शर्मा", "NotoSansDevanagariUI-Regular.ttf", False),
    ("রবীন্দ্রনাথ ঠাকুর", "NotoSansBengaliUI-Regular.ttf", True),
    ("தமிழ்செல்வன்", "NotoSansTamilUI-Regular.ttf", False),
    ("נועה כהן", "NotoSansHebrew-Regular.ttf", True),
    ("김민준", "NanumGothic.ttf", True),
    ("Ana 🌸", "NotoEmoji-Regular.ttf", True),
]


@cache
def _cmap(file: str) -> dict[int, int]:
    return dict(TTFont(file, str(FONTS / file)).face.charToGlyph)


@cache
def _postscript_name(file: str) -> str:
    """The name reportlab embeds the font under (after the subset tag)."""
    name = TTFont(file, str(FONTS / file)).face.name
    return name.decode() if isinstance(name, bytes) else str(name)


def _text_by_font(pdf: bytes) -> tuple[str, dict[str, str]]:
    """All the page text, and the text drawn in each font by its PostScript name (without the subset tag)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    by_font: dict[str, str] = {}

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if font is not None and text:
            name = str(font["/BaseFont"]).split("+")[-1]
            by_font[name] = by_font.get(name, "") + text

    return page.extract_text(visitor_text=visit), by_font


def _embedded(pdf: bytes) -> dict[str, Any]:
    fonts: dict[str, Any] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"]).split("+")[-1]] = font
    return fonts


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _drawn(paragraph: Any) -> list[tuple[str, str]]:
    """(font, text) of each fragment a wrapped Paragraph draws, the text as reportlab will write it."""
    lines = paragraph.blPara.lines
    frags = [word for line in lines for word in getattr(line, "words", ())]
    return [(frag.fontName, frag.text) for frag in frags if getattr(frag, "text", "")]


@pytest.mark.parametrize(("name", "file", "extractable"), NAMES)
def test_each_script_prints_in_its_bundled_font(name: str, file: str, extractable: bool) -> None:
    pdf = render([para(name, styles()["body"])], title="names")
    font = _postscript_name(file)
    embedded = _embedded(pdf)
    assert font in embedded, sorted(embedded)
    assert re.fullmatch(r"/[A-Z]{6}\+.+", str(embedded[font]["/BaseFont"]))  # a subset
    assert "/FontFile2" in embedded[font]["/FontDescriptor"]  # TrueType outlines

    text, by_font = _text_by_font(pdf)
    script = _squash("".join(ch for ch in name if not ch.isascii()))  # what the Latin body font does not draw
    assert by_font.get(font), by_font  # the name's letters are drawn in the script's font...
    cmap = _cmap(file)
    assert [ch for ch in script if ord(ch) not in cmap] == []  # ...which has every one of them
    assert "\ufffd" not in text and not PRIVATE_USE.search(text), text
    if extractable:
        assert _squash(name) in _squash(text), text
    else:
        assert sorted(_squash(by_font[font])) == sorted(script), by_font[font]


@pytest.mark.parametrize(("name", "file", "extractable"), NAMES)
def test_names_in_bold_use_the_bold_face_where_there_is_one(name: str, file: str, extractable: bool) -> None:
    bold = file.replace("-Regular", "-Bold")
    expected = bold if (FONTS / bold).exists() else file
    pdf = render([para(name, styles()["heading"], "bold")], title="names")
    assert _postscript_name(expected) in _embedded(pdf)


@pytest.mark.skipif(not shaping_available(), reason="shaping needs uharfbuzz")
@pytest.mark.parametrize(
    ("text", "font", "shaped_as"),
    [
        # Thai: the tone mark over a vowel mark is drawn as its small form, ั over ป narrower (no code points)
        ("ที่ ปั", "Counterpart-Thai", "private"),
        # Devanagari: ह + ु is one glyph; स्त a conjunct: no virama is left to draw
        ("नमस्ते राहुल", "Counterpart-Devanagari", "private"),
        # Bengali: ন্দ্র is a conjunct
        ("রবীন্দ্রনাথ", "Counterpart-Bengali", "private"),
        # Tamil: the vowel sign of செ is drawn before its consonant
        ("தமிழ்செல்வன்", "Counterpart-Tamil", "\u0bc6\u0b9a"),
        # Emoji: a family is one glyph, a skin tone folds into the hand in a monochrome font
        ("👨\u200d👩\u200d👧 👍🏽", "Counterpart-Emoji", "private"),
    ],
)
def test_complex_scripts_are_shaped(text: str, font: str, shaped_as: str) -> None:
    paragraph = para(text, styles()["body"])
    paragraph.wrap(400, 1000)
    drawn = [(name, run) for name, run in _drawn(paragraph) if name == font]
    assert drawn and all(isinstance(run, ShapedStr) for _, run in drawn), _drawn(paragraph)
    joined = "".join(run for _, run in drawn)
    assert joined != text.replace(" ", "")
    if shaped_as == "private":
        assert PRIVATE_USE.search(joined), joined
    else:
        assert shaped_as in joined, joined
    assert "\u094d" not in joined  # no Devanagari virama left over


@pytest.mark.skipif(not shaping_available(), reason="shaping needs uharfbuzz")
def test_a_word_that_mixes_fonts_is_shaped_run_by_run() -> None:
    """reportlab shapes a whole word with its first font; a comma or bracket in another font must not turn the
    Thai or Devanagari letters of the same word into missing glyphs."""
    register_fonts()
    paragraph = para("Dear สมชาย, «राहुल» (ที่)!", styles()["body"])
    paragraph.wrap(400, 1000)
    drawn = _drawn(paragraph)
    fonts = {name for name, _ in drawn}
    assert {"Counterpart-Sans", "Counterpart-Thai", "Counterpart-Devanagari"} <= fonts, drawn
    for name, run in drawn:
        # reportlab's live map, with the private-use aliases shaping added: never glyph 0 (.notdef)
        glyphs = pdfmetrics.getFont(name).face.charToGlyph
        assert all(glyphs.get(ord(ch)) for ch in run if ch != " "), (name, run)


def test_latin_text_is_not_shaped() -> None:
    """Only Thai, Indic and emoji runs are shaped: Latin text is written as it was (no ligature glyphs)."""
    paragraph = para("office affluent สมชาย", styles()["body"])
    paragraph.wrap(400, 1000)
    latin = [run for name, run in _drawn(paragraph) if name == "Counterpart-Sans"]
    assert latin and not any(isinstance(run, ShapedStr) for run in latin)
    assert "office affluent" in "".join(latin)


def test_shaped_runs_are_left_to_a_paragraph() -> None:
    """subject_export draws one-line table cells from <font name=...> runs straight onto the canvas, unshaped;
    runs that need shaping are marked differently so that such a cell becomes a Paragraph."""
    assert rich_text("Ana 🌸") == 'Ana <font face="Counterpart-Emoji">🌸</font>'
    assert rich_text("สมชาย") == '<font face="Counterpart-Thai">สมชาย</font>'
    assert rich_text("김민준") == '<font name="Counterpart-Korean">김민준</font>'


def test_unsupported_letters_still_print_as_a_replacement_mark() -> None:
    assert "\ufffd" in rich_text("ሰላም")  # Ethiopic: no bundled font


def test_emoji_sequences_stay_whole_inside_right_to_left_text() -> None:
    assert rich_text("נועה 👨\u200d👩\u200d👧 👍🏽 כהן") == (
        '<font name="Counterpart-Hebrew">ןהכ\xa0</font><font face="Counterpart-Emoji">👍🏽</font>\xa0'
        '<font face="Counterpart-Emoji">👨\u200d👩\u200d👧</font>\xa0<font name="Counterpart-Hebrew">העונ</font>'
    )


def test_a_shaped_paragraph_splits_across_pages_and_reads_back() -> None:
    text = " ".join(["สมชาย ใจดี ปี่ (राहुल), রবীন্দ্রনাথ 🌸 Ana"] * 300)
    reader = PdfReader(io.BytesIO(render([para(text, styles()["body"])], title="long")))
    assert len(reader.pages) > 1
    extracted = _squash("".join(page.extract_text() for page in reader.pages))
    for word in ("สมชาย", "ใจดี", "ปี่", "राहुल", "রবীন্দ্রনাথ", "🌸"):
        assert extracted.count(word) == 300, word


def test_subject_export_of_a_devanagari_and_thai_customer(owner_session: Session, tmp_path: Path) -> None:
    """The real document: the name in the letter, the identity table (one-line cells) and a note."""
    contact_id = ContactService(owner_session).create(
        ContactInput(given_name="राहुल", family_name="शर्मा", note="ชอบขนมปัง 🌸", language="en")
    )
    out = tmp_path / "rahul.pdf"
    write_subject_export(out, gather(owner_session, contact_id, "en"))
    reader = PdfReader(out)
    embedded: set[str] = set()
    devanagari = thai = ""
    for page in reader.pages:

        def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
            nonlocal devanagari, thai
            name = str(font["/BaseFont"]).split("+")[-1] if font is not None else ""
            if name.startswith("NotoSansDevanagari"):
                devanagari += text
            elif name.startswith("NotoSansThai"):
                thai += text

        text = page.extract_text(visitor_text=visit)
        assert "\ufffd" not in text
        embedded |= {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in page["/Resources"]["/Font"].values()}
    assert {"NotoSansDevanagariUI-Regular", "NotoSansThaiUI-Regular", "NotoEmoji-Regular"} <= embedded
    # Shaped everywhere, one-line table cells included: the reph of शर्मा is drawn last, so it reads back last
    assert devanagari.count("शमार्") >= 3 and "शर्मा" not in devanagari and "राहुल" in devanagari
    assert "ชอบขนมปัง" in thai  # ั over ป is drawn as a narrower glyph, and still reads back as ั
    assert "Somecharacters" not in re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
