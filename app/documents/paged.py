"""A page and table engine for long documents (the Art. 15 export): headings that feed the table of contents and
the PDF outline, a document that counts its pages, and Rows, a table that splits across pages by arithmetic.

Tables are Rows, not reportlab's Table: a cell whose text fits on one line is drawn as font runs straight into
one text object per page, and only text that wraps becomes a Paragraph (with a font for every script).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from app import APP_NAME, __version__
from app.documents.fonts import BODY_FONT, rich_text
from app.documents.pdf import GREY, MARGIN, RULE

TINT = colors.Color(0.93, 0.93, 0.93)
CELL_SIZE, CELL_LEADING, CELL_PAD = 8.5, 11.0, 3.0
CELL_TOP, CELL_BOTTOM = 2.5, 3.0
TALL_ROW = 300.0  # a row taller than this splits across pages instead of moving to the next one whole
KEEP_ROWS = 8  # tables this short (and lower than TALL_ROW) are never split


class Heading(Paragraph):  # type: ignore[misc]
    """A section heading: listed in the table of contents and the PDF outline, and a link target."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(rich_text(text, "bold"), style)
        self.plain, self.level, self.key = text, level, key


class PagedDocument(BaseDocTemplate):  # type: ignore[misc]
    def __init__(
        self,
        buffer: io.BytesIO,
        *,
        title: str,
        subject: str,
        language: str,
        total_pages: int | None,
        decorate: Callable[[Any, PagedDocument], None],
    ) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            subject=subject,
            author=APP_NAME,
            creator=f"{APP_NAME} {__version__}",
            lang=language.replace("_", "-"),
            initialFontName=BODY_FONT,
        )  # else reportlab references Helvetica, which is not embedded
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
        self.total_pages = total_pages
        self.pages = 0
        self.entries: list[tuple[int, str, int, str]] = []

    def afterPage(self) -> None:
        self.pages = self.page

    def afterFlowable(self, flowable: Any) -> None:
        if isinstance(flowable, Heading):
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(flowable.plain, flowable.key, level=flowable.level, closed=flowable.level > 0)
            entry = (
                flowable.level,
                rich_text(flowable.plain, "bold" if flowable.level == 0 else "body"),
                self.page,
                flowable.key,
            )
            self.entries.append(entry)
            self.notify("TOCEntry", entry)


class Draft:
    """Set while a counting pass runs: layout happens, the costly drawing of tables and page furniture does not."""

    on = False


@dataclass(frozen=True)
class Line:
    """A table cell that fits on one line: (font, text) runs already in drawing order, and its width."""

    runs: tuple[tuple[str, str], ...]
    width: float


_RUN = re.compile(r'<font name="([^"]+)">([^<]*)</font>|([^<]+)')


def runs_of(markup: str, base: str) -> list[tuple[str, str]] | None:
    """rich_text() markup as (font, text) runs, or None when it holds anything else (a line break): the caller
    then uses a Paragraph, so a change in rich_text's markup costs speed, never correctness."""
    runs, done = [], 0
    for match in _RUN.finditer(markup):
        if match.start() != done:
            return None
        done = match.end()
        runs.append((match[1], unescape(match[2])) if match[1] else (base, unescape(match[3])))
    return runs if done == len(markup) else None


