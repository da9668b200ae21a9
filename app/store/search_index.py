"""The customer search index: kept in step by the services, in the same transaction as each change.

Two contentless FTS5 tables hold tokens, not copies of the text, so the index stays about the size of the
data it covers (a trigram index over every field would be 3.4x):
- `contact_search` (unicode61, prefix indexes): names, organisations, emails, tags, notes, folded here first
  (`document_text`) the same way as what is typed (`match_expression`): accents and case (Γιώργος as γιωργοσ,
  Straße as strasse), Arabic hamza and alef forms, ى ة, harakat and tatweel. CJK text is indexed one character
  a token, so a one-character surname (王) is an index lookup, not a scan. Thai, written without spaces between
  words, is indexed one cluster (a letter and its vowel and tone marks) a token and searched as a phrase, so
  ใจดี is found inside สมชายใจดี. Marks are token characters (`categories`), so a Thai or Hindi word stays whole.
- `contact_phone_search` (trigram): phone digits only, for "any fragment of digits" (3 or more).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import groupby

from app.store.database import Connection, bulk_cache

_CJK_RANGES = r"\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK = re.compile(f"([{_CJK_RANGES}])")
_THAI, _THAI_MARKS = r"\u0e01-\u0e7f", r"\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"  # Thai; its vowel and tone marks
_THAI_CLUSTER = re.compile(f"[{_THAI}][{_THAI_MARKS}]*")  # a letter and its marks
_SPACED = re.compile(f"([{_CJK_RANGES}{_THAI}][{_THAI_MARKS}]*)")  # each its own token in the index
_SEGMENT = re.compile(f"([{_CJK_RANGES}])|([{_THAI}]+)")  # in a query: a CJK character, a run of Thai
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PHONE_FRAGMENT = 3
_NOT_DIGIT = re.compile(r"\D")


def _fold_character(char: str) -> str:
    """One character compatibility-decomposed (NFKD), without its combining marks, case folded (ß as ss)."""
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()


# Spellings of one Arabic letter that people type interchangeably. The hamza forms (أ إ آ ؤ ئ) and harakat need
# no entry: NFKD spells them as a letter and combining marks, which folding drops.
_LETTER_VARIANTS = str.maketrans(
    {
        "\u0671": "\u0627",  # ٱ alef wasla: ا
        "\u0649": "\u064a",  # ى alef maksura: ي
        "\u0629": "\u0647",  # ة teh marbuta: ه
        "\u0640": None,
    }
)  # ـ tatweel (a stretch of the line, not a letter)


def _search_character(char: str) -> str:
    """A character as the search index holds it: folded, one spelling per Arabic letter; a Hangul syllable
    whole (NFKD would spell it in jamo, and it is one CJK token); variation selectors (emoji style) dropped."""
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3:
        return char
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return ""
    return _fold_character(char).translate(_LETTER_VARIANTS)


class _FoldTable(dict[int, str]):
    """A `str.translate` table from code point to folded text, each entry worked out the first time its character
    is seen (no start-up cost; a vault's text uses a few thousand characters). Folding is per character (NFKD is
    each character's decomposition, reordered only among the combining marks that are dropped; casefold is per
    character), so translating is the same as normalising the whole text, at half the cost."""

    LIMIT = 100_000  # a pathological text (every code point) folds correctly without growing the table forever

    def __init__(self, fold_character: Callable[[str], str]) -> None:
        super().__init__()
        self.fold_character = fold_character

    def __missing__(self, code: int) -> str:
        folded = self.fold_character(chr(code))
        if len(self) < self.LIMIT:
            self[code] = folded
        return folded


_FOLD = _FoldTable(_fold_character)
_SEARCH = _FoldTable(_search_character)


def fold(text: str) -> str:
    """A sort and match key: compatibility-normalised, accents removed, case folded."""
    if text.isascii():  # nothing to decompose or strip: most names, and the bulk paths call this per person
        return text.casefold().strip()
    return text.translate(_FOLD).strip()


def _indexed(text: str) -> str:
    """`text` as it goes into the index: folded for search, CJK characters and Thai clusters spaced apart. Plain
    ASCII goes as it is (the tokenizer lowercases it), which keeps the import of a million rows cheap."""
    if text.isascii():
        return text
    folded = text.translate(_SEARCH)
    # split() with the group keeps each piece, so joining spaces them apart (3x faster than sub() with a template)
    return " ".join(_SPACED.split(folded)) if _SPACED.search(folded) else folded


def document_text(parts: list[str]) -> str:
    return " ".join(_indexed(part) for part in parts if part)


def phone_digits(phones: list[str]) -> str:
    """The digits to search phones by: each number's E.164 form, or for one kept unchecked (no E.164 form) the
    digits as typed, so "(2) 2345 6789" is still found by 2345."""
    found = (p[1:] if p[:1] == "+" and p[1:].isdigit() else _NOT_DIGIT.sub("", p) for p in phones)
    return " ".join(digits for digits in found if digits)


def insert(conn: Connection, contact_id: int, text: str, digits: str) -> None:
    """Index a brand-new contact from what is being written (bulk paths: no re-reading)."""
    conn.execute("INSERT INTO contact_search(rowid, doc) VALUES (?, ?)", (contact_id, text))
    if digits:
        conn.execute("INSERT INTO contact_phone_search(rowid, digits) VALUES (?, ?)", (contact_id, digits))


def _document(conn: Connection, contact_id: int) -> tuple[str, str] | None:
    row = conn.execute(
        "SELECT display_name, given_name, family_name FROM contact WHERE id = ? AND deleted_at IS NULL", (contact_id,)
    ).fetchone()
    if row is None:
        return None
    parts = [str(v) for v in row]
    parts += [
        str(r[0])
        for r in conn.execute(
            "SELECT o.name FROM organisation o JOIN contact_organisation co ON co.organisation_id = o.id "
            "WHERE co.contact_id = ?",
            (contact_id,),
        )
    ]
    parts += [
        str(r[0])
        for r in conn.execute(
            "SELECT value FROM contact_point WHERE contact_id = ? AND kind IN ('email', 'address')", (contact_id,)
        )
    ]
    parts += [
        str(r[0])
        for r in conn.execute(
            "SELECT t.name FROM tag t JOIN contact_tag ct ON ct.tag_id = t.id WHERE ct.contact_id = ?", (contact_id,)
        )
    ]
    parts += [str(r[0]) for r in conn.execute("SELECT body FROM note WHERE contact_id = ?", (contact_id,))]
    digits = phone_digits(
        [
            str(r[0])
            for r in conn.execute(  # unchecked numbers: their typed digits
                "SELECT CASE normalized WHEN '' THEN value ELSE normalized END FROM contact_point "
                "WHERE contact_id = ? AND kind = 'phone'",
                (contact_id,),
            )
        ]
    )
    return document_text(parts), digits


def reindex(conn: Connection, contact_id: int) -> None:
    """Rewrite one contact's index rows (call inside the change's transaction)."""
    conn.execute("DELETE FROM contact_search WHERE rowid = ?", (contact_id,))
    conn.execute("DELETE FROM contact_phone_search WHERE rowid = ?", (contact_id,))
    document = _document(conn, contact_id)
    if document is None:
        return
    insert(conn, contact_id, *document)


REBUILD_BATCH = 5000
# Each person's other words, in `_document`'s order, for a range of ids.
_PARTS_BETWEEN = (
    "SELECT co.contact_id, o.name FROM contact_organisation co JOIN organisation o ON o.id = co.organisation_id "
    "WHERE co.contact_id BETWEEN ? AND ?",
    "SELECT contact_id, value FROM contact_point WHERE contact_id BETWEEN ? AND ? AND kind IN ('email', 'address')",
    "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
    "WHERE ct.contact_id BETWEEN ? AND ?",
    "SELECT contact_id, body FROM note WHERE contact_id BETWEEN ? AND ?",
)


def rebuild(conn: Connection) -> None:
    """Index everyone's text again from what is stored, a batch of people at a time (a migration calls this when
    the way text is indexed changes, so an old vault finds what a new one does). Phone digits are left alone.
    With SQLite's default cache the index's pages are evicted and written again within a batch: 4x slower."""
    with bulk_cache(conn):
        conn.execute("INSERT INTO contact_search(contact_search) VALUES ('delete-all')")
        last = 0
        while True:
            rows = conn.execute(
                "SELECT id, display_name, given_name, family_name FROM contact "
                "WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?",
                (last, REBUILD_BATCH),
            ).fetchall()
            if not rows:
                return
            parts = {int(row[0]): [str(row[1]), str(row[2]), str(row[3])] for row in rows}
            span = (int(rows[0][0]), int(rows[-1][0]))
            for sql in _PARTS_BETWEEN:
                for contact_id, value in conn.execute(sql, span):
                    found = parts.get(int(contact_id))  # None: someone in the bin, not indexed
                    if found is not None:
                        found.append(str(value))
            conn.executemany(
                "INSERT INTO contact_search(rowid, doc) VALUES (?, ?)",
                [(contact_id, document_text(texts)) for contact_id, texts in parts.items()],
            )
            last = span[1]


def match_expression(query: str) -> tuple[str | None, list[str]]:
    """Turn what a person typed into an FTS5 expression (every word must match, the last as a prefix)
    and the digit fragments to look for in phone numbers."""
    terms: list[tuple[str, bool]] = []  # (the text to quote, whether as the last term it is a prefix)
    for word in _words(query if query.isascii() else query.translate(_SEARCH)):
        start = 0
        for segment in _SEGMENT.finditer(word):
            if segment.start() > start:
                terms.append((word[start : segment.start()], True))
            if segment.group(1):  # one CJK character: a whole token, an index lookup
                terms.append((segment.group(1), False))
            else:  # Thai: its clusters as a phrase, found inside a longer run ("ใจดี" in "สมชายใจดี")
                terms.append((" ".join(_THAI_CLUSTER.findall(segment.group(2))), True))
            start = segment.end()
        if start < len(word):
            terms.append((word[start:], True))
    if not terms:
        return None, []
    expression = " AND ".join(
        '"' + text.replace('"', '""') + '"' + ("*" if prefix and index == len(terms) - 1 else "")
        for index, (text, prefix) in enumerate(terms)
    )
    digits = re.sub(r"\D", "", query)
    phone_fragments = [digits] if len(digits) >= MIN_PHONE_FRAGMENT and not re.search(r"[^\d\s()+\-./]", query) else []
    return expression, phone_fragments


def _is_word_character(char: str) -> bool:
    """A letter, digit or underscore (as \\w), or a mark: Thai vowels and Devanagari vowel signs stay in the word."""
    return char.isalnum() or char == "_" or unicodedata.category(char)[0] == "M"


def _words(text: str) -> list[str]:
    if text.isascii():
        return list(_WORD.findall(text))
    return ["".join(run) for is_word, run in groupby(text, _is_word_character) if is_word]
