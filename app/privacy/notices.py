"""Privacy notices that say what the law requires, composed from the vault itself, and the Art. 14 tasks.

A notice is the shipped text (resources/notices) followed by what the records say: who the shop is and how to
reach it (its privacy contact, DPO, EU/UK representative), the purposes and their bases, the retention policies,
the recipients and transfers in the record of processing, the rights the shop's law gives (GDPR Art. 13, the
CCPA notice at collection, PIPL Art. 17), and then the owner's own words. Nobody types it, so it cannot drift:
when any of those change, the composed text changes, and `current_or_new` publishes it as a new version
(ConsentService.publish_notice), so every consent keeps pointing to the exact words the person saw.

People an import adds were never shown a notice (GDPR Art. 14: within a month, at the latest at first contact).
The import cannot make their task itself (crm sits below privacy), so whoever runs an import calls
`create_tasks` with the ids it reports, right after it; each task is done by letter, email or in person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.access.roles import PAGE_ROWS, Permission
from app.access.session import Session
from app.access.settings import SettingsService
from app.access.shop import read_profile
from app.consent.jurisdiction import PIPL_BASES, law_of
from app.consent.ledger import ConsentService, Notice, lawful_basis_label
from app.errors import InvalidInput
from app.locale import _
from app.locale.i18n import SUPPORTED_LANGUAGES, supported, translator
from app.privacy.retention import CATEGORY_LABELS, RetentionService
from app.resources import resource_path
from app.store import settings
from app.store.seeds import notice_hash

METHODS = ("letter", "email", "in_person")
TASK_DAYS = 30  # Art. 14(3)(a): at the latest within one month of obtaining the data
EXTRA_LIMIT = 4000
Translate = Callable[[str], str]

# The kinds of data the vault holds (the record of processing's words, so they are translated already).
DATA_CATEGORIES = (
    "Identity (names)",
    "Contact details (email, phone, address)",
    "Purchases and quotes (deals)",
    "Appointments and follow-ups (activities)",
    "Notes written by staff",
    "Consent records and signatures",
)


@dataclass(frozen=True)
class NoticeTask:
    id: int
    contact_id: int
    name: str
    language: str  # the person's, for their letter ("" when unknown)
    source: str  # the file they came from
    created_at: str
    due_at: str
    done_at: str | None
    method: str | None
    done_by: str | None


def method_label(method: str) -> str:
    return {"letter": _("by letter"), "email": _("by email"), "in_person": _("in person")}[method]


def notice_language(language: str | None) -> str:
    """A language a notice is written in: a shipped one, else English."""
    return supported(language) or "en"


def shipped_text(language: str) -> tuple[str, str]:
    """The title and opening text Counterpart ships in `language` (English where it ships none)."""
    for candidate in (language, language.split("_")[0], "en"):
        path = resource_path("notices", f"{candidate}.md")
        if path.is_file():
            title, _sep, body = path.read_text("utf-8").partition("\n")
            return title.lstrip("# ").strip(), body.strip()
    return "", ""


def _names(text: str) -> list[str]:
    """Recipients as the record of processing lists them: one a line or between semicolons."""
    return [part.strip() for part in re.split(r"[\n;]+", text) if part.strip()]


def _basis(basis: str, law: str, _: Translate) -> str:
    """The basis in words: GDPR's article where GDPR applies; PIPL has no legitimate interests (consent instead)."""
    if law in ("gdpr", "uk_gdpr", ""):
        return lawful_basis_label(basis, _)
    if law == "pipl" and basis not in PIPL_BASES:
        basis = "consent"
    return {
        "consent": _("your consent"),
        "contract": _("our contract with you"),
        "legal_obligation": _("a legal obligation"),
        "vital_interests": _("protecting someone's life or health"),
        "public_task": _("a task in the public interest"),
        "legitimate_interests": _("our legitimate business interests"),
    }[basis]