class Rows(Flowable):  # type: ignore[misc]
    """A table for long lists (1,000 activities): rows are measured once, split across pages by arithmetic with
    the header row repeated, and one-line cells are drawn in a single text object per page. reportlab's Table
    re-measures every remaining row at each page break and draws each cell with its own text object, which is
    several times slower. Cells are Line (one line, any script) or Paragraph (wraps; a row taller than
    TALL_ROW splits inside its paragraphs instead of failing the export)."""

    def __init__(
        self,
        head: list[Any] | None,
        rows: list[list[Any]],
        widths: list[float],
        right: frozenset[int],
        draft: Draft,
        heights: list[float] | None = None,
        head_height: float | None = None,
    ) -> None:
        super().__init__()
        self.head, self.rows, self.widths, self.right, self.draft = head, rows, widths, right, draft
        self._heights, self._head_height = heights, head_height
        self.spaceBefore, self.spaceAfter = 2, 5
        self._font = BODY_FONT  # the font the text object is set to while drawing

    def _row_height(self, row: list[Any]) -> float:
        height = CELL_LEADING
        for cell, width in zip(row, self.widths, strict=True):
            if isinstance(cell, Paragraph):
                height = max(height, cell.wrap(width - 2 * CELL_PAD, 1e9)[1])
        return height + CELL_TOP + CELL_BOTTOM

    def _measure(self) -> tuple[list[float], float]:
        if self._heights is None or self._head_height is None:
            self._heights = [self._row_height(row) for row in self.rows]
            self._head_height = self._row_height(self.head) if self.head else 0.0
        return self._heights, self._head_height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        heights, head = self._measure()
        self.width, self.height = sum(self.widths), head + sum(heights)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Any]:
        heights, head = self._measure()
        room, used, fit = available_height - head, 0.0, 0
        for height in heights:
            if used + height > room + 1e-6:
                break
            used += height
            fit += 1
        if fit == len(self.rows):
            return [self]
        if heights[fit] > TALL_ROW and room - used > 3 * CELL_LEADING:
            return self._split_row(fit, room - used)  # a row taller than a page could never move on whole
        if fit == 0:
            return []
        if len(self.rows) <= KEEP_ROWS and self.height < TALL_ROW:
            return []  # a short table moves to the next page whole
        if fit == 1 and heights[0] + heights[1] < TALL_ROW:
            return []  # no lone first row at the foot of a page
        if len(self.rows) - fit == 1 and fit > 2:
            fit -= 1  # nor a lone last row at the top of the next
        return [self._part(self.rows[:fit], heights[:fit]), self._part(self.rows[fit:], heights[fit:])]

    def _part(self, rows: list[list[Any]], heights: list[float]) -> Rows:
        return Rows(self.head, rows, self.widths, self.right, self.draft, heights, self._head_height)

    def _split_row(self, index: int, room: float) -> list[Any]:
        """Row `index` cut inside its paragraphs: the rows before it and its top part here, the rest after."""
        heights, _head = self._measure()
        top: list[Any] = []
        rest: list[Any] = []
        for cell, width in zip(self.rows[index], self.widths, strict=True):
            if not isinstance(cell, Paragraph):
                top.append(cell)
                rest.append(Line((), 0.0))
                continue
            parts = cell.split(width - 2 * CELL_PAD, room - CELL_TOP - CELL_BOTTOM)
            top.append(parts[0] if len(parts) == 2 else cell if len(parts) == 1 else Line((), 0.0))
            rest.append(parts[1] if len(parts) == 2 else Line((), 0.0) if len(parts) == 1 else cell)
        if all(isinstance(cell, Line) for cell in top) and any(isinstance(cell, Paragraph) for cell in rest):
            # not even one line fits here: break before the row instead
            return (
                [self._part(self.rows[:index], heights[:index]), self._part(self.rows[index:], heights[index:])]
                if index
                else []
            )
        return [
            self._part([*self.rows[:index], top], [*heights[:index], self._row_height(top)]),
            self._part([rest, *self.rows[index + 1 :]], [self._row_height(rest), *heights[index + 1 :]]),
        ]

    def draw(self) -> None:
        if self.draft.on:
            return
        canvas = self.canv
        heights, head = self._measure()
        lefts = [sum(self.widths[:index]) for index in range(len(self.widths))]
        text = canvas.beginText()
        text.setFont(BODY_FONT, CELL_SIZE, CELL_LEADING)
        self._font = BODY_FONT
        rules = canvas.beginPath()
        top = self.height
        if self.head:
            canvas.setFillColor(TINT)
            canvas.rect(0, top - head, self.width, head, stroke=0, fill=1)
            self._draw_row(self.head, top, lefts, text)
            top -= head
        for row, height in zip(self.rows, heights, strict=True):
            self._draw_row(row, top, lefts, text)
            top -= height
            rules.moveTo(0, top)
            rules.lineTo(self.width, top)
        canvas.setFillColor(colors.black)
        canvas.drawText(text)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        canvas.drawPath(rules, stroke=1, fill=0)
        if self.head:
            canvas.setStrokeColor(GREY)
            canvas.setLineWidth(0.6)
            canvas.line(0, self.height - head, self.width, self.height - head)

    def _draw_row(self, row: list[Any], top: float, lefts: list[float], text: Any) -> None:
        for index, (cell, left) in enumerate(zip(row, lefts, strict=True)):
            if isinstance(cell, Paragraph):
                cell.drawOn(self.canv, left + CELL_PAD, top - CELL_TOP - cell.height)
            elif cell.runs:
                right = index in self.right
                x = left + self.widths[index] - CELL_PAD - cell.width if right else left + CELL_PAD
                text.setTextOrigin(x, top - CELL_TOP - CELL_SIZE)
                for font, run in cell.runs:
                    if font != self._font:
                        text.setFont(font, CELL_SIZE, CELL_LEADING)
                        self._font = font
                    text.textOut(run)


def one_line(text: str, style: ParagraphStyle, width: float) -> Paragraph:
    """A header or footer line: in smaller type if need be (down to 6.5 pt), then shortened with "…"."""
    size, shown = float(style.fontSize), text
    while True:
        paragraph = Paragraph(
            rich_text(shown), ParagraphStyle("line", parent=style, fontSize=size, leading=size * 1.25)
        )
        paragraph.wrap(width, 1000)
        if len(paragraph.blPara.lines) <= 1 or len(shown) <= 2:
            return paragraph
        if size > 6.5:
            size -= 0.5
        else:
            shown = text[: int(len(shown) * 0.9) - 1] + "\u2026"
