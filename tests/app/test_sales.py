"""Deals in pipelines, activities, the dashboard, duplicate merge and money formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.access.session import Session
from app.crm import duplicates
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.dashboard import dashboard
from app.crm.deals import DealService
from app.errors import InvalidInput
from app.locale.formatting import from_minor_units, money, to_minor_units


@pytest.fixture
def customer(owner_session: Session) -> int:
    return ContactService(owner_session).create(ContactInput(given_name="Ana", family_name="Lima"))


def test_money_in_minor_units_per_currency() -> None:
    assert to_minor_units("12.345", "EUR") == 1234  # banker's rounding at the cent
    assert to_minor_units("1500", "JPY") == 1500  # no minor unit
    assert to_minor_units("12,5", "GBP") == 1250  # a comma typed as decimal mark
    assert from_minor_units(1250, "GBP") == Decimal("12.50")
    with pytest.raises(InvalidInput):
        to_minor_units("-1", "EUR")
    with pytest.raises(InvalidInput):
        to_minor_units("1", "XYZ1")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,234.50"), ("de", "1.234,50\xa0€"), ("fr", "1\u202f234,50\xa0€"), ("zh_CN", "€1,234.50")],
)
def test_money_is_formatted_for_the_users_language(language: str, expected: str) -> None:
    assert money(123450, "EUR", language) == expected


@pytest.mark.parametrize(
    ("currency", "language", "expected"),
    [
        ("AED", "en", "AED\xa01,234.50"),
        ("CHF", "zh_CN", "CHF\xa01,234.50"),  # letters: apart from the digits
        ("USD", "en_GB", "US$1,234.50"),
        ("USD", "en", "$1,234.50"),  # a symbol at the digits: close
        ("AED", "de", "1.234,50\xa0AED"),
        ("JPY", "en", "¥1,235"),
    ],
)
def test_a_currency_code_is_kept_apart_from_the_digits(currency: str, language: str, expected: str) -> None:
    """CLDR's currency spacing, which babel does not apply by itself ("AED1,234.50" was shown)."""
    assert money(123450 if currency != "JPY" else 1235, currency, language) == expected


def test_deal_lifecycle_and_history(owner_session: Session, customer: int) -> None:
    deals = DealService(owner_session)
    pipeline = deals.pipelines()[0]
    deal_id = deals.create("Wedding flowers", value="1200.00", currency="EUR", contact_id=customer)
    assert deals.get(deal_id).stage_id == pipeline.stages[0].id
    deals.move(deal_id, pipeline.stages[2].id)
    assert [name for _at, name in deals.history(deal_id)] == [pipeline.stages[0].name, pipeline.stages[2].name]
    with pytest.raises(InvalidInput, match="why"):
        deals.close(deal_id, won=False)
    deals.close(deal_id, won=False, reason="Chose a cheaper shop")
    assert deals.get(deal_id).lost_reason == "Chose a cheaper shop"
    with pytest.raises(InvalidInput):
        deals.move(deal_id, pipeline.stages[1].id)
    deals.reopen(deal_id)
    deals.close(deal_id, won=True)
    assert deals.get(deal_id).status == "won"


def test_deal_cannot_jump_pipelines(owner_session: Session, customer: int) -> None:
    deals = DealService(owner_session)
    other = deals.create_pipeline("Repairs", [("Received", 50), ("Fixed", 90)])
    deal_id = deals.create("Vase", value=40, currency="GBP", contact_id=customer)
    other_stage = next(p for p in deals.pipelines() if p.id == other).stages[0].id
    with pytest.raises(InvalidInput, match="own pipeline"):
        deals.move(deal_id, other_stage)


def test_board_totals_per_currency(owner_session: Session, customer: int) -> None:
    deals = DealService(owner_session)
    first_stage = deals.pipelines()[0].stages[0]
    deals.create("A", value="100", currency="EUR", contact_id=customer)
    deals.create("B", value="50.50", currency="EUR", contact_id=customer)
    deals.create("C", value="70", currency="GBP", contact_id=customer)
    column = deals.board(1)[0]
    assert column.stage == first_stage and column.count == 3
    assert column.totals == {"EUR": 15050, "GBP": 7000}
    assert [d.title for d in column.deals] == ["A", "C", "B"]  # largest first (in minor units)


def test_activities_agenda_by_local_day(owner_session: Session, customer: int) -> None:
    activities = ActivityService(owner_session)
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC).astimezone()
    late = activities.create("call", "Call back about the order", due_at=now - timedelta(hours=2), contact_id=customer)
    later_today = activities.create("task", "Wrap the bouquet", due_at=now + timedelta(minutes=30))
    next_week = activities.create("meeting", "Tasting", due_at=now + timedelta(days=7))
    agenda = activities.agenda(now)
    assert [a.id for a in agenda.overdue] == [late]
    assert agenda.overdue[0].contact_name == "Ana Lima"
    assert [a.id for a in agenda.today] == [later_today] or now.hour >= 23
    assert next_week in [a.id for a in agenda.upcoming]
    assert [a.id for a in activities.due_soon(now, timedelta(hours=1))] == [later_today]
    activities.set_done(late)
    assert activities.agenda(now).overdue == []
    activities.set_done(late, done=False)
    assert [a.id for a in activities.agenda(now).overdue] == [late]


def test_dashboard_figures(owner_session: Session, customer: int) -> None:
    deals = DealService(owner_session)
    stages = deals.pipelines()[0].stages  # probabilities 10, 30, 60, 80
    a = deals.create("A", value="100", currency="EUR", contact_id=customer)
    b = deals.create("B", value="200", currency="EUR", contact_id=customer, stage_id=stages[2].id)
    won = deals.create("C", value="300", currency="EUR", contact_id=customer)
    deals.close(won, won=True)
    ActivityService(owner_session).create("task", "Old task", due_at=datetime.now(UTC) - timedelta(days=1))
    figures = dashboard(owner_session)
    assert figures.open_value == {"EUR": 30000}
    assert figures.weighted_value == {"EUR": 10000 * 10 // 100 + 20000 * 60 // 100}
    assert figures.won_this_month == {"EUR": 30000}
    assert figures.overdue_activities == 1 and figures.open_deals == 2
    assert {a, b} <= {d.id for d in deals.page()}


def test_merge_keeps_everything(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    keep = contacts.create(
        ContactInput(
            given_name="Ana", family_name="Lima", tags=["vip"], points=[ContactPointInput("email", "ana@example.org")]
        )
    )
    other = contacts.create(
        ContactInput(
            given_name="Ana",
            family_name="Lima",
            tags=["wholesale"],
            note="Likes tulips",
            points=[ContactPointInput("email", "ANA@example.org"), ContactPointInput("phone", "+44 7700 900123")],
        )
    )
    deal = DealService(owner_session).create("Order", value=10, currency="GBP", contact_id=other)
    task = ActivityService(owner_session).create("call", "Ring", contact_id=other)
    assert duplicates.find_duplicates(owner_session) == [sorted([keep, other])]

    duplicates.merge(owner_session, keep, other)
    record = contacts.get(keep)
    assert {p.normalized for p in record.points} == {"ana@example.org", "+447700900123"}
    assert sorted(record.tags) == ["vip", "wholesale"]
    assert [body for _id, _at, body in record.notes] == ["Likes tulips"]
    assert DealService(owner_session).get(deal).contact_id == keep
    assert [a.id for a in ActivityService(owner_session).for_contact(keep)] == [task]
    assert {c.id for c in contacts.search("tulips")} == {keep}
    assert duplicates.find_duplicates(owner_session) == []
    with pytest.raises(InvalidInput):
        contacts.get(other)
