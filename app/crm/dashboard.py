"""The figures on the dashboard: what the pipeline is worth and what needs doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.access.roles import Permission
from app.access.session import Session


@dataclass(frozen=True)
class Dashboard:
    open_value: dict[str, int]  # currency -> minor units
    weighted_value: dict[str, int]  # the same, times each stage's win probability
    won_this_month: dict[str, int]
    overdue_activities: int
    open_deals: int


def dashboard(session: Session, now: datetime | None = None, *, mine_only: bool = False) -> Dashboard:
    """`mine_only` counts only the signed-in user's overdue activities (what the Activities page shows them)."""
    session.require(Permission.VIEW_CUSTOMERS)
    conn, now = session.conn, (now or datetime.now(UTC))
    month_start = now.astimezone().replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    open_rows = conn.execute(
        "SELECT d.currency, sum(d.value_minor), sum(d.value_minor * s.probability) / 100, "
        "count(*) FROM deal d JOIN stage s ON s.id = d.stage_id WHERE d.status = 'open' "
        "GROUP BY d.currency"
    ).fetchall()
    won = conn.execute(
        "SELECT currency, sum(value_minor) FROM deal WHERE status = 'won' AND closed_at >= ? GROUP BY currency",
        (month_start.isoformat(timespec="seconds"),),
    ).fetchall()
    overdue = conn.execute(
        "SELECT count(*) FROM activity WHERE done_at IS NULL AND due_at < ? AND (? = 0 OR owner_user_id = ?)",
        (now.astimezone(UTC).isoformat(timespec="seconds"), int(mine_only), session.user.id),
    ).fetchone()[0]
    return Dashboard(
        open_value={str(r[0]): int(r[1]) for r in open_rows},
        weighted_value={str(r[0]): int(r[2]) for r in open_rows},
        won_this_month={str(r[0]): int(r[1]) for r in won},
        overdue_activities=int(overdue),
        open_deals=sum(int(r[3]) for r in open_rows),
    )
