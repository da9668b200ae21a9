"""Everything held about one person, gathered once for the subject-access PDF and the portability ZIP.

Plain data (no Qt, no reportlab) so both documents show exactly the same facts, and a test can check the
gathering without reading a PDF.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.access.shop import read_profile
from app.consent.jurisdiction import birth_date
from app.consent.ledger import ConsentService, lawful_basis_label
from app.consent.restriction import is_restricted
from app.crm.activities import ActivityService
from app.crm.contacts import ContactService
from app.crm.deals import DealService
from app.crm.importing.layouts import BY_KEY
from app.crm.importing.purchases import purchases_of
from app.locale.i18n import translator
from app.store.database import Connection


@dataclass(frozen=True)
class PurposeInfo:
    key: str
    name: str  # in the person's language
    lawful_basis: str  # readable, in the person's language
    state: str  # "granted on …" etc. (in the app's language: reasons are computed text)
    granted: bool


@dataclass(frozen=True)
class ConsentRecord:
    at: str
    purpose: str
    action: str
    method: str
    notice_version: int | None
    notice_language: str | None
    notice_sha256: str | None
    source: str
    has_evidence: bool


@dataclass(frozen=True)
class NoticeText:
    id: int
    language: str
    version: int
    title: str
    body: str
    sha256: str


@dataclass(frozen=True)
class RetentionInfo:
    category: str
    period_days: int
    action: str


@dataclass
class SubjectData:
    """The facts, plus what GDPR Art. 15 requires the answer to say."""

    contact_id: int
    generated_at: str
    language: str
    shop_name: str
    name: str
    given_name: str
    family_name: str
    preferred_language: str | None
    created_at: str
    updated_at: str
    contact_points: list[dict[str, Any]] = field(default_factory=list)
    organisations: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    deals: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    purposes: list[PurposeInfo] = field(default_factory=list)
    consent_history: list[ConsentRecord] = field(default_factory=list)
    notices: list[NoticeText] = field(default_factory=list)  # every notice version the person agreed under
    privacy_flags: dict[str, bool] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    retention: list[RetentionInfo] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # The customer numbers other tools gave them (Shopify's Customer ID, Mailchimp's EUID), kept by an import so
    # the next export matches them: {"source": key, "name": the tool's name, "id": the number}.
    source_ids: list[dict[str, str]] = field(default_factory=list)
    shop_address: str = ""  # the letterhead: who holds the data and where to write to them
    shop_contact: str = ""
    birth_date: str = ""  # ISO, where known (an import, or typed for a child's consent)
    # The shop's totals an import kept (#16): total_spent (decimal text), order_count, currency, source, updated_at
    purchases: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _tool_name(kind: str) -> str:
    """The product's own name for a source key ("shopify" -> "Shopify"); a key no layout knows, as it is."""
    layout = BY_KEY.get(kind)
    return layout.label if layout is not None else kind


def gather(session: Any, contact_id: int, language: str) -> SubjectData:
    """Collect the person's data through the services (each checks its permission; the record read is audited)."""
    _ = translator(language)
    conn: Connection = session.conn
    record = ContactService(session).get(contact_id)
    consent = ConsentService(session)
    shop = read_profile(conn)
    data = SubjectData(
        contact_id=record.id,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        language=language,
        shop_name=shop.name,
        shop_address=shop.address,
        shop_contact=shop.privacy_contact,
        name=record.display_name,
        given_name=record.given_name,
        family_name=record.family_name,
        preferred_language=record.language,
        created_at=record.created_at,
        updated_at=record.updated_at,
        contact_points=[
            {"kind": p.kind, "label": p.label, "value": p.value, "primary": p.is_primary} for p in record.points
        ],
        organisations=[{"name": name, "job_title": title} for _id, name, title in record.organisations],
        tags=list(record.tags),
        notes=[{"created_at": at, "text": body} for _id, at, body in record.notes],
        source_ids=[
            {"source": str(r[0]), "name": _tool_name(str(r[0])), "id": str(r[1])}
            for r in conn.execute(
                "SELECT source_kind, source_id FROM contact_source WHERE contact_id = ? ORDER BY source_kind, "
                "source_id",
                (contact_id,),
            )
        ],
    )
    born = birth_date(conn, contact_id)
    data.birth_date = born.isoformat() if born else ""
    bought = purchases_of(conn, contact_id)
    if bought is not None:
        data.purchases = {
            "total_spent": None if bought.total_spent is None else str(bought.total_spent),
            "order_count": bought.order_count,
            "currency": bought.currency,
            "source": bought.source,
            "updated_at": bought.updated_at,
        }
    for deal in DealService(session).for_contact(contact_id):
        data.deals.append(
            {
                "id": deal.id,
                "title": deal.title,
                "status": deal.status,
                "value_minor": deal.value_minor,
                "currency": deal.currency,
                "expected_close": deal.expected_close,
                "lost_reason": deal.lost_reason,
            }
        )
    for activity in ActivityService(session).for_contact(contact_id):
        data.activities.append(
            {"kind": activity.kind, "subject": activity.subject, "due_at": activity.due_at, "done_at": activity.done_at}
        )
    for state in consent.states(contact_id):
        data.purposes.append(
            PurposeInfo(
                state.purpose.key,
                _(state.purpose.name),
                lawful_basis_label(state.purpose.lawful_basis, _),
                state.reason,
                state.granted,
            )
        )
    notice_ids: set[int] = set()
    for event in consent.history(contact_id):
        notice = consent.notice(event.notice_id) if event.notice_id else None
        if notice is not None:
            notice_ids.add(notice.id)
        data.consent_history.append(
            ConsentRecord(
                event.at,
                event.purpose_key,
                event.action,
                event.method,
                notice.version if notice else None,
                notice.language if notice else None,
                event.notice_sha256,
                event.source,
                event.evidence_id is not None,
            )
        )
        if event.method == "import" and event.source:
            data.sources.append(event.source)
    data.notices = [
        NoticeText(n.id, n.language, n.version, n.title, n.body, n.sha256)
        for n in (consent.notice(i) for i in sorted(notice_ids))
    ]
    data.privacy_flags = {flag: consent.flag(contact_id, flag) for flag in ("opt_out_sale_sharing", "limit_sensitive")}

    data.privacy_flags["processing_restricted"] = is_restricted(conn, contact_id)  # GDPR Art. 18
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'subject_request'").fetchone():
        data.requests = [
            {"id": r[0], "type": r[1], "received_at": r[2], "status": r[3], "completed_at": r[4]}
            for r in conn.execute(
                "SELECT id, type, received_at, status, completed_at FROM "
                "subject_request WHERE contact_id = ? ORDER BY id",
                (contact_id,),
            )
        ]
    data.retention = [
        RetentionInfo(str(r[0]), int(r[1]), str(r[2]))
        for r in conn.execute(
            "SELECT category, period_days, action FROM retention_policy WHERE active = 1 ORDER BY category"
        )
    ]
    data.sources = sorted(set(data.sources)) or [_("Given by you, at the shop or when you contacted us.")]
    return data
