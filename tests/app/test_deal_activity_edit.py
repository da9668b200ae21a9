"""Editing existing deals and activities through the services: the same checks as creating them, one audit
entry naming the changed fields (never their contents), unknown ids and roles refused as create refuses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from app.access.roles import Role
from app.access.session import Session
from app.crm.activities import ActivityService
from app.crm.contacts import ContactInput, ContactService
from app.crm.deals import DealService
from app.errors import InvalidInput, PermissionDenied
from tests.app.test_access import sign_in, staffed_vault  # noqa: F401 - fixtures: one user per role


def _audit(session: Session, action: str) -> list[tuple[str, str, str]]:
    return [
        (str(r[0]), str(r[1]), str(r[2]))
        for r in session.conn.execute(
            "SELECT entity_type, entity_id, summary FROM audit_event WHERE action = ? ORDER BY id", (action,)
        )
    ]


@pytest.fixture
def customers(owner_session: Session) -> tuple[int, int]:
    contacts = ContactService(owner_session)
    return (
        contacts.create(ContactInput(given_name="Ana", family_name="Lima")),
        contacts.create(ContactInput(given_name="Ben", family_name="Okafor")),
    )


# --- deals -------------------------------------------------------------------------------------------------


def test_update_changes_the_deal_and_records_only_which_fields(
    owner_session: Session, customers: tuple[int, int]
) -> None:
    deals = DealService(owner_session)
    pipeline = deals.pipelines()[0]
    deal_id = deals.create(
        "Wedding flowers", value="1200.00", currency="EUR", contact_id=customers[0], stage_id=pipeline.stages[1].id
    )
    deals.update(
        deal_id,
        title="  Wedding flowers and arch ",
        value="1450,5",
        currency="gbp",
        contact_id=customers[1],
        expected_close=date(2031, 6, 14),
    )
    deal = deals.get(deal_id)
    assert (deal.title, deal.value_minor, deal.currency, deal.contact_id, deal.contact_name, deal.expected_close) == (
        "Wedding flowers and arch",
        145050,
        "GBP",
        customers[1],
        "Ben Okafor",
        "2031-06-14",
    )
    assert (deal.stage_id, deal.status) == (pipeline.stages[1].id, "open")  # the stage and status are not edited
    assert [name for _at, name in deals.history(deal_id)] == [pipeline.stages[1].name]  # no stage history entry
    entries = _audit(owner_session, "deal.update")
    assert [(kind, entity) for kind, entity, _summary in entries] == [("deal", str(deal_id))]
    summary = entries[0][2]
    assert set(summary.split(", ")) == {"title", "value", "currency", "contact", "expected_close"}
    for private in ("Wedding", "arch", "1450", "Ben", "Okafor", "2031"):
        assert private not in summary  # which fields, never what they say


def test_an_update_that_changes_nothing_writes_and_records_nothing(
    owner_session: Session, customers: tuple[int, int]
) -> None:
    deals = DealService(owner_session)
    deal_id = deals.create("Vase", value=40, currency="GBP", contact_id=customers[0])
    deals.update(deal_id, title="Vase ", value="40.00", currency="GBP", contact_id=customers[0])
    assert _audit(owner_session, "deal.update") == []
    deals.update(
        deal_id, title="Vase", value="40.00", currency="GBP", contact_id=customers[0], expected_close=date(2030, 1, 2)
    )
    assert [summary for _t, _i, summary in _audit(owner_session, "deal.update")] == ["expected_close"]
    deals.update(deal_id, title="Vase", value="40.00", currency="GBP", contact_id=customers[0])  # clears it
    assert deals.get(deal_id).expected_close is None
    assert len(_audit(owner_session, "deal.update")) == 2


def test_a_closed_deal_can_still_be_corrected(owner_session: Session, customers: tuple[int, int]) -> None:
    deals = DealService(owner_session)
    deal_id = deals.create("Shop sign", value=300, currency="EUR", contact_id=customers[0])
    deals.close(deal_id, won=False, reason="No reply")
    deals.update(deal_id, title="Shop sign", value=350, currency="EUR", contact_id=customers[0])
    deal = deals.get(deal_id)
    assert (deal.value_minor, deal.status, deal.lost_reason) == (35000, "lost", "No reply")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "title"),
        ({"contact_id": None}, "customer or an organisation"),
        ({"currency": "XYZ1"}, "not a currency code"),
        ({"value": "lots"}, "not an amount"),
        ({"value": "-5"}, "zero or more"),
    ],
)
def test_update_checks_what_create_checks(
    owner_session: Session, customers: tuple[int, int], changes: dict[str, object], message: str
) -> None:
    deals = DealService(owner_session)
    deal_id = deals.create("Vase", value=40, currency="GBP", contact_id=customers[0])
    fields: dict[str, object] = {"title": "Big vase", "value": "55", "currency": "EUR", "contact_id": customers[1]}
    with pytest.raises(InvalidInput, match=message):
        deals.create(**{**fields, **changes})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=message):
        deals.update(deal_id, **{**fields, **changes})  # type: ignore[arg-type]
    deal = deals.get(deal_id)
    assert (deal.title, deal.value_minor, deal.currency, deal.contact_id) == ("Vase", 4000, "GBP", customers[0])
    assert _audit(owner_session, "deal.update") == []


def test_updating_an_unknown_deal_is_refused(owner_session: Session, customers: tuple[int, int]) -> None:
    with pytest.raises(InvalidInput, match="no deal with id 9999"):
        DealService(owner_session).update(9999, title="Ghost", value=1, currency="EUR", contact_id=customers[0])
    assert _audit(owner_session, "deal.update") == []


# --- activities --------------------------------------------------------------------------------------------


def test_get_and_update_an_activity(owner_session: Session, customers: tuple[int, int]) -> None:
    activities = ActivityService(owner_session)
    deal_id = DealService(owner_session).create("Wreath", value=80, currency="EUR", contact_id=customers[0])
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    activity_id = activities.create(
        "call", "Call about the wreath", due_at=due, contact_id=customers[0], deal_id=deal_id
    )
    before = activities.get(activity_id)
    assert (before.kind, before.subject, before.contact_name, before.deal_id) == (
        "call",
        "Call about the wreath",
        "Ana Lima",
        deal_id,
    )
    later = due + timedelta(days=2, hours=3)
    activities.update(
        activity_id,
        kind="meeting",
        subject=" Taste the spring bouquets ",
        due_at=later,
        contact_id=customers[1],
        deal_id=deal_id,
    )
    after = activities.get(activity_id)
    assert (after.kind, after.subject, after.contact_id, after.contact_name, after.deal_id) == (
        "meeting",
        "Taste the spring bouquets",
        customers[1],
        "Ben Okafor",
        deal_id,
    )
    assert datetime.fromisoformat(after.due_at or "") == later
    assert after.owner_user_id == before.owner_user_id and after.done_at is None
    entries = _audit(owner_session, "activity.update")
    assert [(kind, entity) for kind, entity, _summary in entries] == [("activity", str(activity_id))]
    assert set(entries[0][2].split(", ")) == {"kind", "subject", "due", "contact"}
    assert "bouquet" not in entries[0][2] and "Ben" not in entries[0][2]
    activities.update(
        activity_id,
        kind="meeting",
        subject="Taste the spring bouquets",
        due_at=later,
        contact_id=customers[1],
        deal_id=deal_id,
    )
    assert len(_audit(owner_session, "activity.update")) == 1  # nothing changed: nothing recorded


def test_an_edit_keeps_the_owner_and_the_done_state(sign_in: Callable[[Role], Session]) -> None:  # noqa: F811
    owner = sign_in(Role.OWNER)  # one session at a time holds the vault
    owner_id = owner.user.id
    activity_id = ActivityService(owner).create("task", "Wrap the bouquet", due_at=datetime.now(UTC))
    ActivityService(owner).set_done(activity_id)
    owner.lock("logout")
    staff = sign_in(Role.STAFF)
    ActivityService(staff).update(
        activity_id, kind="task", subject="Wrap the bouquet in paper", due_at=datetime.now(UTC)
    )
    edited = ActivityService(staff).get(activity_id)
    assert edited.subject == "Wrap the bouquet in paper"
    assert edited.owner_user_id == owner_id != staff.user.id  # the reminders stay with the owner
    assert edited.done_at is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "visit"}, "call, meeting, email or task"),
        ({"subject": "  "}, "subject"),
    ],
)
def test_activity_update_checks_what_create_checks(
    owner_session: Session, changes: dict[str, object], message: str
) -> None:
    activities = ActivityService(owner_session)
    activity_id = activities.create("email", "Send the quote", due_at=datetime.now(UTC))
    fields: dict[str, object] = {"kind": "call", "subject": "Call about the quote"}
    with pytest.raises(InvalidInput, match=message):
        activities.create(**{**fields, **changes})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=message):
        activities.update(activity_id, **{**fields, **changes})  # type: ignore[arg-type]
    assert (activities.get(activity_id).kind, activities.get(activity_id).subject) == ("email", "Send the quote")
    assert _audit(owner_session, "activity.update") == []


def test_unknown_activities_are_refused(owner_session: Session) -> None:
    activities = ActivityService(owner_session)
    with pytest.raises(InvalidInput, match="no activity with id 4242"):
        activities.get(4242)
    with pytest.raises(InvalidInput, match="no activity with id 4242"):
        activities.update(4242, kind="call", subject="Anyone there?")


# --- who may -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_whoever_may_create_may_edit_and_no_one_else(
    sign_in: Callable[[Role], Session],  # noqa: F811
    role: Role,
) -> None:
    owner = sign_in(Role.OWNER)
    contact = ContactService(owner).create(ContactInput(given_name="Cara", family_name="Diaz"))
    deal_id = DealService(owner).create("Table flowers", value=90, currency="EUR", contact_id=contact)
    activity_id = ActivityService(owner).create("call", "Confirm the colours", contact_id=contact)
    owner.lock("logout")  # one session at a time holds the vault
    session = sign_in(role)
    deals, activities = DealService(session), ActivityService(session)
    may_create = role in (Role.OWNER, Role.MANAGER, Role.STAFF)

    def both(create: Callable[[], object], update: Callable[[], object]) -> None:
        if may_create:
            create()
            update()
        else:
            with pytest.raises(PermissionDenied) as refused_create:
                create()
            with pytest.raises(PermissionDenied) as refused_update:
                update()
            assert str(refused_update.value) == str(refused_create.value)  # refused in the same words

    both(
        lambda: deals.create("Other flowers", value=1, currency="EUR", contact_id=contact),
        lambda: deals.update(deal_id, title="Table and door flowers", value=95, currency="EUR", contact_id=contact),
    )
    both(
        lambda: activities.create("task", "Order ribbon"),
        lambda: activities.update(activity_id, kind="call", subject="Confirm the colours again", contact_id=contact),
    )
    deal, activity = deals.get(deal_id), activities.get(activity_id)  # everyone may look
    if may_create:
        assert (deal.title, deal.value_minor, activity.subject) == (
            "Table and door flowers",
            9500,
            "Confirm the colours again",
        )
        assert len(_audit(session, "deal.update")) == len(_audit(session, "activity.update")) == 1
    else:
        assert (deal.title, deal.value_minor, activity.subject) == ("Table flowers", 9000, "Confirm the colours")
        assert _audit(session, "deal.update") == _audit(session, "activity.update") == []
