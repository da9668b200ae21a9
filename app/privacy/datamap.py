"""The data map (minimisation, GDPR Art. 5(1)(c) and 30; seed 002): every field a customer record has, why it
is kept, under which retention category, and how many people have it filled.

The map is a registry in code: the purposes are the app's own, and a new column is a new version of the app.
It is checked against the live schema: every column of a table about a person (`contact`, and every table whose
foreign keys lead to it) must be named by some field here. A column no field names is listed as a field of its
own, flagged "no purpose" (Privacy › Data overview, `counterpart-admin datamap`), and tests/app/test_datamap.py fails
until it is given one.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.access.roles import Permission
from app.access.session import Session
from app.locale import N_, _
from app.privacy.retention import CATEGORY_LABELS, RetentionService
from app.store.database import Connection


@dataclass(frozen=True)
class Field:
    key: str
    name: str  # an N_() message id
    purpose: str  # an N_() message id; "" would be a field kept with no purpose (flagged)
    retention: str  # a key of app.privacy.retention.CATEGORY_LABELS
    columns: str  # "table: column column; table: column …", every column this field is stored in
    people_sql: str  # how many people have it filled (one number)

    def column_names(self) -> list[str]:
        """The columns as "table.column"."""
        names = []
        for part in self.columns.split(";"):
            table, _sep, columns = part.partition(":")
            names += [f"{table.strip()}.{column}" for column in columns.split()]
        return names


_POINT_COLUMNS = "contact_point: id contact_id kind label value normalized is_primary created_at"


def _points(kind: str) -> str:
    return f"SELECT count(DISTINCT contact_id) FROM contact_point WHERE kind = '{kind}'"


def _people_in(table: str) -> str:
    return f"SELECT count(DISTINCT contact_id) FROM {table}"


def _contacts_where(condition: str) -> str:
    return f"SELECT count(*) FROM contact WHERE anonymised_at IS NULL AND {condition}"


FIELDS: tuple[Field, ...] = (
    Field(
        "name",
        N_("Name"),
        N_("Addressing and recognising the customer"),
        "customer",
        "contact: given_name family_name display_name sort_key",
        _contacts_where("display_name <> ''"),
    ),
    Field(
        "language",
        N_("Preferred language"),
        N_("Writing to the customer in their own language"),
        "customer",
        "contact: language",
        _contacts_where("coalesce(language, '') <> ''"),
    ),
    Field(
        "birth_date",
        N_("Birth date"),
        N_("Knowing whether a parent must give consent for a child"),
        "customer",
        "contact: birth_date",
        _contacts_where("coalesce(birth_date, '') <> ''"),
    ),
    Field(
        "owner",
        N_("Member of staff looking after them"),
        N_("Knowing who in the shop looks after the customer"),
        "customer",
        "contact: owner_user_id",
        _contacts_where("owner_user_id IS NOT NULL"),
    ),
    Field(
        "record",
        N_("Customer number and record dates"),
        N_("Telling records apart and knowing their age, for the retention sweep and the bin"),
        "customer",
        "contact: id created_at updated_at deleted_at anonymised_at",
        _contacts_where("1"),
    ),
    Field(
        "email",
        N_("Email addresses"),
        N_("Answering the customer; with consent, email marketing"),
        "customer",
        _POINT_COLUMNS,
        _points("email"),
    ),
    Field(
        "phone",
        N_("Phone numbers"),
        N_("Calling the customer back; with consent, calls and text messages"),
        "customer",
        _POINT_COLUMNS,
        _points("phone"),
    ),
    Field(
        "address",
        N_("Postal addresses"),
        N_("Delivering orders and, where allowed, postal mail"),
        "customer",
        _POINT_COLUMNS,
        _points("address"),
    ),
    Field(
        "organisation",
        N_("Organisation and job title"),
        N_("Knowing whom a business customer works for"),
        "customer",
        "contact_organisation: contact_id organisation_id job_title",
        _people_in("contact_organisation"),
    ),
    Field(
        "tags",
        N_("Tags"),
        N_("Grouping customers the shop's own way"),
        "customer",
        "contact_tag: contact_id tag_id",
        _people_in("contact_tag"),
    ),
    Field(
        "notes",
        N_("Notes"),
        N_("What staff need to remember to serve the customer"),
        "customer",
        "note: id contact_id deal_id body author_user_id created_at; "
        "note_sensitive_kept: note_id contact_id kinds reason user_id at",
        _people_in("note"),
    ),
    Field(
        "deals",
        N_("Deals"),
        N_("Selling to the customer: offers, orders and how they ended"),
        "customer",
        "deal: id title contact_id organisation_id pipeline_id stage_id value_minor currency expected_close "
        "owner_user_id status lost_reason created_at closed_at; deal_stage_history: id deal_id stage_id user_id at",
        _people_in("deal"),
    ),
    Field(
        "activities",
        N_("Calls, meetings and tasks"),
        N_("Following up with the customer"),
        "customer",
        "activity: id kind subject contact_id deal_id due_at done_at owner_user_id created_at",
        _people_in("activity"),
    ),
    Field(
        "consent",
        N_("Consent given and withdrawn, with its evidence"),
        N_("Proving consent (GDPR Art. 7(1)) and honouring a withdrawal"),
        "consent_evidence",
        "consent_event: id contact_id purpose_key action method notice_id notice_sha256 source evidence_id "
        "captured_by_user_id at guardian_name guardian_relation; "
        "consent_evidence: id contact_id kind media_type data sha256 created_at",
        _people_in("consent_event"),
    ),
    Field(
        "privacy_choices",
        N_("Privacy choices (do not sell or share, limit sensitive data)"),
        N_("Honouring the customer's opt-outs (CCPA/CPRA)"),
        "consent_evidence",
        "privacy_flag_event: id contact_id flag value method captured_by_user_id at",
        _people_in("privacy_flag_event"),
    ),
    Field(
        "source_ids",
        N_("Ids given by other tools"),
        N_("Recognising the same person at the next import from the same tool"),
        "customer",
        "contact_source: source_kind source_id contact_id",
        _people_in("contact_source"),
    ),
    Field(
        "purchases",
        N_("Total spent and number of orders (from a shop's export)"),
        N_("Knowing a customer's purchases in the shop, as its own system counts them"),
        "customer",
        "contact_purchases: contact_id total_spent order_count currency source updated_at",
        _people_in("contact_purchases"),
    ),
    Field(
        "requests",
        N_("Privacy requests"),
        N_("Answering privacy requests on time, and proving it"),
        "closed_request",
        "subject_request: id contact_id requester type jurisdiction channel received_at due_at extended "
        "extension_reason identity_method identity_verified_by identity_verified_at status response "
        "refusal_reason completed_at files created_by recipients",
        _people_in("subject_request"),
    ),
    Field(
        "restriction",
        N_("Restrictions of processing"),
        N_("Honouring a restriction of processing (GDPR Art. 18)"),
        "customer",
        "restriction: id contact_id reason request_id set_by_user_id set_at lifted_by_user_id lifted_at lift_reason",
        _people_in("restriction"),
    ),
    Field(
        "legal_holds",
        N_("Legal holds"),
        N_("Keeping records that a legal claim or an authority needs"),
        "customer",
        "legal_hold: id contact_id deal_id reason until created_by_user_id created_at released_at",
        _people_in("legal_hold"),
    ),
    Field(
        "notice_tasks",
        N_("Privacy notice letters owed"),
        N_("Telling people who came from a file what the shop keeps about them (GDPR Art. 14)"),
        "customer",
        "notice_task: id contact_id source created_at due_at done_at done_by_user_id method notice_id",
        _people_in("notice_task"),
    ),
    Field(
        "breaches",
        N_("Data breaches that affected them"),
        N_("Telling the people a breach affected (GDPR Art. 34)"),
        "audit",
        "breach_person: breach_id contact_id",
        _people_in("breach_person"),
    ),
)


@dataclass(frozen=True)
class DataMapRow:
    key: str  # a Field's key, or "unlisted:<table>" for columns no field names
    name: str  # translated
    purpose: str  # translated; "" when kept with no purpose
    retention: str  # a retention category key; "" when none
    period_days: int | None  # the retention policy of that category, if one is active
    action: str | None  # "delete" or "anonymise"
    people: int | None  # how many people have it filled; None when it cannot be told
    columns: tuple[str, ...]

    @property
    def no_purpose(self) -> bool:
        return not self.purpose

    def retention_label(self) -> str:
        return _(CATEGORY_LABELS[self.retention]) if self.retention in CATEGORY_LABELS else ""

    def retention_text(self) -> str:
        """The retention category and, when a policy is active for it, its period and what then happens."""
        if not self.retention:
            return ""
        if self.period_days is None:
            return self.retention_label()
        then = _("then anonymised") if self.action == "anonymise" else _("then deleted")
        return _("{category}: {days} days, {then}").format(
            category=self.retention_label(), days=self.period_days, then=then
        )


def person_tables(conn: Connection) -> list[str]:
    """`contact` and every table whose foreign keys lead to it, directly or through another such table."""
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        )
    ]
    targets = {
        table: {str(r[0]) for r in conn.execute('SELECT "table" FROM pragma_foreign_key_list(?)', (table,))}
        for table in tables
    }
    found = {"contact"}
    grew = True
    while grew:
        grew = False
        for table in tables:
            if table not in found and targets[table] & found:
                found.add(table)
                grew = True
    return sorted(found)


def person_columns(conn: Connection) -> list[str]:
    """Every column of every person table, as "table.column", from the live schema."""
    return [
        f"{table}.{row[0]}"
        for table in person_tables(conn)
        for row in conn.execute("SELECT name FROM pragma_table_info(?)", (table,))
    ]


def unlisted_columns(conn: Connection) -> list[str]:
    """Columns about a person that no field of the map names: kept with no purpose."""
    listed = {name for field in FIELDS for name in field.column_names()}
    return [name for name in person_columns(conn) if name not in listed]


def _unlisted_people(conn: Connection, table: str, columns: list[str]) -> int | None:
    """How many people have any of these columns filled; None for a table that does not name the person."""
    person = "id" if table == "contact" else "contact_id"
    if not any(row[0] == person for row in conn.execute("SELECT name FROM pragma_table_info(?)", (table,))):
        return None
    filled = " OR ".join(f"coalesce(\"{column}\", '') <> ''" for column in columns)
    return int(conn.execute(f'SELECT count(DISTINCT "{person}") FROM "{table}" WHERE {filled}').fetchone()[0])


class DataMapService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def rows(self) -> list[DataMapRow]:
        """Each field with its purpose, retention and how many people have it; then the unlisted columns, a
        row for each table, flagged. Counts over the whole vault: run it off the UI thread."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        conn = self.session.conn
        policies = {p.category: p for p in RetentionService(self.session).policies() if p.active}
        rows = []
        for field in FIELDS:
            policy = policies.get(field.retention)
            rows.append(
                DataMapRow(
                    field.key,
                    _(field.name),
                    _(field.purpose) if field.purpose else "",
                    field.retention,
                    policy.period_days if policy else None,
                    policy.action if policy else None,
                    int(conn.execute(field.people_sql).fetchone()[0]),
                    tuple(field.column_names()),
                )
            )
        by_table: dict[str, list[str]] = {}
        for name in unlisted_columns(conn):
            table, _dot, column = name.partition(".")
            by_table.setdefault(table, []).append(column)
        for table, columns in by_table.items():
            rows.append(
                DataMapRow(
                    f"unlisted:{table}",
                    _("{table}: {columns}").format(table=table, columns=", ".join(columns)),
                    "",
                    "",
                    None,
                    None,
                    _unlisted_people(conn, table, columns),
                    tuple(f"{table}.{column}" for column in columns),
                )
            )
        return rows

    def people(self) -> int:
        """Everyone the counts are out of (not anonymised)."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return int(self.session.conn.execute("SELECT count(*) FROM contact WHERE anonymised_at IS NULL").fetchone()[0])
