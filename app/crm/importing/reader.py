"""Text to records: physical lines with their numbers, and CSV records with the line each one starts on.

Everything streams, and every read is bounded (line, record and cell sizes), so a hostile or broken file
costs at most a few megabytes before it is refused with the line to look at.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from app.errors import InvalidInput
from app.locale import _

MAX_LINE = 1_000_000  # characters in one physical line
MAX_RECORD = 2_000_000  # characters in one CSV record (a record may span lines through quoted newlines)
MAX_CELL = 100_000  # characters in one cell (below the csv module's own default limit, 131,072)
DELIMITERS = (",", ";", "\t", "|")


class NumberedLines:
    """Physical lines (endings kept), counting as it goes; `number` is the line last returned."""

    def __init__(self, stream: TextIO, max_line: int = MAX_LINE, max_record: int = MAX_RECORD) -> None:
        self.stream = stream
        self.max_line = max_line
        self.max_record = max_record
        self.number = 0
        self.record_start = 1
        self.record_chars = 0
        self._after_lone_cr = False

    def __iter__(self) -> NumberedLines:
        return self

    def __next__(self) -> str:
        line = self._read()
        if self._after_lone_cr and line in ("\r\n", "\n"):
            line = self._read()  # CR CR LF (iOS vCards, some Mac tools) is one line end, not two
        if not line:
            raise StopIteration
        self._after_lone_cr = line.endswith("\r")
        self.number += 1
        if len(line.rstrip("\r\n")) > self.max_line:
            raise InvalidInput(
                _("Line {line} is longer than {limit} characters; this does not look like a contact export.").format(
                    line=self.number, limit=f"{self.max_line:,}"
                )
            )
        if "\x00" in line:
            raise InvalidInput(_("Line {line} contains a NUL byte.").format(line=self.number))
        self.record_chars += len(line)
        if self.record_chars > self.max_record:
            raise InvalidInput(
                _(
                    "Line {line}: the record starting here is larger than {limit} characters; is a quote left open?"
                ).format(line=self.record_start, limit=f"{self.max_record:,}")
            )
        return line

    def _read(self) -> str:
        try:
            return self.stream.readline(self.max_line + 2)
        except UnicodeDecodeError:  # the file changed after its encoding was checked
            raise InvalidInput(
                _("Line {line} has bytes that cannot be decoded.").format(line=self.number + 1)
            ) from None

    def start_record(self) -> None:
        self.record_start = self.number + 1
        self.record_chars = 0


def sniff_delimiter(header_line: str) -> str:
    """The separator used in the header line: comma, or semicolon (Excel in much of Europe), tab, pipe."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Record:
    line: int  # the physical line the record starts on
    cells: list[str]


def csv_records(lines: NumberedLines) -> Iterator[Record]:
    """Non-blank CSV records with their starting line; the first one is the header."""
    first = next(lines, None)
    if first is None:
        return
    delimiter = sniff_delimiter(first)
    pushed_back = [first]

    def source() -> Iterator[str]:
        yield from pushed_back
        yield from lines

    reader = csv.reader(source(), delimiter=delimiter, strict=True)
    lines.record_start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_problem(str(exc), lines.record_start) from None
        if any(cell.strip() for cell in cells):
            yield Record(lines.record_start, cells)
        lines.start_record()


def _csv_problem(detail: str, line: int) -> InvalidInput:
    if "unexpected end of data" in detail:
        return InvalidInput(_("Line {line}: a quote opens a cell that is never closed.").format(line=line))
    if "field larger than field limit" in detail:
        return InvalidInput(
            _("Line {line}: a cell is larger than {limit} characters.").format(line=line, limit=f"{MAX_CELL:,}")
        )
    return InvalidInput(_("Line {line} is not valid CSV; check the quotes on that line.").format(line=line))


def check_cells(record: Record, headers: list[str]) -> None:
    """Refuse an oversized cell, naming its line and column (by number when the header is no plain name)."""
    for index, cell in enumerate(record.cells):
        if len(cell) > MAX_CELL:
            named = index < len(headers) and 0 < len(headers[index]) <= 60
            column = headers[index] if named else str(index + 1)
            raise InvalidInput(
                _('Line {line}: the cell in column "{column}" is larger than {limit} characters.').format(
                    line=record.line, column=column, limit=f"{MAX_CELL:,}"
                )
            )
