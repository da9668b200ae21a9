"""Customer list filters in the service: tag, owner and consent state (from the ledger), alone and with search,
across keyset pages; and people who work for several organisations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.access.roles import Role
from app.access.session import Session, open_session
from app.access.users import UserService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactFilter, ContactInput, ContactPointInput, ContactService
from app.crm.export import export_csv
from app.errors import InvalidInput
from app.keyset import pages
from app.vault import kdf


def _person(given: str, family: str, email: str = "", tags: list[str] | None = None) -> ContactInput:
    points = [ContactPointInput("email", email)] if email else []
    return ContactInput(given_name=given, family_name=family, points=points, tags=tags or [])


def _consented(state: str, purpose: str = "email_marketing") -> ContactFilter:
    return ContactFilter(consent_purpose=purpose, consent_state=state)


@pytest.fixture
def shop(owner_session: Session) -> dict[str, int]:
    """Five people in every consent state for email marketing (and one who only said yes to SMS)."""
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    ids = {
        "ana": contacts.create(_person("Ana", "Lima", "ana@example.org", ["vip"])),
        "ben": contacts.create(_person("Ben", "Okafor", "ben@example.org")),
        "cai": contacts.create(_person("Cai", "Wong", "cai@example.org", ["vip"])),
        "dee": contacts.create(_person("Dee", "Ross", "dee@example.org")),
        "eva": contacts.create(_person("Eva", "Stein", "eva@example.org", ["vip"])),
    }
    consent.record(ids["ana"], "email_marketing", True, "verbal")
    consent.record(ids["ben"], "email_marketing", True, "verbal")
    consent.record(ids["ben"], "email_marketing", False, "verbal")  # the latest event decides: withdrawn
    consent.record(ids["cai"], "email_marketing", False, "verbal")
    consent.record(ids["cai"], "email_marketing", True, "verbal")  # changed their mind: granted
    consent.record(ids["dee"], "email_marketing", True, "verbal", at=datetime.now(UTC) - timedelta(days=800))
    consent.record(ids["eva"], "sms_marketing", True, "verbal")  # never asked about email
    return ids


def _names(found: list) -> set[str]:  # type: ignore[type-arg]
    return {summary.name.split()[0].lower() for summary in found}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("granted", {"ana", "cai"}),
        ("withdrawn", {"ben"}),
        ("expired", {"dee"}),  # email marketing consent lapses after 730 days
        ("never_asked", {"eva"}),
    ],
)
def test_each_consent_state_lists_the_right_people(
    owner_session: Session, shop: dict[str, int], state: str, expected: set[str]
) -> None:
    contacts = ContactService(owner_session)
    assert _names(contacts.page(where=_consented(state))) == expected
    assert _names(contacts.search("", where=_consented(state))) == expected
    assert _names(contacts.search("example", where=_consented(state))) == expected  # with a search


def test_consent_filter_agrees_with_the_consent_panel(owner_session: Session, shop: dict[str, int]) -> None:
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    granted = {s.id for s in contacts.page(where=_consented("granted"))}
    for contact_id in shop.values():
        state = next(s for s in consent.states(contact_id) if s.purpose.key == "email_marketing")
        assert state.granted == (contact_id in granted)
    assert granted == set(consent.eligible_ids("email_marketing"))


def test_a_purpose_without_expiry_never_counts_as_expired(owner_session: Session, shop: dict[str, int]) -> None:
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    consent.record(shop["dee"], "cross_border", True, "verbal", at=datetime.now(UTC) - timedelta(days=5000))
    assert _names(contacts.page(where=_consented("granted", "cross_border"))) == {"dee"}
    assert contacts.page(where=_consented("expired", "cross_border")) == []


def test_an_opt_out_of_sale_or_sharing_overrides_a_grant(owner_session: Session, shop: dict[str, int]) -> None:
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    consent.record(shop["ana"], "sale_sharing", True, "verbal")
    consent.record(shop["ben"], "sale_sharing", True, "verbal")
    consent.set_flag(shop["ben"], "opt_out_sale_sharing", True)
    assert _names(contacts.page(where=_consented("granted", "sale_sharing"))) == {"ana"}


def test_filters_combine_with_each_other_and_with_search(owner_session: Session, shop: dict[str, int]) -> None:
    contacts = ContactService(owner_session)
    vip = next(tag_id for tag_id, name in contacts.tags() if name == "vip")
    assert _names(contacts.page(where=ContactFilter(tag_id=vip))) == {"ana", "cai", "eva"}
    both = ContactFilter(tag_id=vip, consent_purpose="email_marketing", consent_state="granted")
    assert _names(contacts.page(where=both)) == {"ana", "cai"}
    assert _names(contacts.search("cai", where=both)) == {"cai"}
    assert contacts.search("ben", where=both) == []  # matches the search, not the filter
    assert _names(contacts.search("ana", where=_consented("granted"))) == {"ana"}
    assert contacts.search("ana", where=_consented("withdrawn")) == []
    me = owner_session.user.id
    assert [name for _id, name in contacts.owners()] == ["Ana Owner"]
    assert len(contacts.page(where=ContactFilter(owner_user_id=me))) == 5
    assert contacts.page(where=ContactFilter(owner_user_id=me + 1)) == []
    # A search reads a match's row only for the owner condition; each way must filter the same
    mine = ContactFilter(tag_id=vip, owner_user_id=me)
    assert _names(contacts.search("example", where=mine)) == {"ana", "cai", "eva"}
    assert contacts.search("example", where=ContactFilter(tag_id=vip, owner_user_id=me + 1)) == []
    contacts.update(
        shop["eva"],
        ContactInput(
            given_name="Eva",
            family_name="Stein",
            tags=["vip"],
            points=[ContactPointInput("email", "eva@example.org"), ContactPointInput("phone", "+44 7700 900123")],
        ),
    )
    for where in (ContactFilter(tag_id=vip), ContactFilter(owner_user_id=me), _consented("never_asked")):
        assert _names(contacts.search("7700 900", where=where)) == {"eva"}  # the phone index, filtered
    assert contacts.search("7700 900", where=_consented("granted")) == []


def test_the_filter_keeps_name_order_and_pages_across_the_boundary(owner_session: Session) -> None:
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    ids = contacts.create_many([_person(f"Person{n:03d}", "Test", f"p{n}@example.org") for n in range(120)], "test")
    consent.record_imported(
        [(contact_id, "email_marketing", n % 3 == 0, "test.csv") for n, contact_id in enumerate(ids) if n % 2 == 0]
    )
    granted = {contact_id for n, contact_id in enumerate(ids) if n % 6 == 0}  # asked (even) and said yes (n % 3)
    where = _consented("granted")
    first = contacts.page(limit=7, where=where)
    assert len(first) == 7
    second = contacts.page(after=contacts.sort_position(first[-1].id), limit=7, where=where)
    assert second and second[0].name > first[-1].name and not {s.id for s in first} & {s.id for s in second}
    walked = list(
        pages(
            lambda after: contacts.page(after=after, limit=7, where=where), lambda last: contacts.sort_position(last.id)
        )
    )
    assert {s.id for s in walked} == granted and len(walked) == 20
    assert [s.name for s in walked] == sorted(s.name for s in walked)
    never = list(
        pages(
            lambda after: contacts.page(after=after, limit=7, where=_consented("never_asked")),
            lambda last: contacts.sort_position(last.id),
        )
    )
    assert len(never) == 60
    assert len(contacts.search("example", limit=1000, where=where)) == 20  # filtered before the search's cut


def test_a_filtered_search_is_not_cut_before_the_filter(owner_session: Session) -> None:
    """The search ranks at most a few times its limit; the filter applies first, so rare matches still show."""
    contacts, consent = ContactService(owner_session), ConsentService(owner_session)
    ids = contacts.create_many([_person(f"Shared{n:03d}", "Name", f"s{n}@example.org") for n in range(200)], "test")
    consent.record(ids[-1], "email_marketing", True, "verbal")
    found = contacts.search("shared", limit=5, where=_consented("granted"))
    assert [s.id for s in found] == [ids[-1]]


def test_bad_filters_are_refused(owner_session: Session, shop: dict[str, int]) -> None:
    contacts = ContactService(owner_session)
    with pytest.raises(InvalidInput, match="Unknown purpose"):
        contacts.page(where=_consented("granted", "no_such_purpose"))
    with pytest.raises(InvalidInput, match="Unknown consent state"):
        contacts.page(where=_consented("maybe"))
    with pytest.raises(InvalidInput, match="does not rest on consent"):
        contacts.page(where=_consented("granted", "postal_mail"))


def test_staff_may_filter_and_the_sql_texts_stay_few(
    new_vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = open_session(new_vault[0], "Ana Owner", "owner-pass-1")
    UserService(owner, kdf.CHEAP).add("Bea Staff", Role.STAFF, "temporary-1")
    ContactService(owner).create(_person("Ana", "Lima", "ana@example.org", ["vip"]))
    owner.vault.close()
    staff = open_session(new_vault[0], "Bea Staff", "temporary-1")
    UserService(staff, kdf.CHEAP).change_own_password("temporary-1", "bea-own-pass-1")
    try:
        statements: list[str] = []

        class Recording:
            def execute(self, sql: str, args: object = ()) -> object:
                statements.append(sql)
                return staff.conn.execute(sql, args)

        monkeypatch.setattr(ContactService, "conn", property(lambda self: Recording()))
        contacts = ContactService(staff)
        vip = contacts.tags()[0][0]
        for state in ("granted", "withdrawn", "expired", "never_asked"):
            for tag_id in (None, vip, vip):
                where = ContactFilter(tag_id=tag_id, consent_purpose="email_marketing", consent_state=state)
                assert len(contacts.page(where=where)) <= 1
                contacts.search("ana", where=where)
                contacts.search("0151", where=where)  # digits: the phone index too
        # A list, a text search and a digits search per combination of filters: no statement made per call.
        assert len(set(statements) - {statements[0]}) == 4 * 2 * 3
        owners = contacts.owners()
        assert [name for _id, name in owners] == ["Ana Owner", "Bea Staff"]
        assert len(contacts.page(where=ContactFilter(owner_user_id=owners[0][0]))) == 1
        assert contacts.page(where=ContactFilter(owner_user_id=owners[1][0])) == []
    finally:
        staff.vault.close()


def test_export_writes_only_the_filtered_people(owner_session: Session, shop: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "granted.csv"
    assert export_csv(owner_session, out, "", _consented("granted")) == 2
    assert export_csv(owner_session, out, "ana", _consented("granted")) == 1


# --- several organisations ---------------------------------------------------------------------------------


def test_a_person_with_two_organisations(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    ana = contacts.create(
        ContactInput(
            given_name="Ana",
            family_name="Lima",
            organisations=[("Corner Bakery", "Buyer"), ("Flower Guild", "Treasurer")],
        )
    )
    record = contacts.get(ana)
    assert [(name, title) for _id, name, title in record.organisations] == [
        ("Corner Bakery", "Buyer"),
        ("Flower Guild", "Treasurer"),
    ]
    assert [s.id for s in contacts.search("bakery")] == [ana]
    assert [s.id for s in contacts.search("guild")] == [ana]
    assert contacts.page()[0].organisation in ("Corner Bakery", "Flower Guild")

    contacts.update(
        ana,
        ContactInput(
            given_name="Ana", family_name="Lima", organisations=[("Flower Guild", "Chair"), ("Market Hall", "")]
        ),
    )
    record = contacts.get(ana)
    assert [(name, title) for _id, name, title in record.organisations] == [
        ("Flower Guild", "Chair"),
        ("Market Hall", ""),
    ]
    assert contacts.search("bakery") == [] and [s.id for s in contacts.search("market hall")] == [ana]
    assert [s.id for s in contacts.search("guild")] == [ana]

    contacts.update(
        ana, ContactInput(given_name="Ana", family_name="Lima", organisation="Corner Bakery", job_title="Owner")
    )  # the single fields still work, and replace the links
    assert [(n, t) for _id, n, t in contacts.get(ana).organisations] == [("Corner Bakery", "Owner")]


def test_organisation_rows_are_cleaned(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    ana = contacts.create(
        ContactInput(
            given_name="Ana",
            organisations=[("  Corner Bakery ", " Buyer "), ("", ""), ("corner bakery", "Again"), ("Guild", "")],
        )
    )
    assert [(n, t) for _id, n, t in contacts.get(ana).organisations] == [("Corner Bakery", "Buyer"), ("Guild", "")]
    with pytest.raises(InvalidInput, match="name of the organisation"):
        contacts.create(ContactInput(given_name="Ben", organisations=[("", "Buyer")]))


def test_bulk_create_writes_every_organisation(owner_session: Session) -> None:
    contacts = ContactService(owner_session)
    ids = contacts.create_many(
        [
            ContactInput(given_name="Ana", organisations=[("Corner Bakery", "Buyer"), ("Flower Guild", "Treasurer")]),
            ContactInput(given_name="Ben", organisation="Corner Bakery", job_title="Baker"),
        ],
        source="test",
    )
    assert [(n, t) for _id, n, t in contacts.get(ids[0]).organisations] == [
        ("Corner Bakery", "Buyer"),
        ("Flower Guild", "Treasurer"),
    ]
    assert [(n, t) for _id, n, t in contacts.get(ids[1]).organisations] == [("Corner Bakery", "Baker")]
    assert {s.id for s in contacts.search("bakery")} == set(ids)
    assert [s.id for s in contacts.search("guild")] == [ids[0]]
