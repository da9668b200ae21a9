"""A record that names a customer already in the vault: what it would change, and applying that.

The file fills what the customer's record leaves empty and adds what is new (an email or phone of a kind or
label they do not have yet, tags, a note not already there), but never silently replaces a value they have: a
different name, organisation, job title, a different phone or address under the same label (a phone that
changed), or emails sharing none with theirs, is a conflict, reported by line and kept as the customer has it,
unless the person importing chose the file's value for it (then it replaces theirs, in its place).

A different birthday is a conflict like a name. The total spent and the order count are the shop's own running
totals, not something the person told: a newer export's simply replace them (`totals`, `replace_totals`), and the
audit says so.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from app.access.roles import Permission
from app.consent.jurisdiction import set_birth_date
from app.crm import contact_points
from app.crm.contact_points import normalise_address, normalise_email, normalise_phone
from app.crm.contacts import ContactInput, ContactPointInput, ContactService, _display_name, now
from app.crm.importing.model import FieldChange
from app.errors import InvalidInput
from app.store import search_index
from app.store.database import Connection

_POINTS = ("email", "phone", "address")


@dataclass
class _Stored:
    given: str
    family: str
    display: str
    language: str | None
    points: list[tuple[str, str, str, str]]  # kind, label, value, normalized; in the order they were added
    organisations: list[tuple[str, str]]  # name, job title
    tags: list[str]
    notes: list[str]
    birth_date: str = ""


def _stored(conn: Connection, contact_id: int) -> _Stored:
    row = conn.execute(
        "SELECT given_name, family_name, display_name, language, coalesce(birth_date, '') FROM contact WHERE id = ?",
        (contact_id,),
    ).fetchone()
    points = [
        (str(r[0]), str(r[1]), str(r[2]), str(r[3]))
        for r in conn.execute(
            "SELECT kind, label, value, normalized FROM contact_point WHERE contact_id = ? ORDER BY id", (contact_id,)
        )
    ]
    organisations = [
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT o.name, co.job_title FROM contact_organisation co JOIN organisation o ON o.id = co.organisation_id "
            "WHERE co.contact_id = ? ORDER BY co.organisation_id",
            (contact_id,),
        )
    ]
    tags = [
        str(r[0])
        for r in conn.execute(
            "SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = ?", (contact_id,)
        )
    ]
    notes = [str(r[0]) for r in conn.execute("SELECT body FROM note WHERE contact_id = ?", (contact_id,))]
    return _Stored(str(row[0]), str(row[1]), str(row[2]), row[3], points, organisations, tags, notes, str(row[4]))


def _normalized(point: ContactPointInput, region: str | None) -> str:
    try:
        if point.kind == "email":
            return normalise_email(point.value)
        if point.kind == "phone":
            return normalise_phone(point.value, point.country or region)
        return normalise_address(point.value)
    except InvalidInput:
        return contact_points.UNCHECKED


def _same(a: str, b: str) -> bool:
    return search_index.fold(a) == search_index.fold(b)


def plan(conn: Connection, contact_id: int, incoming: ContactInput, region: str | None) -> list[FieldChange]:
    """What importing `incoming` would change for the customer: fills, additions and conflicts, in field order."""
    stored = _stored(conn, contact_id)
    changes: list[FieldChange] = []
    for name, old, new in (
        ("given_name", stored.given, incoming.given_name),
        ("family_name", stored.family, incoming.family_name),
    ):
        if new and not old:
            changes.append(FieldChange(name, "fill", "", new))
        elif new and not _same(old, new):
            changes.append(FieldChange(name, "conflict", old, new))
    made_up = incoming.display_name.strip() in {point.value.strip() for point in incoming.points}
    if (
        incoming.display_name
        and not (incoming.given_name or incoming.family_name)
        and not made_up
        and not _same(stored.display, incoming.display_name)
    ):  # a row with no name is named by its email
        changes.append(FieldChange("name", "conflict", stored.display, incoming.display_name))
    known = {
        (kind, normalized if normalized != contact_points.UNCHECKED else value.strip())
        for kind, _label, value, normalized in stored.points
    }
    keys = []
    for point in incoming.points:
        normalized = _normalized(point, region)
        keys.append((point.kind, normalized if normalized != contact_points.UNCHECKED else point.value.strip()))
    emails = [value for kind, _label, value, _n in stored.points if kind == "email"]
    # The file's emails share none with the customer's: a different address, not one more (whatever its label).
    other_email = bool(emails) and not any(key in known for key in keys if key[0] == "email")
    for point, key in zip(incoming.points, keys, strict=True):
        if key in known:
            continue
        known.add(key)
        same_label = [
            value
            for kind, label, value, _n in stored.points
            if kind == point.kind and label.casefold() == point.label.strip().casefold()
        ]
        if point.kind == "email" and other_email:
            same_label = same_label or emails
        if same_label:
            changes.append(FieldChange(point.kind, "conflict", same_label[0], point.value.strip()))
        else:
            having = any(kind == point.kind for kind, *_rest in stored.points)
            changes.append(FieldChange(point.kind, "add" if having else "fill", "", point.value.strip()))
    for name, title in incoming.organisation_links():
        existing = next((o for o in stored.organisations if _same(o[0], name)), None)
        if existing is None and not stored.organisations:
            changes.append(FieldChange("organisation", "fill", "", name))
            if title:
                changes.append(FieldChange("job_title", "fill", "", title))
        elif existing is None:
            changes.append(FieldChange("organisation", "conflict", stored.organisations[0][0], name))
        elif title and not existing[1]:
            changes.append(FieldChange("job_title", "fill", "", title))
        elif title and not _same(existing[1], title):
            changes.append(FieldChange("job_title", "conflict", existing[1], title))
    tags = {search_index.fold(t) for t in stored.tags}
    for tag in incoming.tags:
        if search_index.fold(tag) not in tags:
            tags.add(search_index.fold(tag))
            changes.append(FieldChange("tag", "add", "", tag))
    note = incoming.note.strip()
    if note and note not in (n.strip() for n in stored.notes):
        changes.append(FieldChange("note", "add", "", note))
    born = incoming.birth_date.isoformat() if incoming.birth_date else ""
    if born and not stored.birth_date:
        changes.append(FieldChange("birth_date", "fill", "", born))
    elif born and born != stored.birth_date:
        changes.append(FieldChange("birth_date", "conflict", stored.birth_date, born))
    return changes


def totals(conn: Connection, contact_id: int, incoming: ContactInput) -> list[FieldChange]:
    """The shop's totals the file gives that differ from the customer's ("fill", or "replace"): kept apart
    from `plan`, since they never conflict and never count as a change to the person's record."""
    row = conn.execute(
        "SELECT coalesce(total_spent, ''), coalesce(order_count, '') FROM contact_purchases WHERE contact_id = ?",
        (contact_id,),
    ).fetchone()
    spent, orders = (str(row[0]), str(row[1])) if row else ("", "")
    changes: list[FieldChange] = []
    for name, old, new in (
        ("total_spent", spent, "" if incoming.total_spent is None else str(incoming.total_spent)),
        ("order_count", orders, "" if incoming.order_count is None else str(incoming.order_count)),
    ):
        if new and new != old:
            changes.append(FieldChange(name, "replace" if old else "fill", old, new))
    return changes


