"""vCard files (2.1, 3.0, 4.0) in and out, with vobject doing the property grammar.

Reading: cards stream one at a time; a small pre-pass puts each property on one line first, because phones
write things vobject cannot read on its own: 2.1 quoted-printable soft line breaks, CR CR LF line ends, and
large base64 photos. Photos (and logos, sounds) are not kept: they are skipped in that pass, never held in
memory, and each card that had one says so. A local phone number is read in the country of the card's
address (ADR) when it has one. A detail that does not check out (a phone without a country code, an email that
is not one) is kept as typed, marked unchecked, and reported, as for a CSV row.

Writing: vCard 3.0, one card per customer, for a list of ids or a search; a bulk export (EXPORT_BULK),
audited with its count. Phones are written in E.164 so the file means the same number anywhere (one kept
unchecked, as typed). The first card carries the audit log's signed head (X-COUNTERPART-AUDIT-HEAD, #17), which
`verify --head-from` reads; an export of nobody has no card to carry it.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vobject  # type: ignore[import-untyped]

from app.access.roles import Permission
from app.access.session import Session
from app.consent.restriction import restricted_ids
from app.crm.contacts import ContactService
from app.crm.importing.countries import country_code
from app.crm.importing.model import Detail, Draft
from app.crm.importing.reader import NumberedLines
from app.errors import InvalidInput
from app.fileio import atomic_text
from app.keyset import pages
from app.locale import _
from app.store import audit
from app.store.database import Connection

MAX_LINE = 10_000_000  # characters in one physical line (an unfolded photo can be long; it is then dropped)
MAX_CARD = 20_000_000  # characters in one card, photos included
_BINARY = {"PHOTO", "LOGO", "SOUND"}
_PROPERTY = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)?(;[^:]*)?:")
_LISTS = {"N", "ADR", "CATEGORIES", "NICKNAME"}  # commas separate values only in these
_BARE_COMMA = re.compile(r"(?<!\\),")
_LABELS = (
    ("cell", "mobile"),
    ("iphone", "mobile"),
    ("mobile", "mobile"),
    ("fax", "fax"),
    ("pager", "pager"),
    ("home", "home"),
    ("work", "work"),
    ("main", "main"),
    ("other", "other"),
)


# --- reading -----------------------------------------------------------------------------------------------


def _name_of(text: str) -> str:
    head = text.split(":", 1)[0].split(";", 1)[0]
    return head.rsplit(".", 1)[-1].upper()


def _logical_lines(lines: NumberedLines) -> Iterator[tuple[int, str]]:
    """One property a line: unfold continuation lines (2.1 keeps the leading blank, later versions drop one
    character) and quoted-printable soft breaks; binary values are consumed and reduced to their name."""
    parts: list[str] = []
    start, binary, quoted_printable, v21 = 0, False, False, False
    for raw in lines:
        text = raw.rstrip("\r\n")
        if parts and text[:1] in (" ", "\t"):
            if not binary:
                parts.append(text if v21 else text[1:])
            continue
        if parts and binary and text.strip() and ":" not in text:
            continue  # 2.1 base64 written without indentation
        if parts and quoted_printable and parts[-1].endswith("="):
            parts[-1] = parts[-1][:-1]
            parts.append(text)
            continue
        if parts:
            yield start, _finish(parts, quoted_printable)
            parts = []
        if not text.strip():
            continue
        start, name = lines.number, _name_of(text)
        head = text.split(":", 1)[0].upper()
        binary, quoted_printable = name in _BINARY, "QUOTED-PRINTABLE" in head
        if name == "BEGIN":
            v21 = False
            lines.start_record()
        elif name == "VERSION":
            v21 = text.split(":", 1)[-1].strip() == "2.1"
        parts = [name + ":" if binary else text]
    if parts:
        yield start, _finish(parts, quoted_printable)


def _finish(parts: list[str], quoted_printable: bool) -> str:
    text = "".join(parts)
    if ":" not in text:
        return text
    if quoted_printable:
        text = _decode_quoted_printable(text)
    if _name_of(text) in _LISTS:
        return text
    head, value = text.split(":", 1)
    return head + ":" + _BARE_COMMA.sub(r"\\,", value)  # 2.1 and sloppy 3.0 writers: "Doe, John" is one name


@dataclass
class _Card:
    line: int
    properties: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, property name): photos, junk


def _cards(logical: Iterable[tuple[int, str]]) -> Iterator[_Card]:
    """Cards between BEGIN:VCARD and END:VCARD; a file that is not a sequence of cards is refused."""
    card: _Card | None = None
    nested, found = 0, False
    for line, text in logical:
        keyword = text.strip().upper()
        if keyword == "BEGIN:VCARD":
            if card is None:
                card, found = _Card(line), True
            else:
                nested += 1  # a 2.1 AGENT card inside this one: not a customer of its own
            continue
        if keyword == "END:VCARD":
            if card is None:
                raise InvalidInput(_("Line {line}: END:VCARD without a BEGIN:VCARD before it.").format(line=line))
            if nested:
                nested -= 1
                continue
            yield card
            card = None
            continue
        if card is None:
            raise InvalidInput(
                _("Line {line} is outside any card (BEGIN:VCARD … END:VCARD); is this a vCard file?").format(line=line)
            )
        if nested:
            continue
        name = _name_of(text)
        if name in _BINARY or not _PROPERTY.match(text):
            card.skipped.append((line, name if name in _BINARY else ""))
        else:
            card.properties.append((line, text))
    if card is not None:
        raise InvalidInput(_("Line {line}: the card that starts here has no END:VCARD.").format(line=card.line))
    if not found:
        raise InvalidInput(_("There is no vCard in this file (no BEGIN:VCARD)."))


def _text(value: Any) -> str:
    """A property value as one line of text (structured parts such as additional names can be lists)."""
    if isinstance(value, list | tuple):
        return " ".join(part for part in (_text(v) for v in value) if part)
    return str(value or "").strip()


def _decode_quoted_printable(text: str) -> str:
    """2.1 quoted-printable decoded here, leniently: a stray byte in one name must not lose the whole card."""
    head, value = text.split(":", 1)
    params = head.split(";")
    charset = next((p.split("=", 1)[1].strip('"') for p in params[1:] if p.upper().startswith("CHARSET=")), "utf-8")
    kept = [
        p
        for p in params
        if p.upper() not in ("ENCODING=QUOTED-PRINTABLE", "QUOTED-PRINTABLE") and not p.upper().startswith("CHARSET=")
    ]
    raw = quopri.decodestring(value.encode("utf-8"))
    try:
        decoded = raw.decode(charset, "replace")
    except LookupError:
        decoded = raw.decode("utf-8", "replace")
    decoded = decoded.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return ";".join(kept) + ":" + decoded


def _label(item: Any) -> str:
    types = [t.strip().lower() for param in item.params.get("TYPE", []) for t in str(param).split(",")]
    types += [str(s).lower() for s in item.singletonparams]
    return next((label for key, label in _LABELS if key in types), "")


def _draft(card: _Card, component: Any) -> Draft:
    draft = Draft(card.line)
    lines_of: dict[str, list[int]] = {}
    for line, text in card.properties:
        lines_of.setdefault(_name_of(text), []).append(line)

    def items(name: str) -> Iterator[tuple[int, Any]]:
        known = lines_of.get(name.upper(), [])
        for index, item in enumerate(component.contents.get(name, [])):
            yield (known[index] if index < len(known) else card.line), item

    for _line, item in items("fn"):
        draft.name = draft.name or _text(item.value)
    for _line, item in items("n"):
        draft.given = _text([item.value.given, item.value.additional])
        draft.family = _text(item.value.family)
        break
    for line, item in items("email"):
        draft.details.append(Detail("email", _text(item.value), _label(item), "EMAIL", line))
    for line, item in items("tel"):
        number = _text(item.value)
        number = number[4:] if number.lower().startswith("tel:") else number
        draft.details.append(Detail("phone", number, _label(item), "TEL", line))
    for line, item in items("adr"):
        address = item.value
        text = ", ".join(
            part
            for part in (
                _text(address.box),
                _text(address.extended),
                _text(address.street),
                _text(address.city),
                _text(address.region),
                _text(address.code),
                _text(address.country),
            )
            if part
        )
        if text:
            draft.details.append(Detail("address", ", ".join(text.splitlines()), _label(item), "ADR", line))
        code = country_code(_text(address.country))
        if code:
            draft.countries.append((_label(item), code))
    for _line, item in items("org"):
        values = item.value if isinstance(item.value, list) else [item.value]
        draft.organisation = draft.organisation or next((str(v).strip() for v in values if str(v).strip()), "")
    for _line, item in items("title"):
        draft.job_title = draft.job_title or _text(item.value)
    draft.notes = [str(item.value) for _line, item in items("note")]
    for _line, item in items("categories"):
        draft.tags += [str(tag) for tag in (item.value if isinstance(item.value, list) else [item.value])]
    for _line, item in items("bday"):  # "1990-07-14", "19900714"; "--0714" has no year and is reported
        draft.extras.setdefault("birth_date", (_text(item.value), "BDAY"))
    for line, name in card.skipped:
        reason = (
            _("{name} not imported (Counterpart does not keep pictures or sounds)").format(name=name)
            if name
            else _("not a vCard property; left out")
        )
        draft.warnings.append((line, reason))
    return draft


def read_drafts(lines: NumberedLines) -> Iterator[Draft]:
    """People from a vCard file, one Draft a card, each with the line its BEGIN:VCARD is on."""
    lines.max_record = MAX_CARD
    for card in _cards(_logical_lines(lines)):
        text = "\r\n".join(["BEGIN:VCARD", *(p for _line, p in card.properties), "END:VCARD", ""])
        try:
            component = vobject.readOne(text)
        except Exception:  # noqa: BLE001 - any failure of the parser on one card skips that card only
            yield Draft(card.line, problem=_("the card could not be read"))
            continue
        yield _draft(card, component)


# --- writing -----------------------------------------------------------------------------------------------

HEAD_PROPERTY = "x-counterpart-audit-head"  # the audit log's signed head (#17); other programs ignore X- names
_TEL_TYPES = {"mobile": "CELL", "home": "HOME", "work": "WORK", "fax": "FAX", "pager": "PAGER", "main": "MAIN"}


def _card_for(conn: Connection, contact_id: int) -> Any | None:
    row = conn.execute(
        "SELECT given_name, family_name, display_name FROM contact WHERE id = ? AND deleted_at IS NULL", (contact_id,)
    ).fetchone()
    if row is None:
        return None
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=str(row[1]), given=str(row[0]))
    card.add("fn").value = str(row[2])
    for kind, label, value, normalized in conn.execute(
        "SELECT kind, label, value, normalized FROM contact_point WHERE contact_id = ? "
        "ORDER BY kind, is_primary DESC, id",
        (contact_id,),
    ):
        if kind == "email":
            item = card.add("email")
            item.value = str(value)
            item.type_param = ["INTERNET", *([str(label).upper()] if label in ("home", "work") else [])]
        elif kind == "phone":
            item = card.add("tel")
            item.value = str(normalized or value)  # an unchecked number: as typed
            if label in _TEL_TYPES:
                item.type_param = _TEL_TYPES[str(label)]
        else:
            item = card.add("adr")
            item.value = vobject.vcard.Address(street=str(value))
            if label in ("home", "work"):
                item.type_param = str(label).upper()
    organisation = conn.execute(
        "SELECT o.name, co.job_title FROM organisation o JOIN contact_organisation co "
        "ON co.organisation_id = o.id WHERE co.contact_id = ? ORDER BY o.sort_key LIMIT 1",
        (contact_id,),
    ).fetchone()
    if organisation:
        card.add("org").value = [str(organisation[0])]
        if organisation[1]:
            card.add("title").value = str(organisation[1])
    tags = [
        str(r[0])
        for r in conn.execute(
            "SELECT t.name FROM tag t JOIN contact_tag ct ON ct.tag_id = t.id "
            "WHERE ct.contact_id = ? ORDER BY t.name_key",
            (contact_id,),
        )
    ]
    if tags:
        card.add("categories").value = tags
    notes = [str(r[0]) for r in conn.execute("SELECT body FROM note WHERE contact_id = ? ORDER BY id", (contact_id,))]
    if notes:
        card.add("note").value = "\n\n".join(notes)
    return card


def export_vcards(
    session: Session,
    out: Path,
    *,
    ids: Sequence[int] | None = None,
    query: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the chosen customers (ids, or those matching `query`, or everyone) as vCard 3.0; returns how many.
    `progress(cards)` every 1,000 cards; it may raise to stop, and then no file is left (written aside and moved
    into place at the end) and nothing is audited."""
    session.require(Permission.EXPORT_BULK)
    head = audit.export_head(session.conn, session.vault.signer)  # the log's end as the export starts
    contacts = ContactService(session)
    chosen: Iterable[int]
    if ids is not None:
        chosen = ids
    elif query.strip():
        chosen = [c.id for c in contacts.search(query, limit=1_000_000)]
    else:
        chosen = (
            c.id
            for c in pages(
                lambda after: contacts.page(after=after, limit=1000), lambda last: contacts.sort_position(last.id)
            )
        )

    restricted = restricted_ids(session.conn)  # restricted people (Art. 18) are stored, not exported
    count = 0
    with atomic_text(out) as handle:
        for contact_id in chosen:
            card = None if contact_id in restricted else _card_for(session.conn, contact_id)
            if card is not None:
                if count == 0 and head is not None:  # the first card carries it: vCard has no comments
                    card.add(HEAD_PROPERTY).value = audit.head_text(head)
                handle.write(card.serialize())
                count += 1
                if progress and count % 1000 == 0:
                    progress(count)
    which = " (chosen)" if ids is not None else " (filtered)" if query.strip() else ""
    session.record("contact.export", *audit.head_entity(head if count else None), summary=f"{count} vCards{which}")
    return count