def _responsible(name: str, address: str, _: Translate) -> str:
    """Who the controller is (GDPR Art. 13(1)(a)). Without the shop's name (Privacy › Health asks for it) the
    sentence still reads as one: "This shop is responsible…", never a lower-case "the shop is…"."""
    where = ", ".join(line.strip() for line in address.splitlines() if line.strip())
    if name and where:
        return _("{shop}, {address}, is responsible for your personal data.").format(shop=name, address=where)
    if name:
        return _("{shop} is responsible for your personal data.").format(shop=name)
    if where:
        return _("This shop, at {address}, is responsible for your personal data.").format(address=where)
    return _("This shop is responsible for your personal data.")


def compose(session: Session, language: str) -> tuple[str, str]:
    """The notice in `language` as the records have it now: (title, body), paragraphs between blank lines."""
    session.require(Permission.VIEW_CUSTOMERS)
    language = notice_language(language)
    _ = translator(language)
    conn = session.conn
    profile = read_profile(conn)
    law = law_of(profile.country)
    title, opening = shipped_text(language)
    contact = profile.privacy_contact or _("the shop")
    parts = [opening, _("Who is responsible for your data"), _responsible(profile.name, profile.address, _)]
    if profile.privacy_contact:
        parts.append(_("Questions about your data: {contact}").format(contact=profile.privacy_contact))
    if profile.dpo:
        parts.append(_("Our data protection officer: {dpo}").format(dpo=profile.dpo))
    representative = settings.read(conn, settings.SHOP_REPRESENTATIVE)
    if representative:
        parts.append(_("Our representative in the EU or UK: {name}").format(name=representative))

    parts += [_("What we keep about you"), *["\u2022 " + _(category) for category in DATA_CATEGORIES]]
    purposes = ConsentService(session).purposes()
    parts.append(_("What we use it for, and on what basis"))
    for purpose in purposes:
        line = f"\u2022 {_(purpose.name)}: {_basis(purpose.lawful_basis, law, _)}"
        if purpose.lawful_basis == "consent" and purpose.expires_after_days:
            line += " (" + _("asked again after {days} days").format(days=purpose.expires_after_days) + ")"
        parts.append(line)

    parts.append(_("How long we keep it"))
    policies = [p for p in RetentionService(session).policies() if p.active]
    parts += [
        f"\u2022 {_(CATEGORY_LABELS[p.category])}: "
        + (_("deleted after {days} days") if p.action == "delete" else _("anonymised after {days} days")).format(
            days=p.period_days
        )
        for p in policies
    ] or [
        _("We have set no automatic time limit; we delete your data when you ask us to or when we no longer need it.")
    ]

    parts.append(_("Who receives it"))
    recipients = ["\u2022 " + name for name in _names(settings.read(conn, settings.ROPA_RECIPIENTS))]
    per_purpose = settings.read_family(conn, settings.ROPA_PURPOSE_RECIPIENTS)
    recipients += [f"\u2022 {name} ({_(p.name)})" for p in purposes for name in _names(per_purpose.get(p.key, ""))]
    parts += recipients or [_("We do not pass your data to anyone else.")]
    transfers = settings.read(conn, settings.ROPA_TRANSFERS).strip()
    parts += [_("Transfers to other countries"), transfers or _("We do not transfer your data to other countries.")]

    parts += _law_section(
        law, contact, [p.key for p in purposes], any(p.sensitive for p in purposes), bool(transfers), _
    )
    extra = SettingsService(session).get(settings.NOTICE_EXTRA, suffix=language).strip()
    if extra:
        parts.append(extra)
    return title, "\n\n".join(part for part in parts if part)


