"""What every Counterpart PDF shares: rendering in memory with embedded fonts, and text in any script."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle

from app import APP_NAME, __version__
from app.documents.fonts import BODY_FONT, register_fonts, rich_text

MARGIN = 18 * mm


def render(story: list[Any], *, title: str, on_page: Any = None) -> bytes:
    """The PDF in memory, so nothing reaches the disk until it is complete (callers write it atomically)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author=APP_NAME, creator=f"{APP_NAME} {__version__}",
                            initialFontName=BODY_FONT)  # else reportlab references Helvetica, which is not embedded
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
