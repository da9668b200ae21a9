"""Bytes to text: find a file's encoding and prove the whole file decodes before anything is imported.

Exports come as UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text" with a BOM, some tools without one),
or a legacy code page (Outlook and Excel on Windows write Windows-1252). A file that is mostly UTF-8 with a few
broken bytes is refused rather than guessed, because guessing would turn every accented name into mojibake.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from app.errors import InvalidInput
from app.fileio import open_regular
from app.locale import _

CHUNK = 1 << 20
SNIFF = 8192  # bytes looked at before decoding the whole file
LEGACY_SAMPLE = 64 * 1024
PREFERRED_LEGACY = "cp1252"

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SPREADSHEETS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip) and .xls (OLE2) signatures
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SINGLE_BYTE = re.compile(r"^(cp\d+|iso8859_\d+|latin_1|mac_\w+|kz1048|ptcp154|koi8_\w+|tis_620)$")


@dataclass(frozen=True)
class Encoding:
    codec: str
    bom: int = 0  # bytes to skip at the start

    def label(self) -> str:
        return self.codec + (" (BOM)" if self.bom else "")


def detect(path: Path, forced: str | None = None) -> Encoding:
    """The file's encoding, after checking that every byte of it decodes (else InvalidInput naming the line)."""
    with _open_binary(path) as handle:
        head = handle.read(4)
        if not head:
            raise InvalidInput(_("The file is empty."))
        if head in _SPREADSHEETS:
            raise InvalidInput(_("This is a spreadsheet workbook, not a CSV file; save it as CSV (UTF-8) first."))
        encoding = _from_bom(head)
        handle.seek(0)
        sniff = handle.read(SNIFF)
        # text has no NUL bytes (UTF-16 without a byte-order mark has half of them: _utf16_without_bom reads it)
        if not encoding.bom and not forced and sniff.count(0) * 2 > len(sniff):
            raise InvalidInput(
                _(
                    "{path} is not a text file: its first bytes are mostly NUL bytes. Choose the "
                    "exported CSV or vCard file."
                ).format(path=path)
            )
        if forced:
            encoding = Encoding(_codec_name(forced), encoding.bom if encoding.codec == _codec_name(forced) else 0)
        elif not encoding.bom:
            encoding = _utf16_without_bom(sniff) or _guess(handle)
        _verify(handle, encoding)
    return encoding


def open_text(path: Path, encoding: Encoding) -> io.TextIOWrapper:
    """A strict, streaming text reader that keeps line endings (csv needs them)."""
    handle = _open_binary(path)
    handle.seek(encoding.bom)
    return io.TextIOWrapper(handle, encoding=encoding.codec, errors="strict", newline="")


def _open_binary(path: Path) -> BinaryIO:
    return open_regular(
        path, _("{path} is not a text file: it is a device, a pipe or a folder. Choose the exported CSV or vCard file.")
    )


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidInput(_("{encoding} is not a known text encoding.").format(encoding=name)) from None


def _from_bom(head: bytes) -> Encoding:
    for mark, codec in _BOMS:
        if head.startswith(mark):
            return Encoding(codec, len(mark))
    return Encoding("utf-8")


def _utf16_without_bom(sniff: bytes) -> Encoding | None:
    """UTF-16 saved without a byte-order mark (some Windows tools do): a file's headings and most of its text
    are ASCII, each character a NUL byte and a letter, the NUL second in little-endian and first in big-endian.
    It was refused as "not a text export"; read in the right order it is the customers' names."""
    pairs = len(sniff) // 2
    if pairs < 8:
        return None
    first, second = sniff[0 : pairs * 2 : 2].count(0), sniff[1 : pairs * 2 : 2].count(0)
    if second > pairs * 0.4 and first < pairs * 0.05:
        return Encoding("utf-16-le")
    if first > pairs * 0.4 and second < pairs * 0.05:
        return Encoding("utf-16-be")
    return None


def _guess(handle: BinaryIO) -> Encoding:
    """UTF-8 if it decodes; a legacy code page if the file has no UTF-8 in it at all; otherwise refuse."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        while chunk := handle.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return Encoding("utf-8")
    except UnicodeDecodeError:
        pass
    sample, utf8_seen = _non_ascii_lines(handle)
    if utf8_seen:
        return Encoding("utf-8")  # mostly UTF-8 with broken bytes: _verify names the first bad line
    match = charset_normalizer.from_bytes(sample)
    best = match.best()
    if best is None:
        raise InvalidInput(
            _(
                "The file is not text in any encoding Counterpart knows; is it a spreadsheet (.xlsx) "
                "or another binary file? Save it as CSV."
            )
        )
    if _SINGLE_BYTE.match(best.encoding) and any(PREFERRED_LEGACY in m.could_be_from_charset for m in match):
        return Encoding(PREFERRED_LEGACY)  # Western shops' legacy exports are Windows-1252 far more often
    return Encoding(best.encoding)


def _non_ascii_lines(handle: BinaryIO) -> tuple[bytes, bool]:
    """The lines holding non-ASCII bytes (a sample for charset detection), and whether any is valid UTF-8."""
    handle.seek(0)
    sample, utf8_seen = bytearray(), False
    for line in handle:
        if max(line) < 0x80:
            continue
        utf8_seen = utf8_seen or bool(_UTF8_MULTIBYTE.search(line))
        if len(sample) < LEGACY_SAMPLE:
            sample += line
    return bytes(sample), utf8_seen


def _verify(handle: BinaryIO, encoding: Encoding) -> None:
    """Decode everything once, so a bad byte or a NUL is reported with its line before any row is read."""
    handle.seek(encoding.bom)
    decoder = codecs.getincrementaldecoder(encoding.codec)("strict")
    line, final = 1, False
    while not final:
        chunk = handle.read(CHUNK)
        final = not chunk
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            good = (pending + chunk)[: exc.start].decode(encoding.codec, "replace")
            raise InvalidInput(
                _("Line {line} has bytes that are not valid {encoding}; save the file again as UTF-8.").format(
                    line=line + good.count("\n"), encoding=encoding.codec
                )
            ) from None
        if "\x00" in text:
            at = line + text[: text.index("\x00")].count("\n")
            raise InvalidInput(
                _(
                    "Line {line} contains a NUL byte: this is not a text export (or it is UTF-16 "
                    "without a byte-order mark). Save it as CSV UTF-8."
                ).format(line=at)
            )
        line += text.count("\n")