def _law_section(
    law: str, contact: str, purposes: list[str], sensitive: bool, transfers: bool, _: Translate
) -> list[str]:
    """What the shop's law adds: GDPR Art. 13(2), the CCPA notice at collection, PIPL Art. 17."""
    if law in ("gdpr", "uk_gdpr"):
        return [
            _("Your rights"),
            _(
                "You may ask for a copy of your data (Art. 15), have it corrected (Art. 16) or deleted (Art. 17), have "
                "its use restricted (Art. 18), receive it in a portable form (Art. 20), and object to its use for "
                "direct "
                "marketing or where we rely on legitimate interests (Art. 21). Where you gave consent, you may "
                "withdraw "
                "it at any time. You may complain to a data protection supervisory authority."
            ),
        ]
    if law == "ccpa":
        lines = [
            _("Notice at collection (California)"),
            _(
                "We collect the categories of personal information listed above, for the purposes listed above, and "
                "keep "
                "each for the time stated."
            ),
        ]
        lines.append(
            _(
                "We may sell or share personal information. You may opt out of the sale or sharing of your "
                "personal information at any time: tell us at the counter or at {contact}."
            ).format(contact=contact)
            if "sale_sharing" in purposes
            else _("We do not sell or share your personal information.")
        )
        if sensitive:
            lines.append(
                _(
                    "You may limit the use of your sensitive personal information: tell us at the counter or "
                    "at {contact}."
                ).format(contact=contact)
            )
        lines.append(
            _(
                "You may ask to know, correct or delete the personal information we hold about you, and we "
                "will not treat you differently for using these rights."
            )
        )
        return lines
    if law == "pipl":
        lines = [
            _("Your rights under PIPL"),
            _(
                "As the personal information handler we process your personal information only for the purposes and in "
                "the ways stated above. You may access, copy, correct or delete it, ask us to explain these rules, and "
                "withdraw your consent at any time (PIPL Articles 15 and 44 to 48)."
            ),
        ]
        if transfers:
            lines.append(
                _(
                    "Your personal information leaves the People's Republic of China only as stated above, "
                    "and only with your separate consent."
                )
            )
        return lines
    return []


def _latest(session: Session, language: str) -> Notice | None:
    found = ConsentService(session).notices(language)
    return found[0] if found else None


def is_current(session: Session, language: str) -> bool:
    """Whether the newest published notice in `language` is the one the records compose now."""
    language = notice_language(language)
    latest = _latest(session, language)
    return latest is not None and latest.sha256 == notice_hash(*(part.strip() for part in compose(session, language)))


def current_or_new(session: Session, language: str) -> Notice | None:
    """The notice to show in `language`: the newest published version when the records still compose it, else a
    new version published now, by whoever shows it (the text comes from the records the owner keeps; someone who
    may not capture consent sees the newest published version)."""
    language = notice_language(language)
    title, body = compose(session, language)
    latest = _latest(session, language)
    if latest is not None and latest.sha256 == notice_hash(title.strip(), body.strip()):
        return latest
    if session.can(Permission.CAPTURE_CONSENT):
        return ConsentService(session).publish_notice(language, title, body, composed=True)
    return latest or ConsentService(session).current_notice(language)


def extra_text(session: Session, language: str) -> str:
    return SettingsService(session).get(settings.NOTICE_EXTRA, suffix=notice_language(language))


def set_extra(session: Session, language: str, text: str) -> Notice | None:
    """The owner's own words at the end of the notice in `language`; publishes the new version at once. A refusal
    (anyone without manage policies) is audited by `require`."""
    session.require(Permission.MANAGE_POLICIES)
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidInput(
            _("{language} is not a language Counterpart speaks. Choose one of: {choices}.").format(
                language=language, choices=", ".join(SUPPORTED_LANGUAGES)
            )
        )
    text = text.strip()
    if len(text) > EXTRA_LIMIT:
        raise InvalidInput(_("The extra text may be at most {n} characters long.").format(n=EXTRA_LIMIT))
    SettingsService(session).set(
        settings.NOTICE_EXTRA,
        text,
        suffix=language,
        action="notice.extra",
        entity_id=language,
        summary=f"{len(text)} characters",
    )
    return current_or_new(session, language)