def replace_totals(
    service: ContactService, contact_id: int, changes: list[FieldChange], source: str, currency: str | None
) -> bool:
    """Write the totals `totals` found (the newer export's replace the older) in the shop's `currency`, audited
    with where from."""
    fields = {c.field: c for c in changes}
    if not fields:
        return False
    service.session.require(Permission.EDIT_CUSTOMERS)
    with service.session.change() as conn:
        conn.execute(
            "INSERT INTO contact_purchases(contact_id, total_spent, order_count, currency, source, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(contact_id) DO UPDATE SET "
            "total_spent = coalesce(excluded.total_spent, total_spent), "
            "order_count = coalesce(excluded.order_count, order_count), "
            "currency = coalesce(excluded.currency, currency), source = excluded.source, "
            "updated_at = excluded.updated_at",
            (
                contact_id,
                fields["total_spent"].new if "total_spent" in fields else None,
                int(fields["order_count"].new) if "order_count" in fields else None,
                currency,
                source,
                now(),
            ),
        )
        said = ", ".join(f"{name} {'replaced' if c.action == 'replace' else 'set'}" for name, c in fields.items())
        service.session.audit("contact.update", "contact", contact_id, f"{said} from {source}")
    return True


def apply(
    service: ContactService,
    contact_id: int,
    incoming: ContactInput,
    changes: list[FieldChange],
    take: Collection[FieldChange] = (),
) -> bool:
    """Write the fills and additions of `changes`, and of its conflicts only those in `take` (the person importing
    chose the file's value for them), through ContactService.update, audited there. Returns whether anything
    changed."""
    wanted = [c for c in changes if c.action != "conflict" or c in take]
    born = next((c.new for c in wanted if c.field == "birth_date"), "")
    if born:  # audited there as the birthday changed
        set_birth_date(service.session, contact_id, date.fromisoformat(born))
    wanted = [c for c in wanted if c.field != "birth_date"]
    if not wanted:
        return bool(born)
    stored = _stored(service.conn, contact_id)
    fields = {c.field: c.new for c in wanted}
    from_file = {(p.kind, p.value.strip()): p for p in incoming.points}
    # A conflicting email, phone or address taken from the file replaces the customer's, in its place.
    replaced = {(c.field, c.old): c.new for c in wanted if c.action == "conflict" and c.field in _POINTS}
    points = [
        from_file.get((kind, replaced[(kind, value)]), ContactPointInput(kind, replaced[(kind, value)], label))
        if (kind, value) in replaced
        else ContactPointInput(kind, value, label)
        for kind, label, value, _n in stored.points
    ]
    added = {(c.field, c.new) for c in wanted if c.action != "conflict" and c.field in _POINTS}
    points += [p for p in incoming.points if (p.kind, p.value.strip()) in added]
    organisations = list(stored.organisations)
    theirs = [name for name, _title in incoming.organisation_links()] or [incoming.organisation]
    if "organisation" in fields and organisations:  # a conflict taken: the file's organisation instead of theirs
        title = next((t for n, t in incoming.organisation_links() if _same(n, fields["organisation"])), "")
        organisations[0] = (fields["organisation"], fields.get("job_title", title))
    elif "organisation" in fields:
        organisations.append((fields["organisation"], fields.get("job_title", "")))
    elif "job_title" in fields:
        organisations = [
            (
                name,
                fields["job_title"]
                if any(_same(name, n) for n in theirs)
                and (not title or ("job_title", title) in {(c.field, c.old) for c in wanted})
                else title,
            )
            for name, title in organisations
        ]
    tags = stored.tags + [c.new for c in wanted if c.field == "tag"]
    given, family = fields.get("given_name", stored.given), fields.get("family_name", stored.family)
    display = stored.display
    if "name" in fields:
        display = fields["name"]
    elif (given, family) != (stored.given, stored.family) and display == _display_name(stored.given, stored.family):
        display = ""  # named after their given and family name: follows the names taken from the file
    merged = ContactInput(
        given_name=given,
        family_name=family,
        display_name=display,
        points=points,
        tags=tags,
        language=stored.language,
        note=fields.get("note", ""),
        organisations=organisations,
    )
    service.update(contact_id, merged)
    return True
