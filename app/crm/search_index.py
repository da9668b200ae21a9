"""The customer search index: kept in step by the services, in the same transaction as each change.

Two contentless FTS5 tables hold tokens, not copies of the text, so the index stays about the size of the
data it covers (a trigram index over every field would be 3.4x):
- `contact_search` (unicode61, diacritics folded, prefix indexes): names, organisations, emails, tags, notes.
  CJK text is indexed one character a token, so a one-character surname (王) is an index lookup, not a scan.
- `contact_phone_search` (trigram): phone digits only, for "any fragment of digits" (3 or more).
"""

from __future__ import annotations

import re
import unicodedata

from app.store.database import Connection

_CJK = re.compile(r"([\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PHONE_FRAGMENT = 3


def _space_cjk(text: str) -> str:
    return _CJK.sub(r" \1 ", text)


def fold(text: str) -> str:
    """A sort and match key: compatibility-normalised, accents removed, case folded."""
    if text.isascii():  # nothing to decompose or strip: most names, and the bulk paths call this per person
        return text.casefold().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def document_text(parts: list[str]) -> str:
    return _space_cjk(" ".join(part for part in parts if part))


def phone_digits(normalized_phones: list[str]) -> str:
    return " ".join(p.lstrip("+") for p in normalized_phones)


def insert(conn: Connection, contact_id: int, text: str, digits: str) -> None:
    """Index a brand-new contact from what is being written (bulk paths: no re-reading)."""
    conn.execute("INSERT INTO contact_search(rowid, doc) VALUES (?, ?)", (contact_id, text))
    if digits:
        conn.execute("INSERT INTO contact_phone_search(rowid, digits) VALUES (?, ?)", (contact_id, digits))


def _document(conn: Connection, contact_id: int) -> tuple[str, str] | None:
    row = conn.execute("SELECT display_name, given_name, family_name FROM contact WHERE id = ? AND deleted_at IS NULL",
                       (contact_id,)).fetchone()
    if row is None:
        return None
    parts = [str(v) for v in row]
    parts += [str(r[0]) for r in conn.execute(
        "SELECT o.name FROM organisation o JOIN contact_organisation co ON co.organisation_id = o.id "
        "WHERE co.contact_id = ?", (contact_id,))]
    parts += [str(r[0]) for r in conn.execute(
        "SELECT value FROM contact_point WHERE contact_id = ? AND kind IN ('email', 'address')", (contact_id,))]
    parts += [str(r[0]) for r in conn.execute(
        "SELECT t.name FROM tag t JOIN contact_tag ct ON ct.tag_id = t.id WHERE ct.contact_id = ?", (contact_id,))]
    parts += [str(r[0]) for r in conn.execute("SELECT body FROM note WHERE contact_id = ?", (contact_id,))]
    digits = phone_digits([str(r[0]) for r in conn.execute(
        "SELECT normalized FROM contact_point WHERE contact_id = ? AND kind = 'phone'", (contact_id,))])
    return document_text(parts), digits


def reindex(conn: Connection, contact_id: int) -> None:
    """Rewrite one contact's index rows (call inside the change's transaction)."""
    conn.execute("DELETE FROM contact_search WHERE rowid = ?", (contact_id,))
    conn.execute("DELETE FROM contact_phone_search WHERE rowid = ?", (contact_id,))
    document = _document(conn, contact_id)
    if document is None:
        return
    insert(conn, contact_id, *document)


def match_expression(query: str) -> tuple[str | None, list[str]]:
    """Turn what a person typed into an FTS5 expression (every word must match, the last as a prefix)
    and the digit fragments to look for in phone numbers."""
    words = _WORD.findall(_space_cjk(query))
    if not words:
        return None, []
    terms = []
    for index, word in enumerate(words):
        quoted = '"' + word.replace('"', '""') + '"'
        is_last = index == len(words) - 1
        terms.append(quoted + ("*" if is_last and not _CJK.fullmatch(word) else ""))
    digits = re.sub(r"\D", "", query)
    phone_fragments = [digits] if len(digits) >= MIN_PHONE_FRAGMENT and not re.search(r"[^\d\s()+\-./]", query) else []
    return " AND ".join(terms), phone_fragments