# --- Art. 14: people who came from a file -------------------------------------------------------------------


def create_tasks(session: Session, contact_ids: list[int], source: str, now: datetime | None = None) -> int:
    """A task to inform each person an import added (none for someone with an open task already); returns how
    many were made. Audited with the count and the file."""
    session.require(Permission.EDIT_CUSTOMERS)
    if not contact_ids:
        return 0
    moment = now or datetime.now(UTC)
    created = moment.isoformat(timespec="seconds")
    due = (moment + timedelta(days=TASK_DAYS)).isoformat(timespec="seconds")
    with session.change() as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO notice_task(contact_id, source, created_at, due_at) "
            "SELECT id, ?, ?, ? FROM contact WHERE id = ? AND deleted_at IS NULL",
            [(source.strip() or "import", created, due, contact_id) for contact_id in contact_ids],
        )
        made = conn.total_changes - before
        if made:
            session.audit("notice_task.create", "notice_task", None, f"{made} from {source.strip()}")
    return int(made)


_TASK_COLUMNS = (
    "SELECT t.id, t.contact_id, c.display_name, coalesce(c.language, ''), t.source, t.created_at, "
    "t.due_at, t.done_at, t.method, u.name FROM notice_task t JOIN contact c ON c.id = t.contact_id "
    "LEFT JOIN user u ON u.id = t.done_by_user_id WHERE c.deleted_at IS NULL "
)


def tasks(session: Session, *, open_only: bool = True, limit: int = PAGE_ROWS) -> list[NoticeTask]:
    """The Art. 14 tasks, the oldest due first (open ones only unless asked); more than a page at once needs the
    bulk export permission, as any list of people does."""
    session.require(Permission.VIEW_CUSTOMERS)
    session.require_rows(limit)
    where = "AND t.done_at IS NULL " if open_only else ""
    return [
        NoticeTask(*row)
        for row in session.conn.execute(
            _TASK_COLUMNS + where + "ORDER BY t.done_at IS NOT NULL, t.due_at, t.id LIMIT ?", (limit,)
        )
    ]


def open_count(session: Session) -> int:
    session.require(Permission.VIEW_CUSTOMERS)
    return int(
        session.conn.execute(
            "SELECT count(*) FROM notice_task t JOIN contact c ON c.id = t.contact_id "
            "WHERE t.done_at IS NULL AND c.deleted_at IS NULL"
        ).fetchone()[0]
    )


def open_task(session: Session, contact_id: int) -> NoticeTask:
    session.require(Permission.VIEW_CUSTOMERS)
    row = session.conn.execute(_TASK_COLUMNS + "AND t.contact_id = ? AND t.done_at IS NULL", (contact_id,)).fetchone()
    if row is None:
        raise InvalidInput(_("Customer {id} has no open notice task.").format(id=contact_id))
    return NoticeTask(*row)


def mark_done(session: Session, contact_id: int, method: str = "letter", now: datetime | None = None) -> None:
    """The person was told (by letter, email or in person); the notice version in their language is kept with
    the task. Audited."""
    session.require(Permission.CAPTURE_CONSENT)
    if method not in METHODS:
        raise InvalidInput(_("The method is one of: letter, email, in_person."))
    task = open_task(session, contact_id)
    notice = ConsentService(session).current_notice(
        notice_language(task.language or read_profile(session.conn).language)
    )
    with session.change() as conn:
        conn.execute(
            "UPDATE notice_task SET done_at = ?, done_by_user_id = ?, method = ?, notice_id = ? WHERE id = ?",
            (
                (now or datetime.now(UTC)).isoformat(timespec="seconds"),
                session.user.id,
                method,
                notice.id if notice else None,
                task.id,
            ),
        )
        session.audit(
            "notice_task.done",
            "contact",
            contact_id,
            f"{method}" + (f", notice {notice.language} v{notice.version}" if notice else ""),
        )
