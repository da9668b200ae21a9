"""Pipelines, stages and deals: the sales side of the CRM.

Money is kept in minor units with its currency; totals are per currency (never mixed). Every stage move is
written to the stage history in the same transaction as the move and its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput
from app.locale import _
from app.locale.formatting import check_currency, to_minor_units
from app.store.database import Connection

OPEN, WON, LOST = "open", "won", "lost"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Stage:
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int


@dataclass(frozen=True)
class Pipeline:
    id: int
    name: str
    stages: list[Stage]


@dataclass(frozen=True)
class Deal:
    id: int
    title: str
    contact_id: int | None
    contact_name: str | None
    organisation_id: int | None
    pipeline_id: int
    stage_id: int
    value_minor: int
    currency: str
    expected_close: str | None
    owner_user_id: int | None
    status: str
    lost_reason: str | None


@dataclass(frozen=True)
class StageColumn:
    """One kanban column: a page of its open deals, and totals per currency over all of them."""

    stage: Stage
    deals: list[Deal]
    count: int
    totals: dict[str, int]


_DEAL_COLUMNS = (
    "d.id, d.title, d.contact_id, c.display_name, d.organisation_id, d.pipeline_id, d.stage_id, "
    "d.value_minor, d.currency, d.expected_close, d.owner_user_id, d.status, d.lost_reason"
)
_DEAL_FROM = "FROM deal d LEFT JOIN contact c ON c.id = d.contact_id AND c.deleted_at IS NULL "


def _deal(row: tuple[object, ...]) -> Deal:
    return Deal(*row)  # type: ignore[arg-type]


def _checked(
    title: str, value: Decimal | str | int, currency: str, contact_id: int | None, organisation_id: int | None
) -> tuple[str, str, int]:
    """What a new or edited deal must have: (the trimmed title, the currency code, the value in minor units)."""
    if not title.strip():
        raise InvalidInput(_("A deal needs a title."))
    if contact_id is None and organisation_id is None:
        raise InvalidInput(_("A deal belongs to a customer or an organisation."))
    currency = check_currency(currency)
    return title.strip(), currency, to_minor_units(value, currency)


class DealService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> Connection:
        return self.session.conn

    # --- pipelines ---------------------------------------------------------------------------------------

    def pipelines(self) -> list[Pipeline]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        stages: dict[int, list[Stage]] = {}
        for row in self.conn.execute(
            "SELECT id, pipeline_id, name, position, probability FROM stage ORDER BY pipeline_id, position"
        ):
            stages.setdefault(int(row[1]), []).append(Stage(*row))
        return [
            Pipeline(int(r[0]), str(r[1]), stages.get(int(r[0]), []))
            for r in self.conn.execute("SELECT id, name FROM pipeline ORDER BY position, id")
        ]

    def create_pipeline(self, name: str, stages: list[tuple[str, int]]) -> int:
        """A new pipeline with its ordered stages (name, win probability in percent)."""
        self.session.require(Permission.MANAGE_SETTINGS)
        if not name.strip() or not stages:
            raise InvalidInput(_("A pipeline needs a name and at least one stage."))
        for stage_name, probability in stages:
            if not stage_name.strip() or not 0 <= probability <= 100:
                raise InvalidInput(_("Each stage needs a name and a probability from 0 to 100."))
        with self.session.change() as conn:
            position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM pipeline").fetchone()[0]
            pipeline_id = int(
                conn.execute("INSERT INTO pipeline(name, position) VALUES (?, ?)", (name.strip(), position)).lastrowid
            )
            conn.executemany(
                "INSERT INTO stage(pipeline_id, name, position, probability) VALUES (?, ?, ?, ?)",
                [(pipeline_id, n.strip(), i, p) for i, (n, p) in enumerate(stages)],
            )
            self.session.audit("pipeline.create", "pipeline", pipeline_id, f"{len(stages)} stages")
        return pipeline_id

    def _stage(self, stage_id: int) -> Stage:
        row = self.conn.execute(
            "SELECT id, pipeline_id, name, position, probability FROM stage WHERE id = ?", (stage_id,)
        ).fetchone()
        if row is None:
            raise InvalidInput(_("There is no stage with id {id}.").format(id=stage_id))
        return Stage(*row)

    # --- deals -------------------------------------------------------------------------------------------

    def create(
        self,
        title: str,
        *,
        value: Decimal | str | int = 0,
        currency: str,
        contact_id: int | None = None,
        organisation_id: int | None = None,
        pipeline_id: int = 1,
        stage_id: int | None = None,
        expected_close: date | None = None,
    ) -> int:
        self.session.require(Permission.EDIT_CUSTOMERS)
        title, currency, minor = _checked(title, value, currency, contact_id, organisation_id)
        stage = (
            self._stage(stage_id)
            if stage_id
            else next(s for p in self.pipelines() if p.id == pipeline_id for s in p.stages)
        )
        if stage.pipeline_id != pipeline_id:
            raise InvalidInput(_("That stage belongs to another pipeline."))
        with self.session.change() as conn:
            deal_id = int(
                conn.execute(
                    "INSERT INTO deal(title, contact_id, organisation_id, pipeline_id, stage_id, value_minor, "
                    "currency, "
                    "expected_close, owner_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        title,
                        contact_id,
                        organisation_id,
                        pipeline_id,
                        stage.id,
                        minor,
                        currency,
                        expected_close.isoformat() if expected_close else None,
                        self.session.user.id,
                        _now(),
                    ),
                ).lastrowid
            )
            self._history(conn, deal_id, stage.id)
            self.session.audit("deal.create", "deal", deal_id)
        return deal_id

    def create_many(self, rows: list[tuple[str, int, int, str, int]], source: str) -> int:
        """Bulk deals (title, contact id, stage id, currency, value in minor units) in the first pipeline
        stages given; one transaction and one audit entry. For demo data and imports."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        stage_pipeline = {s.id: p.id for p in self.pipelines() for s in p.stages}
        stamp, user = _now(), self.session.user.id
        with self.session.change() as conn:
            for title, contact_id, stage_id, currency, minor in rows:
                deal_id = int(
                    conn.execute(
                        "INSERT INTO deal(title, contact_id, pipeline_id, stage_id, value_minor, currency, "
                        "owner_user_id, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            title,
                            contact_id,
                            stage_pipeline[stage_id],
                            stage_id,
                            minor,
                            check_currency(currency),
                            user,
                            stamp,
                        ),
                    ).lastrowid
                )
                conn.execute(
                    "INSERT INTO deal_stage_history(deal_id, stage_id, user_id, at) VALUES (?, ?, ?, ?)",
                    (deal_id, stage_id, user, stamp),
                )
            self.session.audit("deal.bulk_create", "deal", None, f"{len(rows)} from {source}")
        return len(rows)

    def _history(self, conn: Connection, deal_id: int, stage_id: int) -> None:
        conn.execute(
            "INSERT INTO deal_stage_history(deal_id, stage_id, user_id, at) VALUES (?, ?, ?, ?)",
            (deal_id, stage_id, self.session.user.id, _now()),
        )

    def get(self, deal_id: int) -> Deal:
        self.session.require(Permission.VIEW_CUSTOMERS)
        row = self.conn.execute(f"SELECT {_DEAL_COLUMNS} {_DEAL_FROM} WHERE d.id = ?", (deal_id,)).fetchone()
        if row is None:
            raise InvalidInput(_("There is no deal with id {id}.").format(id=deal_id))
        return _deal(row)

    def update(
        self,
        deal_id: int,
        *,
        title: str,
        value: Decimal | str | int = 0,
        currency: str,
        contact_id: int | None = None,
        organisation_id: int | None = None,
        expected_close: date | None = None,
    ) -> None:
        """Replace what create() set (title, value and currency, customer or organisation, expected close), checked
        the same way; pass the current values of what stays. The stage has move(), the status close()/reopen().
        Nothing changed: nothing written and nothing recorded. The audit entry names the changed fields only."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        deal = self.get(deal_id)
        title, currency, minor = _checked(title, value, currency, contact_id, organisation_id)
        close = expected_close.isoformat() if expected_close else None
        new = {
            "title": title,
            "value": minor,
            "currency": currency,
            "contact": contact_id,
            "organisation": organisation_id,
            "expected_close": close,
        }
        old = {
            "title": deal.title,
            "value": deal.value_minor,
            "currency": deal.currency,
            "contact": deal.contact_id,
            "organisation": deal.organisation_id,
            "expected_close": deal.expected_close,
        }
        changed = [field for field in new if new[field] != old[field]]
        if not changed:
            return
        with self.session.change() as conn:
            conn.execute(
                "UPDATE deal SET title = ?, value_minor = ?, currency = ?, contact_id = ?, "
                "organisation_id = ?, expected_close = ? WHERE id = ?",
                (title, minor, currency, contact_id, organisation_id, close, deal_id),
            )
            self.session.audit("deal.update", "deal", deal_id, ", ".join(changed))

    def move(self, deal_id: int, stage_id: int) -> None:
        """Drag to another stage of the same pipeline (kanban or keyboard)."""
        self.session.require(Permission.EDIT_CUSTOMERS)
        deal, stage = self.get(deal_id), self._stage(stage_id)
        if stage.pipeline_id != deal.pipeline_id:
            raise InvalidInput(_("A deal moves only between stages of its own pipeline."))
        if deal.status != OPEN:
            raise InvalidInput(_("Reopen the deal before moving it."))
        if stage.id == deal.stage_id:
            return
        with self.session.change() as conn:
            conn.execute("UPDATE deal SET stage_id = ? WHERE id = ?", (stage.id, deal_id))
            self._history(conn, deal_id, stage.id)
            self.session.audit("deal.move", "deal", deal_id, f"stage {deal.stage_id}->{stage.id}")

    def close(self, deal_id: int, won: bool, reason: str = "") -> None:
        self.session.require(Permission.EDIT_CUSTOMERS)
        deal = self.get(deal_id)
        if deal.status != OPEN:
            raise InvalidInput(_("This deal is already closed."))
        if not won and not reason.strip():
            raise InvalidInput(_("Say why the deal was lost; it helps the next one."))
        with self.session.change() as conn:
            conn.execute(
                "UPDATE deal SET status = ?, lost_reason = ?, closed_at = ? WHERE id = ?",
                (WON if won else LOST, None if won else reason.strip(), _now(), deal_id),
            )
            self.session.audit("deal.won" if won else "deal.lost", "deal", deal_id)

    def reopen(self, deal_id: int) -> None:
        self.session.require(Permission.EDIT_CUSTOMERS)
        if self.get(deal_id).status == OPEN:  # nothing to do, and nothing to record
            return
        with self.session.change() as conn:
            conn.execute(
                "UPDATE deal SET status = 'open', lost_reason = NULL, closed_at = NULL WHERE id = ?", (deal_id,)
            )
            self.session.audit("deal.reopen", "deal", deal_id)

    def history(self, deal_id: int) -> list[tuple[str, str]]:
        """(time, stage name) of every stage the deal has been in, oldest first."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            (str(r[0]), str(r[1]))
            for r in self.conn.execute(
                "SELECT h.at, s.name FROM deal_stage_history h JOIN stage s ON s.id = h.stage_id WHERE h.deal_id = ? "
                "ORDER BY h.id",
                (deal_id,),
            )
        ]

    def board(self, pipeline_id: int, per_stage: int = 100) -> list[StageColumn]:
        """The kanban: for each stage, its open deals (largest first, a page) and totals per currency."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        pipeline = next((p for p in self.pipelines() if p.id == pipeline_id), None)
        if pipeline is None:
            raise InvalidInput(_("There is no pipeline with id {id}.").format(id=pipeline_id))
        columns = []
        for stage in pipeline.stages:
            totals = {
                str(r[0]): int(r[1])
                for r in self.conn.execute(
                    "SELECT currency, sum(value_minor) FROM deal WHERE stage_id = ? AND status = 'open' GROUP BY "
                    "currency",
                    (stage.id,),
                )
            }
            count = int(
                self.conn.execute(
                    "SELECT count(*) FROM deal WHERE stage_id = ? AND status = 'open'", (stage.id,)
                ).fetchone()[0]
            )
            deals = [
                _deal(r)
                for r in self.conn.execute(
                    f"SELECT {_DEAL_COLUMNS} {_DEAL_FROM} WHERE d.stage_id = ? AND d.status = 'open' "
                    "ORDER BY d.value_minor DESC, d.id LIMIT ?",
                    (stage.id, per_stage),
                )
            ]
            columns.append(StageColumn(stage, deals, count, totals))
        return columns

    def for_contact(self, contact_id: int) -> list[Deal]:
        self.session.require(Permission.VIEW_CUSTOMERS)
        return [
            _deal(r)
            for r in self.conn.execute(
                f"SELECT {_DEAL_COLUMNS} {_DEAL_FROM} WHERE d.contact_id = ? ORDER BY d.id DESC", (contact_id,)
            )
        ]

    def page(
        self, *, pipeline_id: int | None = None, status: str | None = None, after_id: int = 0, limit: int = 200
    ) -> list[Deal]:
        """The table view of the same deals, newest first after a keyset."""
        self.session.require(Permission.VIEW_CUSTOMERS)
        where: list[str] = ["(? = 0 OR d.id < ?)"]
        args: list[object] = [after_id, after_id]
        if pipeline_id is not None:
            where.append("d.pipeline_id = ?")
            args.append(pipeline_id)
        if status is not None:
            where.append("d.status = ?")
            args.append(status)
        return [
            _deal(r)
            for r in self.conn.execute(
                f"SELECT {_DEAL_COLUMNS} {_DEAL_FROM} WHERE {' AND '.join(where)} ORDER BY d.id DESC LIMIT ?",
                [*args, limit],
            )
        ]
