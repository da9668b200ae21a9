"""Numbered schema migrations, tracked in `PRAGMA user_version`, each applied in its own transaction.

Never edit a migration that has shipped: add the next one. An old vault always opens in a new version.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlcipher3

from app import __version__
from app.locale import N_, _
from app.resources import resource_path
from app.store import search_index
from app.store.database import Connection, VaultTooNew, transaction
from app.store.seeds import GDPR_RETENTION_V1, notice_hash

Step = str | Callable[[Connection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    steps: tuple[Step, ...]


def _owner_becomes_first_user(conn: Connection) -> None:
    """Schema 1 knew the owner only by name (in vault_meta); schema 2 gives every person with a slot a row."""
    row = conn.execute("SELECT value FROM vault_meta WHERE key = 'owner'").fetchone()
    created = conn.execute("SELECT value FROM vault_meta WHERE key = 'created_at'").fetchone()
    if row is not None:
        name = unicodedata.normalize("NFC", str(row[0])).strip()
        conn.execute(
            "INSERT INTO user(name, name_key, role, created_at) VALUES (?, ?, 'owner', ?)",
            (name, name.casefold(), str(created[0]) if created else ""),
        )


def _default_pipeline(conn: Connection) -> None:
    """A first pipeline to start from, named in the owner's language (it is the shop's data: editable)."""
    conn.execute("INSERT INTO pipeline(id, name, position) VALUES (1, ?, 0)", (_("Sales"),))
    stages = [(_("Lead"), 10), (_("Qualified"), 30), (_("Proposal"), 60), (_("Negotiation"), 80)]
    conn.executemany(
        "INSERT INTO stage(pipeline_id, name, position, probability) VALUES (1, ?, ?, ?)",
        [(name, position, probability) for position, (name, probability) in enumerate(stages)],
    )


def _default_purposes(conn: Connection) -> None:
    """The purposes every shop starts with (keys are fixed: the CLI and exports use them). Names are stored as
    English message ids and translated when shown, so each customer reads them in their own language."""
    purposes = [
        ("email_marketing", N_("Email marketing"), "consent", 730, 0),
        ("sms_marketing", N_("SMS marketing"), "consent", 730, 0),
        ("phone_calls", N_("Phone calls about offers"), "consent", 730, 0),
        ("postal_mail", N_("Postal mail"), "legitimate_interests", None, 0),
        ("profiling", N_("Personalised offers (profiling)"), "consent", 730, 0),
        ("sale_sharing", N_("Sharing with partners (sale or sharing)"), "consent", None, 1),
        ("sensitive_data", N_("Processing of sensitive personal information"), "consent", None, 1),
        ("cross_border", N_("Transfer outside the country"), "consent", None, 1),
    ]
    conn.executemany(
        "INSERT INTO purpose(key, name, lawful_basis, expires_after_days, separate_consent, position) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(*p, i) for i, p in enumerate(purposes)],
    )


def _default_notices(conn: Connection) -> None:
    """Version 1 of the notice in each language we ship (resources/notices); the owner publishes new versions."""
    for path in sorted(resource_path("notices").glob("*.md")):
        title, _sep, body = path.read_text("utf-8").partition("\n")
        title, body = title.lstrip("# ").strip(), body.strip()
        created = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(
            "INSERT INTO notice(language, version, title, body, sha256, created_at) VALUES (?, 1, ?, ?, ?, ?)",
            (path.stem, title, body, notice_hash(title, body), created),
        )


def _default_retention(conn: Connection) -> None:
    """Start every vault with the GDPR template; the owner can switch to CCPA or PIPL or edit each policy."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    conn.executemany(
        "INSERT INTO retention_policy(key, category, period_days, action, updated_at) VALUES (?, ?, ?, ?, ?)",
        [(category, category, days, action, stamp) for category, days, action in GDPR_RETENTION_V1],
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "vault metadata and settings",
        (
            """CREATE TABLE vault_meta (
               key TEXT PRIMARY KEY,
               value TEXT NOT NULL
           ) STRICT""",
            """CREATE TABLE setting (
               key TEXT PRIMARY KEY,
               value TEXT NOT NULL
           ) STRICT""",
        ),
    ),
    Migration(
        2,
        "staff users and the audit log",
        (
            """CREATE TABLE user (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               name_key TEXT NOT NULL UNIQUE,
               role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'staff', 'auditor')),
               active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
               must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
               created_at TEXT NOT NULL,
               removed_at TEXT
           ) STRICT""",
            """CREATE TABLE audit_event (
               id INTEGER PRIMARY KEY,
               at TEXT NOT NULL,
               user_id INTEGER,
               action TEXT NOT NULL,
               entity_type TEXT,
               entity_id TEXT,
               summary TEXT NOT NULL,
               prev_hash BLOB NOT NULL,
               hash BLOB NOT NULL
           ) STRICT""",
            "CREATE INDEX audit_event_at ON audit_event(at)",
            "CREATE INDEX audit_event_entity ON audit_event(entity_type, entity_id)",
            """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
            _owner_becomes_first_user,
        ),
    ),
    Migration(
        3,
        "customers, organisations, pipelines, deals, activities and the search index",
        (
            """CREATE TABLE contact (
               id INTEGER PRIMARY KEY,
               given_name TEXT NOT NULL DEFAULT '',
               family_name TEXT NOT NULL DEFAULT '',
               display_name TEXT NOT NULL,
               sort_key TEXT NOT NULL,
               language TEXT,
               owner_user_id INTEGER REFERENCES user(id),
               created_at TEXT NOT NULL,
               updated_at TEXT NOT NULL,
               deleted_at TEXT
           ) STRICT""",
            "CREATE INDEX contact_sort ON contact(sort_key, id) WHERE deleted_at IS NULL",
            """CREATE TABLE organisation (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               sort_key TEXT NOT NULL,
               created_at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX organisation_sort ON organisation(sort_key, id)",
            """CREATE TABLE contact_organisation (
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               organisation_id INTEGER NOT NULL REFERENCES organisation(id) ON DELETE CASCADE,
               job_title TEXT NOT NULL DEFAULT '',
               PRIMARY KEY (contact_id, organisation_id)
           ) STRICT, WITHOUT ROWID""",
            "CREATE INDEX contact_organisation_org ON contact_organisation(organisation_id)",
            """CREATE TABLE contact_point (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'address')),
               label TEXT NOT NULL DEFAULT '',
               value TEXT NOT NULL,
               normalized TEXT NOT NULL,
               is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
               created_at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX contact_point_contact ON contact_point(contact_id, kind)",
            "CREATE INDEX contact_point_normalized ON contact_point(kind, normalized)",
            """CREATE TABLE tag (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               name_key TEXT NOT NULL UNIQUE
           ) STRICT""",
            """CREATE TABLE contact_tag (
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               tag_id INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
               PRIMARY KEY (contact_id, tag_id)
           ) STRICT, WITHOUT ROWID""",
            "CREATE INDEX contact_tag_tag ON contact_tag(tag_id)",
            """CREATE TABLE note (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
               deal_id INTEGER REFERENCES deal(id) ON DELETE CASCADE,
               body TEXT NOT NULL,
               author_user_id INTEGER REFERENCES user(id),
               created_at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX note_contact ON note(contact_id)",
            """CREATE TABLE pipeline (
               id INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               position INTEGER NOT NULL DEFAULT 0
           ) STRICT""",
            """CREATE TABLE stage (
               id INTEGER PRIMARY KEY,
               pipeline_id INTEGER NOT NULL REFERENCES pipeline(id) ON DELETE CASCADE,
               name TEXT NOT NULL,
               position INTEGER NOT NULL,
               probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100)
           ) STRICT""",
            "CREATE INDEX stage_pipeline ON stage(pipeline_id, position)",
            """CREATE TABLE deal (
               id INTEGER PRIMARY KEY,
               title TEXT NOT NULL,
               contact_id INTEGER REFERENCES contact(id) ON DELETE SET NULL,
               organisation_id INTEGER REFERENCES organisation(id) ON DELETE SET NULL,
               pipeline_id INTEGER NOT NULL REFERENCES pipeline(id),
               stage_id INTEGER NOT NULL REFERENCES stage(id),
               value_minor INTEGER NOT NULL DEFAULT 0,
               currency TEXT NOT NULL,
               expected_close TEXT,
               owner_user_id INTEGER REFERENCES user(id),
               status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
               lost_reason TEXT,
               created_at TEXT NOT NULL,
               closed_at TEXT
           ) STRICT""",
            "CREATE INDEX deal_stage ON deal(pipeline_id, stage_id, status)",
            "CREATE INDEX deal_contact ON deal(contact_id)",
            """CREATE TABLE deal_stage_history (
               id INTEGER PRIMARY KEY,
               deal_id INTEGER NOT NULL REFERENCES deal(id) ON DELETE CASCADE,
               stage_id INTEGER NOT NULL REFERENCES stage(id),
               user_id INTEGER REFERENCES user(id),
               at TEXT NOT NULL
           ) STRICT""",
            """CREATE TABLE activity (
               id INTEGER PRIMARY KEY,
               kind TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'task')),
               subject TEXT NOT NULL,
               contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
               deal_id INTEGER REFERENCES deal(id) ON DELETE SET NULL,
               due_at TEXT,
               done_at TEXT,
               owner_user_id INTEGER REFERENCES user(id),
               created_at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX activity_due ON activity(done_at, due_at)",
            "CREATE INDEX activity_contact ON activity(contact_id)",
            # Contentless indexes: they hold tokens, not a second copy of the text (index ~ table size, not 3.4x).
            """CREATE VIRTUAL TABLE contact_search USING fts5(
               doc, content='', contentless_delete=1,
               tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')""",
            """CREATE VIRTUAL TABLE contact_phone_search USING fts5(
               digits, content='', contentless_delete=1, tokenize='trigram')""",
            _default_pipeline,
        ),
    ),
)

MIGRATIONS += (
    Migration(
        4,
        "consent: purposes, versioned notices, the consent ledger and its evidence",
        (
            """CREATE TABLE purpose (
               key TEXT PRIMARY KEY,
               name TEXT NOT NULL,
               lawful_basis TEXT NOT NULL CHECK (lawful_basis IN ('consent', 'contract', 'legal_obligation',
                   'vital_interests', 'public_task', 'legitimate_interests')),
               expires_after_days INTEGER CHECK (expires_after_days IS NULL OR expires_after_days > 0),
               separate_consent INTEGER NOT NULL DEFAULT 0 CHECK (separate_consent IN (0, 1)),
               position INTEGER NOT NULL,
               active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
           ) STRICT""",
            """CREATE TABLE notice (
               id INTEGER PRIMARY KEY,
               language TEXT NOT NULL,
               version INTEGER NOT NULL,
               title TEXT NOT NULL,
               body TEXT NOT NULL,
               sha256 TEXT NOT NULL,
               created_at TEXT NOT NULL,
               created_by_user_id INTEGER REFERENCES user(id),
               UNIQUE (language, version)
           ) STRICT""",
            """CREATE TRIGGER notice_is_immutable BEFORE UPDATE ON notice
           BEGIN SELECT RAISE(ABORT, 'a notice is never edited: publish a new version'); END""",
            """CREATE TRIGGER notice_is_kept BEFORE DELETE ON notice
           BEGIN SELECT RAISE(ABORT, 'old notice versions are kept'); END""",
            """CREATE TABLE consent_evidence (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               kind TEXT NOT NULL CHECK (kind IN ('signature', 'scan')),
               media_type TEXT NOT NULL,
               data BLOB NOT NULL,
               sha256 TEXT NOT NULL,
               created_at TEXT NOT NULL
           ) STRICT""",
            """CREATE TABLE consent_event (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               purpose_key TEXT NOT NULL REFERENCES purpose(key),
               action TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
               method TEXT NOT NULL CHECK (method IN ('form', 'paper', 'verbal', 'import')),
               notice_id INTEGER REFERENCES notice(id),
               notice_sha256 TEXT,
               source TEXT NOT NULL DEFAULT '',
               evidence_id INTEGER REFERENCES consent_evidence(id) ON DELETE SET NULL,
               captured_by_user_id INTEGER REFERENCES user(id),
               at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX consent_event_current ON consent_event(purpose_key, contact_id, id)",
            "CREATE INDEX consent_event_contact ON consent_event(contact_id, id)",
            """CREATE TRIGGER consent_event_append_only BEFORE UPDATE ON consent_event
           BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only: record a new event'); END""",
            """CREATE TABLE privacy_flag_event (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               flag TEXT NOT NULL CHECK (flag IN ('opt_out_sale_sharing', 'limit_sensitive')),
               value INTEGER NOT NULL CHECK (value IN (0, 1)),
               method TEXT NOT NULL,
               captured_by_user_id INTEGER REFERENCES user(id),
               at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX privacy_flag_current ON privacy_flag_event(flag, contact_id, id)",
            """CREATE TRIGGER privacy_flag_append_only BEFORE UPDATE ON privacy_flag_event
           BEGIN SELECT RAISE(ABORT, 'privacy flags are append-only: record a new event'); END""",
            _default_purposes,
            _default_notices,
        ),
    ),
)

MIGRATIONS += (
    Migration(
        5,
        "retention policies, legal holds, sweep runs and the erasure ledger",
        (
            """CREATE TABLE retention_policy (
               key TEXT PRIMARY KEY,
               category TEXT NOT NULL CHECK (category IN ('lead', 'customer', 'consent_evidence',
                   'withdrawn_marketing', 'closed_request', 'audit', 'deleted_contact')),
               period_days INTEGER NOT NULL CHECK (period_days > 0),
               action TEXT NOT NULL CHECK (action IN ('delete', 'anonymise')),
               active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
               updated_at TEXT NOT NULL
           ) STRICT""",
            """CREATE TABLE legal_hold (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
               deal_id INTEGER REFERENCES deal(id) ON DELETE CASCADE,
               reason TEXT NOT NULL,
               until TEXT,
               created_by_user_id INTEGER REFERENCES user(id),
               created_at TEXT NOT NULL,
               released_at TEXT,
               CHECK (contact_id IS NOT NULL OR deal_id IS NOT NULL)
           ) STRICT""",
            "CREATE INDEX legal_hold_contact ON legal_hold(contact_id)",
            """CREATE TABLE sweep_run (
               id INTEGER PRIMARY KEY,
               started_at TEXT NOT NULL,
               finished_at TEXT,
               user_id INTEGER REFERENCES user(id),
               dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
               counts TEXT NOT NULL DEFAULT '{}',
               status TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed'))
           ) STRICT""",
            """CREATE TABLE erasure_ledger (
               pseudonym TEXT PRIMARY KEY,
               action TEXT NOT NULL CHECK (action IN ('erase', 'anonymise')),
               at TEXT NOT NULL
           ) STRICT""",
            "ALTER TABLE contact ADD COLUMN anonymised_at TEXT",
            _default_retention,
        ),
    ),
)

MIGRATIONS += (
    Migration(
        6,
        "the register of data-subject requests",
        (
            """CREATE TABLE subject_request (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER REFERENCES contact(id) ON DELETE SET NULL,
               requester TEXT NOT NULL DEFAULT '',
               type TEXT NOT NULL CHECK (type IN ('access', 'rectification', 'erasure', 'portability',
                   'restriction', 'objection', 'opt_out_sale_sharing', 'limit_sensitive')),
               jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('gdpr', 'uk_gdpr', 'ccpa', 'pipl')),
               channel TEXT NOT NULL,
               received_at TEXT NOT NULL,
               due_at TEXT NOT NULL,
               extended INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
               extension_reason TEXT,
               identity_method TEXT,
               identity_verified_by INTEGER REFERENCES user(id),
               identity_verified_at TEXT,
               status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'refused')),
               response TEXT,
               refusal_reason TEXT,
               completed_at TEXT,
               files TEXT NOT NULL DEFAULT '[]',
               created_by INTEGER REFERENCES user(id)
           ) STRICT""",
            "CREATE INDEX subject_request_due ON subject_request(status, due_at)",
            "CREATE INDEX subject_request_contact ON subject_request(contact_id)",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        7,
        "the breach register",
        (
            """CREATE TABLE breach (
               id INTEGER PRIMARY KEY,
               discovered_at TEXT NOT NULL,
               occurred_at TEXT,
               nature TEXT NOT NULL,
               data_categories TEXT NOT NULL DEFAULT '[]',
               people_categories TEXT NOT NULL DEFAULT '[]',
               approx_affected INTEGER NOT NULL DEFAULT 0 CHECK (approx_affected >= 0),
               consequences TEXT NOT NULL DEFAULT '',
               measures TEXT NOT NULL DEFAULT '',
               high_risk INTEGER NOT NULL DEFAULT 0 CHECK (high_risk IN (0, 1)),
               authority_notified_at TEXT,
               authority_reference TEXT,
               delay_reason TEXT,
               people_notified_at TEXT,
               status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
               created_by INTEGER REFERENCES user(id),
               created_at TEXT NOT NULL
           ) STRICT""",
            """CREATE TABLE breach_person (
               breach_id INTEGER NOT NULL REFERENCES breach(id) ON DELETE CASCADE,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               PRIMARY KEY (breach_id, contact_id)
           ) STRICT, WITHOUT ROWID""",
        ),
    ),
)

_CHECK_IN_LIST = re.compile(r"CHECK \((\w+) IN \(([^()]*)\)\)")


def _check_as_comparisons(match: re.Match[str]) -> str:
    column, values = match.group(1), [value.strip() for value in match.group(2).split(",")]
    return "CHECK (" + " OR ".join(f"{column} = {value}" for value in values) + ")"


def _checks_without_in_lists(conn: Connection) -> None:
    """Rewrite `CHECK (x IN ('a', 'b', 'c'))` as `CHECK (x = 'a' OR x = 'b' OR x = 'c')`: the same rule.

    Why: SQLite evaluates an IN list of three or more values by building a temporary b-tree for every row
    written. With cipher_memory_security each of its ~9 allocations is locked, wiped and unlocked (two system
    calls that split the heap's memory map), which made a plain insert cost 300 us instead of 20. SQLite's
    documented way to change a CHECK constraint in place is to edit the schema text (lang_altertable, "other
    kinds of schema changes"); each new text is parsed on a scratch database first, so a typo cannot reach the
    vault, and the schema version is bumped so every connection reloads it.
    """
    rows = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%CHECK (%'").fetchall()
    changed = [(str(name), _CHECK_IN_LIST.sub(_check_as_comparisons, str(sql))) for name, sql in rows]
    changed = [(name, sql) for (name, sql), (_n, old) in zip(changed, rows, strict=True) if sql != old]
    if not changed:
        return
    scratch = sqlcipher3.connect(":memory:")
    try:
        for _name, sql in changed:
            scratch.execute(sql)
    finally:
        scratch.close()
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.executemany(
            "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", [(sql, name) for name, sql in changed]
        )
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


MIGRATIONS += (
    Migration(
        8,
        "CHECK constraints as comparisons instead of IN lists (same rules, 15x cheaper writes)",
        (_checks_without_in_lists,),
    ),
)

MIGRATIONS += (
    # Deleting a parent row makes SQLite look for children through each foreign key; without an index on the
    # child column that is a scan of the whole child table per deleted row (quadratic in a retention sweep).
    Migration(
        9,
        "indexes on the foreign keys that erasure and deal deletion follow",
        tuple(
            f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {table}({column})"
            for table, column in (
                ("consent_evidence", "contact_id"),
                ("privacy_flag_event", "contact_id"),
                ("breach_person", "contact_id"),
                ("consent_event", "evidence_id"),
                ("note", "deal_id"),
                ("activity", "deal_id"),
                ("deal_stage_history", "deal_id"),
                ("legal_hold", "deal_id"),
                ("deal", "organisation_id"),
                ("deal", "stage_id"),
            )
        ),
    ),
)

MIGRATIONS += (
    # Person ids are never handed out twice (app.crm.bulk.next_contact_id): the erasure ledger and the audit log
    # name people by id. The highest id ever deleted is remembered; vaults from before start from today's max.
    Migration(
        10,
        "person ids are never reused after an erasure",
        (
            """INSERT OR IGNORE INTO vault_meta(key, value)
           SELECT 'contact_high_water', CAST(coalesce(max(id), 0) AS TEXT) FROM contact""",
            """CREATE TRIGGER contact_high_water AFTER DELETE ON contact
           WHEN old.id > CAST((SELECT value FROM vault_meta WHERE key = 'contact_high_water') AS INTEGER)
           BEGIN UPDATE vault_meta SET value = CAST(old.id AS TEXT) WHERE key = 'contact_high_water'; END""",
        ),
    ),
)

MIGRATIONS += (
    # The sweep preview narrows its candidates by these before judging each person (see app.privacy.retention).
    Migration(
        11,
        "indexes for the retention preview: old records, the bin, withdrawals",
        (
            "CREATE INDEX contact_updated ON contact(updated_at)",
            "CREATE INDEX contact_binned ON contact(deleted_at) WHERE deleted_at IS NOT NULL",
            "CREATE INDEX consent_event_withdrawn ON consent_event(at) WHERE action = 'withdraw'",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        12,
        "the customer list filtered by owner, in name order",
        ("CREATE INDEX contact_owner ON contact(owner_user_id, sort_key, id) WHERE deleted_at IS NULL",),
    ),
)

MIGRATIONS += (
    # The shop profile (app.access.shop) keeps the country under shop.country; shop_region was read, never
    # written by the app, but a vault set up by hand may have it.
    Migration(
        13,
        "the shop's country joins the shop profile",
        (
            "INSERT OR IGNORE INTO setting(key, value) SELECT 'shop.country', upper(value) FROM setting "
            "WHERE key = 'shop_region' AND length(value) = 2",
            "DELETE FROM setting WHERE key = 'shop_region'",
        ),
    ),
)


def _search_index_rebuilt(conn: Connection) -> None:
    """Index everyone's text as this version folds it (app.store.search_index): vaults made before schema 14 had
    their text indexed as typed, so "γιωργος" missed Γιώργος and "احمد" missed أحمد."""
    search_index.rebuild(conn)


MIGRATIONS += (
    # The text is folded before it is indexed (Greek accents and final sigma, ß as ss, Arabic hamza and alef
    # forms, harakat and tatweel) and Thai is indexed a cluster a token; marks become token characters, so a Thai
    # vowel or a Devanagari vowel sign no longer splits a word. The table is made again with that tokenizer and
    # filled from the stored data; the phone index is unchanged.
    Migration(
        14,
        "search folds Greek, German and Arabic spellings and finds Thai words inside a name",
        (
            "DROP TABLE contact_search",
            """CREATE VIRTUAL TABLE contact_search USING fts5(
               doc, content='', contentless_delete=1,
               tokenize='unicode61 remove_diacritics 2 categories ''L* N* Co M*''', prefix='1 2 3')""",
            _search_index_rebuilt,
        ),
    ),
)

MIGRATIONS += (
    # The id another tool gave a person (Shopify's Customer ID, Mailchimp's EUID), so that the next export of the
    # same shop or audience finds the same person again. It is about the person: erasing or anonymising them
    # removes it (ON DELETE CASCADE, applied by app.privacy.erasure from the schema).
    Migration(
        15,
        "imported people remember the id their source tool gave them",
        (
            """CREATE TABLE contact_source (
               source_kind TEXT NOT NULL,
               source_id TEXT NOT NULL,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               PRIMARY KEY (source_kind, source_id)
           ) STRICT, WITHOUT ROWID""",
            "CREATE INDEX contact_source_contact ON contact_source(contact_id)",
        ),
    ),
)


def _audit_signed_from_here(conn: Connection) -> None:
    """Entries written from now on are signed; those before are reported as unsigned, not as tampered."""
    row = conn.execute("SELECT max(id) FROM audit_event").fetchone()
    anchor = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_anchor'").fetchone()
    last = int(row[0]) if row[0] is not None else (int(json.loads(str(anchor[0]))["id"]) if anchor else 0)
    conn.executemany(
        "INSERT INTO vault_meta(key, value) VALUES (?, ?)",
        [("audit_signed_from", str(last + 1)), ("audit_signed_since", __version__)],
    )


MIGRATIONS += (
    # Signed audit entries (#17): each entry names the key slot that signed it and carries its Ed25519 signature
    # over the entry's hash (app/store/audit.py, app/store/signing.py). Slots get their signing keys when their
    # user next unlocks; the keys themselves live in the key file's slot headers, not here.
    Migration(
        16,
        "audit entries are signed by the user who wrote them",
        (
            "ALTER TABLE audit_event ADD COLUMN signer TEXT",
            "ALTER TABLE audit_event ADD COLUMN signature BLOB",
            _audit_signed_from_here,
        ),
    ),
)

MIGRATIONS += (
    # Accountability (app.privacy.training, review, dpia): who read which version of the staff privacy lesson
    # and when; each yearly review with who did it, the items ticked and a note; each impact assessment as a
    # version of its own, kept at least 3 years (PIPL Art. 56): the trigger refuses deleting one any sooner.
    Migration(
        17,
        "staff privacy training, the yearly privacy review and impact assessments",
        (
            """CREATE TABLE training_ack (
               id INTEGER PRIMARY KEY,
               user_id INTEGER NOT NULL REFERENCES user(id),
               lesson_version INTEGER NOT NULL,
               at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX training_ack_user ON training_ack(user_id, at)",
            """CREATE TABLE privacy_review (
               id INTEGER PRIMARY KEY,
               user_id INTEGER NOT NULL REFERENCES user(id),
               at TEXT NOT NULL,
               items TEXT NOT NULL,
               note TEXT NOT NULL DEFAULT ''
           ) STRICT""",
            """CREATE TABLE impact_assessment (
               id INTEGER PRIMARY KEY,
               user_id INTEGER NOT NULL REFERENCES user(id),
               at TEXT NOT NULL,
               content TEXT NOT NULL,
               keep_until TEXT NOT NULL
           ) STRICT""",
            """CREATE TRIGGER impact_assessment_kept BEFORE DELETE ON impact_assessment
           WHEN old.keep_until > strftime('%Y-%m-%dT%H:%M:%S', 'now')
           BEGIN SELECT RAISE(ABORT, 'an impact assessment is kept for 3 years'); END""",
        ),
    ),
)


def _consent_method_request(conn: Connection) -> None:
    """Consent events may name a privacy request as their method (an objection withdraws marketing through one):
    the CHECK on consent_event.method gains 'request', edited in place as in `_checks_without_in_lists`."""
    row = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'consent_event'").fetchone()
    old = str(row[0])
    new = old.replace("method = 'import')", "method = 'import' OR method = 'request')", 1)
    if new == old:
        return
    scratch = sqlcipher3.connect(":memory:")
    try:
        scratch.execute(new)  # a typo stops here, before the vault's schema is touched
    finally:
        scratch.close()
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'consent_event'", (new,))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


MIGRATIONS += (
    # Rights that change something (app.consent.restriction, objection, minors): restrictions (GDPR Art. 18)
    # set and lifted with who and why; purposes marked sensitive (CCPA "limit the use of my sensitive personal
    # information"); the recipients told after a correction, erasure or restriction (Art. 19), kept on the
    # request; a birth date where known and, on a consent event, the parent who gave it for a child.
    Migration(
        18,
        "restriction of processing, sensitive purposes, Art. 19 recipients and parental consent",
        (
            """CREATE TABLE restriction (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               reason TEXT NOT NULL,
               request_id INTEGER REFERENCES subject_request(id) ON DELETE SET NULL,
               set_by_user_id INTEGER REFERENCES user(id),
               set_at TEXT NOT NULL,
               lifted_by_user_id INTEGER REFERENCES user(id),
               lifted_at TEXT,
               lift_reason TEXT
           ) STRICT""",
            "CREATE UNIQUE INDEX restriction_in_force ON restriction(contact_id) WHERE lifted_at IS NULL",
            "ALTER TABLE purpose ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0 CHECK (sensitive = 0 OR sensitive = "
            "1)",
            "UPDATE purpose SET sensitive = 1 WHERE key = 'sensitive_data'",
            "ALTER TABLE subject_request ADD COLUMN recipients TEXT",
            "ALTER TABLE contact ADD COLUMN birth_date TEXT",
            "ALTER TABLE consent_event ADD COLUMN guardian_name TEXT",
            "ALTER TABLE consent_event ADD COLUMN guardian_relation TEXT",
            _consent_method_request,
        ),
    ),
)

MIGRATIONS += (
    # One spelling for every setting (app/store/settings.py, the registry): dotted, grouped by what they serve.
    Migration(
        19,
        "settings are named one way",
        tuple(
            f"UPDATE setting SET key = '{new}' WHERE key = '{old}' AND NOT EXISTS "
            f"(SELECT 1 FROM setting WHERE key = '{new}')"
            for old, new in (
                ("idle_lock_minutes", "lock.idle_minutes"),
                ("backup_dir", "backup.folder"),
                ("last_drill_at", "backup.last_drill"),
                ("pipl_request_days", "requests.pipl_days"),
            )
        ),
    ),
)


MIGRATIONS += (
    # GDPR Art. 14: people who came from a file were never shown the notice; each gets a task to inform them
    # (within a month, at the latest at first contact), done by letter, email or in person, with the notice
    # version the letter carried. At most one open task a person.
    Migration(
        20,
        "Art. 14 notice tasks for imported people",
        (
            """CREATE TABLE notice_task (
               id INTEGER PRIMARY KEY,
               contact_id INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
               source TEXT NOT NULL,
               created_at TEXT NOT NULL,
               due_at TEXT NOT NULL,
               done_at TEXT,
               done_by_user_id INTEGER REFERENCES user(id),
               method TEXT CHECK (method IS NULL OR method = 'letter' OR method = 'email' OR method = 'in_person'),
               notice_id INTEGER REFERENCES notice(id)
           ) STRICT""",
            "CREATE UNIQUE INDEX notice_task_open ON notice_task(contact_id) WHERE done_at IS NULL",
            # Everyone imported before this version is owed the notice too: known by the id their source tool gave
            # them (schema 15) or by a consent the file stated (method 'import'); due a month from now.
            """INSERT INTO notice_task(contact_id, source, created_at, due_at)
           SELECT c.id, coalesce((SELECT min(source_kind) FROM contact_source WHERE contact_id = c.id), 'import'),
                  strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '+30 days')
           FROM contact c WHERE c.deleted_at IS NULL AND c.anonymised_at IS NULL
             AND (EXISTS (SELECT 1 FROM contact_source WHERE contact_id = c.id)
                  OR EXISTS (SELECT 1 FROM consent_event WHERE contact_id = c.id AND method = 'import'))""",
        ),
    ),
)


def _analysis_key(conn: Connection) -> None:
    """The key of the pseudonyms in exports for analysis (app.privacy.pseudonymise): its own, so that they
    cannot be matched with the erasure ledger's pseudonyms, and kept inside the encrypted vault."""
    conn.execute("INSERT OR IGNORE INTO vault_meta(key, value) VALUES ('analysis_key', ?)", (secrets.token_hex(32),))


MIGRATIONS += (
    # Minimisation (#20): a note kept although it looks sensitive (app.crm.sensitive_text), with why and by
    # whom; the reason may itself name the person, so it lives here (erased with them), not in the audit log.
    Migration(
        21,
        "notes kept with sensitive data and why; the key of pseudonymised exports",
        (
            """CREATE TABLE note_sensitive_kept (
               note_id INTEGER PRIMARY KEY REFERENCES note(id) ON DELETE CASCADE,
               contact_id INTEGER REFERENCES contact(id) ON DELETE CASCADE,
               kinds TEXT NOT NULL,
               reason TEXT NOT NULL,
               user_id INTEGER REFERENCES user(id),
               at TEXT NOT NULL
           ) STRICT""",
            "CREATE INDEX note_sensitive_kept_contact ON note_sensitive_kept(contact_id)",
            _analysis_key,
        ),
    ),
)

MIGRATIONS += (
    # Erasing someone deletes their notice tasks (one per imported person): the only index on the column was
    # partial (open tasks), so every erasure and every sweep batch read the whole table (#21).
    Migration(
        22,
        "notice tasks found by person when someone is erased",
        ("CREATE INDEX notice_task_contact ON notice_task(contact_id)",),
    ),
)

MIGRATIONS += (
    # What a shop's export says a customer bought (#16): its running totals, replaced by each newer export. A
    # table of its own, not columns on contact: only imported people have it, it is the shop's figure (with
    # where and when it came from) rather than a fact the person told, and erasure removes it by the cascade.
    # The amount is decimal text exactly as the file gives it (never a float); currency is the shop's, or NULL.
    Migration(
        23,
        "total spent and order count from an import",
        (
            """CREATE TABLE contact_purchases (
               contact_id INTEGER PRIMARY KEY REFERENCES contact(id) ON DELETE CASCADE,
               total_spent TEXT,
               order_count INTEGER,
               currency TEXT,
               source TEXT NOT NULL,
               updated_at TEXT NOT NULL
           ) STRICT""",
        ),
    ),
)

MIGRATIONS += (
    # A sweep's trace removal (merging the search index so no token of an erased person is left) is its own
    # step after the erasure commits (#21): NULL here while it is owed, else when it finished (a sweep that
    # erased nobody owed nothing: its start). Sweeps before this version removed their traces inside the sweep,
    # so they are marked done when they finished.
    Migration(
        24,
        "when a sweep's trace removal finished",
        (
            "ALTER TABLE sweep_run ADD COLUMN traces_removed_at TEXT",
            "UPDATE sweep_run SET traces_removed_at = coalesce(finished_at, started_at)",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int = LATEST) -> list[int]:
    """Bring the schema up to `target`; returns the versions applied. Refuses vaults from a newer app."""
    current = schema_version(conn)
    if current > LATEST:
        raise VaultTooNew(
            _(
                "This vault was made by a newer version of Counterpart (schema {found}, this "
                "version knows up to {known}). Install the newer version to open it."
            ).format(found=current, known=LATEST)
        )
    applied = []
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            with transaction(conn):
                for step in migration.steps:
                    if isinstance(step, str):
                        conn.execute(step)
                    else:
                        step(conn)
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            applied.append(migration.version)
    return applied
