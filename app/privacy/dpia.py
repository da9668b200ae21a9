"""The impact assessment record: GDPR Art. 35 (DPIA) and PIPL Art. 55-56 (PIPIA) in one document.

What the vault already knows is filled in from the records of processing (app.privacy.ropa): the purposes and
their lawful bases, the categories of data and of people, recipients and transfers, the security measures. The
owner writes what only they can judge: why the processing is needed, the risks to people, the measures against
them and the conclusion. Each save is a version of its own, kept at least 3 years (PIPL Art. 56; a trigger in
the database refuses deleting it sooner); older versions past that are pruned when a new one is saved.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import N_, _
from app.privacy.requests import add_months
from app.privacy.ropa import RopaService
from app.store import settings

KEEP_YEARS = 3

# What the owner writes, in the order the form and the PDF show it: key -> (heading, hint) as message ids
OWNER_FIELDS: dict[str, tuple[str, str]] = {
    "necessity": (
        N_("Why the processing is needed and proportionate"),
        N_("What would be lost without it; why less data or a milder way would not do."),
    ),
    "risks": (
        N_("Risks to the people concerned"),
        N_("What could go wrong for them (a leak, unwanted marketing, a wrong decision), how likely and how serious."),
    ),
    "measures": (
        N_("Measures against those risks"),
        N_("What the shop does about each risk, beyond the program's own security measures."),
    ),
    "conclusion": (
        N_("Conclusion"),
        N_("Whether the remaining risk is acceptable, who decided, and when to look again."),
    ),
}

# Purposes whose processing PIPL Art. 55 names as needing an assessment (sensitive data, profiling for
# automated decisions, giving data to others, transfers abroad); GDPR Art. 35 points the same way for most.
ASSESSED_PURPOSES = ("profiling", "sale_sharing", "sensitive_data", "cross_border")


@dataclass(frozen=True)
class Assessment:
    language: str
    facts: dict[str, str]  # shop.* and ropa.* (controller, recipients, transfers)
    purposes: list[tuple[str, str]]  # name, lawful basis (as the record of processing says them)
    data_categories: list[str]
    subject_categories: list[str]
    security: list[str]
    answers: dict[str, str] = field(default_factory=dict)  # OWNER_FIELDS key -> text
    id: int | None = None  # the saved version; None: not saved yet
    saved_at: str | None = None
    saved_by: str | None = None
    keep_until: str | None = None

    def missing(self) -> list[str]:
        """The owner's fields still empty (the PDF highlights them)."""
        return [key for key in OWNER_FIELDS if not self.answers.get(key, "").strip()]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class DpiaService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def draft(self, language: str) -> Assessment:
        """The assessment as the vault stands now, with the owner's answers from the latest version."""
        self.session.require(Permission.MANAGE_POLICIES)
        ropa = RopaService(self.session).gather(language)
        latest = self.latest()
        return Assessment(
            language=language,
            facts=ropa.facts,
            purposes=[(name, basis) for name, basis, _expiry in ropa.purposes],
            data_categories=ropa.data_categories,
            subject_categories=ropa.subject_categories,
            security=ropa.security,
            answers=dict(latest.answers) if latest else {},
        )

    def save(self, answers: dict[str, str], language: str, now: datetime | None = None) -> Assessment:
        """Save a new version: today's prefilled facts with the owner's answers (owner only; audited)."""
        self.session.require(Permission.MANAGE_POLICIES)
        unknown = sorted(set(answers) - set(OWNER_FIELDS))
        if unknown:
            raise InvalidInput(_("{key} is not part of the impact assessment.").format(key=unknown[0]))
        cleaned = {key: answers.get(key, "").strip() for key in OWNER_FIELDS}
        if not any(cleaned.values()):
            raise InvalidInput(_("Write at least the risks and the measures before saving the assessment."))
        moment = now or datetime.now(UTC)
        end = add_months(moment.date(), 12 * KEEP_YEARS)
        keep_until = moment.replace(year=end.year, month=end.month, day=end.day)
        assessment = replace(self.draft(language), answers=cleaned)
        content = {k: v for k, v in asdict(assessment).items() if k not in ("id", "saved_at", "saved_by", "keep_until")}
        with self.session.change() as conn:
            assessment_id = int(
                conn.execute(
                    "INSERT INTO impact_assessment(user_id, at, content, keep_until) VALUES (?, ?, ?, ?) RETURNING id",
                    (self.session.user.id, _utc(moment), json.dumps(content, ensure_ascii=False), _utc(keep_until)),
                ).fetchone()[0]
            )
            pruned = conn.execute(
                "DELETE FROM impact_assessment WHERE keep_until <= ? AND id != ?", (_utc(moment), assessment_id)
            ).rowcount
            self.session.audit(
                "dpia.save", "impact_assessment", assessment_id, f"{len(assessment.missing())} open, {pruned} pruned"
            )
        return self.get(assessment_id)

    def get(self, assessment_id: int) -> Assessment:
        self.session.require(Permission.MANAGE_POLICIES)
        row = self.session.conn.execute(
            "SELECT a.id, a.at, u.name, a.keep_until, a.content FROM impact_assessment a "
            "JOIN user u ON u.id = a.user_id WHERE a.id = ?",
            (assessment_id,),
        ).fetchone()
        if row is None:
            raise InvalidInput(_("There is no impact assessment no. {id}.").format(id=assessment_id))
        content = json.loads(str(row[4]))
        content["purposes"] = [tuple(p) for p in content["purposes"]]
        return Assessment(**content, id=int(row[0]), saved_at=str(row[1]), saved_by=str(row[2]), keep_until=str(row[3]))

    def latest(self) -> Assessment | None:
        self.session.require(Permission.MANAGE_POLICIES)
        row = self.session.conn.execute("SELECT max(id) FROM impact_assessment").fetchone()
        return None if row is None or row[0] is None else self.get(int(row[0]))

    def versions(self) -> list[tuple[int, str, str]]:
        """(id, saved at, by) of every kept version, newest first."""
        self.session.require(Permission.MANAGE_POLICIES)
        return [
            (int(r[0]), str(r[1]), str(r[2]))
            for r in self.session.conn.execute(
                "SELECT a.id, a.at, u.name FROM impact_assessment a JOIN user u ON u.id = a.user_id ORDER BY a.id DESC"
            )
        ]

    def needed(self) -> list[str]:
        """Why an assessment is called for while none was saved yet (else []): the keys of active purposes
        that need one, and "transfers" when the record of processing names transfers abroad."""
        conn = self.session.conn
        if conn.execute("SELECT 1 FROM impact_assessment LIMIT 1").fetchone() is not None:
            return []
        marks = ", ".join("?" * len(ASSESSED_PURPOSES))
        reasons = [
            str(r[0])
            for r in conn.execute(
                f"SELECT key FROM purpose WHERE active = 1 AND key IN ({marks}) ORDER BY position", ASSESSED_PURPOSES
            )
        ]
        return reasons + (["transfers"] if settings.read(conn, settings.ROPA_TRANSFERS).strip() else [])
