"""What every Counterpart PDF shares: rendering in memory with embedded fonts, and text in any script."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle

from app import APP_NAME, __version__
from app.documents.fonts import BODY_FONT, BOLD_FONT, register_fonts, rich_text

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN - 12  # the frame pads its content by 6 pt on each side
GREY = colors.Color(0.35, 0.35, 0.35)
RULE = colors.Color(0.75, 0.75, 0.75)
_BLANK_FILL = colors.Color(1.0, 0.96, 0.75)
_BLANK_INK = colors.Color(0.55, 0.3, 0.0)
_WATERMARK = colors.Color(0.88, 0.88, 0.88)
Decorate = Callable[[Any, int, int], None]  # canvas, page number, page total


def render(story: list[Any], *, title: str, on_page: Any = None) -> bytes:
    """The PDF in memory, so nothing reaches the disk until it is complete (callers write it atomically)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=APP_NAME,
        creator=f"{APP_NAME} {__version__}",
        initialFontName=BODY_FONT,
    )  # else reportlab references Helvetica, which is not embedded
    if on_page is None:
        doc.build(story)
    else:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def para(text: str, style: ParagraphStyle, role: str = "body") -> Paragraph:
    """A paragraph of plain (untrusted or translated) text, with fonts for every script in it."""
    return Paragraph(rich_text(text, role), style)


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose text cells use the body font, not reportlab's unembedded Helvetica default."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), BODY_FONT), *commands])


def render_paged(build_story: Callable[[], list[Any]], *, title: str, decorate: Decorate) -> bytes:
    """The PDF in memory with "page X of Y" known on every page: a first build counts the pages, the second
    draws them. Each build gets a fresh story: a build changes its flowables (it clears keepWithNext)."""
    pages = [0]

    def count(_canvas: Any, doc: Any) -> None:
        pages[0] = max(pages[0], int(doc.page))

    render(build_story(), title=title, on_page=count)
    total = pages[0]
    return render(build_story(), title=title, on_page=lambda canvas, doc: decorate(canvas, int(doc.page), total))


def draw_footer(canvas: Any, left: str, right: str) -> None:
    """A one-line grey footer: `left` at the left margin, `right` (the page number) at the right."""
    width = A4[0] - 2 * MARGIN
    style = ParagraphStyle("footer", fontName=BODY_FONT, fontSize=8, leading=10, textColor=GREY)
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, 13 * mm, MARGIN + width, 13 * mm)
    if left:
        _one_line(Paragraph(rich_text(left), style), width * 0.7).drawOn(canvas, MARGIN, 8.5 * mm)
    right_style = ParagraphStyle("footer_right", parent=style, alignment=TA_RIGHT)
    _one_line(Paragraph(rich_text(right), right_style), width * 0.3).drawOn(canvas, MARGIN + width * 0.7, 8.5 * mm)
    canvas.restoreState()


def _one_line(paragraph: Paragraph, width: float) -> Paragraph:
    """Shrink the type until the paragraph fits on one line (down to 5 pt)."""
    style = paragraph.style
    while True:
        paragraph.wrap(width, 100)
        if len(paragraph.blPara.lines) <= 1 or style.fontSize <= 5:
            return paragraph
        style = ParagraphStyle("fit", parent=style, fontSize=style.fontSize - 0.5, leading=style.leading - 0.6)
        paragraph = Paragraph(paragraph.text, style)


def styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=BODY_FONT, fontSize=10.5, leading=14.5, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=GREY)
    cell = ParagraphStyle("cell", fontName=BODY_FONT, fontSize=9.5, leading=12.5)
    return {
        "body": body,
        "small": small,
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "letterhead": ParagraphStyle(
            "letterhead", parent=body, fontName=BOLD_FONT, fontSize=15, leading=19, spaceAfter=1
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD_FONT, fontSize=15, leading=19, spaceBefore=2, spaceAfter=6
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=11.5,
            leading=15,
            spaceBefore=7,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=5 * mm, firstLineIndent=-3.5 * mm, spaceAfter=2),
        "cell": cell,
        "cell_head": ParagraphStyle("cell_head", parent=cell, fontName=BOLD_FONT),
        "blank": ParagraphStyle("blank", parent=cell, textColor=_BLANK_INK, backColor=_BLANK_FILL, borderPadding=2),
        "draft": ParagraphStyle(
            "draft",
            parent=body,
            fontName=BOLD_FONT,
            fontSize=11,
            leading=15,
            textColor=colors.white,
            backColor=colors.Color(0.7, 0.1, 0.1),
            borderPadding=4,
            alignment=TA_CENTER,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "watermark": ParagraphStyle(
            "watermark", fontName=BOLD_FONT, fontSize=90, leading=100, textColor=_WATERMARK, alignment=TA_CENTER
        ),
    }


def bullets(items: list[str], style: ParagraphStyle) -> list[Any]:
    return [para("\u2022 " + item, style) for item in items]


def finish(pdf: bytes, *, password: str | None = None, metadata: dict[str, str] | None = None) -> bytes:
    """The PDF with `metadata` added and, with a password, encrypted: AES-256 (PDF 2.0 standard security handler,
    revision 6) through pypdf; as it is when neither is asked for. Encrypted, its metadata is read with the
    password only.

    reportlab 5.1's own StandardEncryption offers RC4 with 40 or 128 bits, and strength=256 only when the
    unmaintained pure-Python `pyaes` package is installed, as the deprecated revision 5 of Adobe's extension
    level 3 (one salted SHA-256 per password guess, so cheap to brute-force; ISO 32000-2 replaced it with R6).
    """
    if password is None and not metadata:
        return pdf
    from pypdf import PdfReader, PdfWriter  # only an encrypted or stamped export needs it

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    if metadata:
        writer.add_metadata(metadata)
    if password is not None:
        writer.encrypt(password, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def letters_summary(written: int, total: int) -> str:
    """The audit summary of a run of letters (counts only): how many, and of how many when it was stopped."""
    return f"{written} letters" if written == total else f"{written} of {total} letters (stopped)"
