"""Customers: services, permissions, search correctness and CSV export, on a real vault."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.access.users import UserService
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from app.crm.export import export_csv
from app.errors import InvalidInput, PermissionDenied
from tests.conftest import OWNER, OWNER_PASSWORD


def person(
    given: str,
    family: str,
    *,
    email: str = "",
    phone: str = "",
    org: str = "",
    tags: list[str] | None = None,
    note: str = "",
) -> ContactInput:
    points = [ContactPointInput("email", email)] if email else []
    points += [ContactPointInput("phone", phone)] if phone else []
    return ContactInput(
        given_name=given, family_name=family, points=points, organisation=org, tags=tags or [], note=note
    )


@pytest.fixture
def people(owner_session: Session) -> dict[str, int]:
    service = ContactService(owner_session)
    return {
        "wang": service.create(person("芳", "王", email="wang.fang@example.cn", phone="+86 139 1234 5678")),
        "wangwei": service.create(person("伟", "王", phone="+86 139 8765 4321")),
        "jose": service.create(
            person(
                "José",
                "Núñez",
                email="jose.nunez@example.es",
                phone="+34 612 345 678",
                org="Café Central",
                tags=["VIP"],
            )
        ),
        "zoe": service.create(person("Zoë", "Müller", email="zoe@example.de", note="Buys lilies every Friday")),
        "formula": service.create(person("=cmd|' /C calc'!A0", "Evil", email="evil@example.org")),
    }


def ids(results: list) -> set[int]:  # type: ignore[type-arg]
    return {r.id for r in results}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("王", {"wang", "wangwei"}),  # one CJK character: an index lookup
        ("王芳", {"wang"}),
        ("nunez", {"jose"}),  # accents folded
        ("Núñ", {"jose"}),  # prefix as you type
        ("jose.nunez@exa", {"jose"}),  # part of an email
        ("muller", {"zoe"}),
        ("cafe", {"jose"}),  # organisation
        ("vip", {"jose"}),  # tag
        ("lilies", {"zoe"}),  # note
        ("5678", {"wang", "jose"}),  # digit fragment anywhere in a phone number (jose: 612 345 678)
        ("139 8765", {"wangwei"}),
        ("nobody-matches-this", set()),
    ],
)
def test_search(owner_session: Session, people: dict[str, int], query: str, expected: set[str]) -> None:
    found = ids(ContactService(owner_session).search(query))
    assert found == {people[name] for name in expected}


def test_empty_search_lists_everyone_in_name_order(owner_session: Session, people: dict[str, int]) -> None:
    names = [c.name for c in ContactService(owner_session).search("")]
    assert len(names) == len(people)
    assert names.index("José Núñez") < names.index("Zoë Müller")


def test_keyset_pages_cover_everyone_once(owner_session: Session, people: dict[str, int]) -> None:
    service = ContactService(owner_session)
    seen, after = [], None
    while page := service.page(after=after, limit=2):
        seen += [c.id for c in page]
        after = service.sort_position(page[-1].id)
    assert sorted(seen) == sorted(people.values()) and len(seen) == len(set(seen))


def test_phone_and_email_are_normalised(owner_session: Session, people: dict[str, int]) -> None:
    record = ContactService(owner_session).get(people["jose"])
    assert {(p.kind, p.normalized) for p in record.points} == {
        ("email", "jose.nunez@example.es"),
        ("phone", "+34612345678"),
    }
    assert record.organisations[0][1] == "Café Central" and record.tags == ["VIP"]


@pytest.mark.parametrize("point", [ContactPointInput("email", "not-an-email"), ContactPointInput("phone", "12")])
def test_bad_contact_details_are_refused(owner_session: Session, point: ContactPointInput) -> None:
    with pytest.raises(InvalidInput):
        ContactService(owner_session).create(ContactInput(given_name="A", points=[point]))
    assert owner_session.conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 0


def test_reading_a_record_is_audited(owner_session: Session, people: dict[str, int]) -> None:
    ContactService(owner_session).get(people["zoe"])
    row = owner_session.conn.execute("SELECT action, entity_id FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    assert row == ("contact.read", str(people["zoe"]))


def test_delete_hides_from_search_and_restore_brings_back(owner_session: Session, people: dict[str, int]) -> None:
    service = ContactService(owner_session)
    service.delete(people["zoe"])
    assert people["zoe"] not in ids(service.search("muller"))
    assert people["zoe"] not in ids(service.search(""))
    service.restore(people["zoe"])
    assert people["zoe"] in ids(service.search("muller"))


def test_update_reindexes(owner_session: Session, people: dict[str, int]) -> None:
    service = ContactService(owner_session)
    service.update(people["zoe"], person("Zoë", "Schmidt", email="zoe@example.de"))
    assert ids(service.search("muller")) == set()
    assert ids(service.search("schmidt")) == {people["zoe"]}


def test_export_neutralises_formulas_and_is_audited(
    owner_session: Session, people: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "customers.csv"
    assert export_csv(owner_session, out) == len(people)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    evil = next(r for r in rows if "Evil" in r["name"])
    assert evil["name"].startswith("'=")
    assert {r["name"] for r in rows} >= {"王芳", "José Núñez"}
    last = owner_session.conn.execute("SELECT action, summary FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    assert last == ("contact.export", f"{len(people)} rows")


def test_filtered_export(owner_session: Session, people: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "wang.csv"
    assert export_csv(owner_session, out, "王") == 2


@pytest.fixture
def staff_session(owner_session: Session) -> Session:
    UserService(owner_session).add("Sam", "staff", "temporary-1")
    path = owner_session.vault.paths.database
    owner_session.lock()
    session = open_session(path, "Sam", "temporary-1")
    UserService(session).change_own_password("temporary-1", "sams-password")
    return session


def test_staff_edit_but_cannot_bulk_export(staff_session: Session, tmp_path: Path) -> None:
    contact_id = ContactService(staff_session).create(person("Kim", "Lee"))
    assert ContactService(staff_session).get(contact_id).display_name == "Kim Lee"
    with pytest.raises(PermissionDenied):
        export_csv(staff_session, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    staff_session.vault.close()


def test_cli_search_json_demo_and_export(new_vault: tuple[Path, str], tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path, login = new_vault[0], OWNER_PASSWORD + "\n"
    assert run_cli("demo", path, "--user", OWNER, "--contacts", "300", "--password-stdin", stdin=login).code == 0
    result = run_cli("search", path, "--user", OWNER, "", "--limit", "5", "--json", "--password-stdin", stdin=login)
    assert result.code == 0, result.err
    listed = json.loads(result.out)
    assert len(listed) == 5 and {"id", "name", "email", "phone"} <= set(listed[0])
    names = [entry["name"] for entry in listed]
    from app.store.search_index import fold

    assert [fold(n) for n in names] == sorted(fold(n) for n in names)
    chinese = json.loads(run_cli("search", path, "--user", OWNER, "王", "--json", "--password-stdin", stdin=login).out)
    assert chinese and all("王" in entry["name"] for entry in chinese)
    out = tmp_path / "all.csv"
    exported = run_cli("export", path, "--user", OWNER, "--csv", out, "--password-stdin", stdin=login)
    assert exported.code == 0 and len(out.read_text(encoding="utf-8-sig").splitlines()) == 301
    for nothing_to_search in ("#", "🙂", "—"):  # once listed everyone: the whole vault went out
        symbols = tmp_path / "symbols.csv"
        result = run_cli(
            "export",
            path,
            "--user",
            OWNER,
            "--csv",
            symbols,
            "--query",
            nothing_to_search,
            "--password-stdin",
            stdin=login,
        )
        assert result.code == 0 and symbols.read_text(encoding="utf-8-sig").splitlines() == [
            "id,name,email,phone,organisation"
        ]
        found = run_cli("search", path, "--user", OWNER, nothing_to_search, "--json", "--password-stdin", stdin=login)
        assert found.code == 0 and json.loads(found.out) == []


def test_cli_staff_export_exit_4(staff_session: Session, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = staff_session.vault.paths.database
    staff_session.vault.close()
    result = run_cli(
        "export", path, "--user", "Sam", "--csv", tmp_path / "x.csv", "--password-stdin", stdin="sams-password\n"
    )
    assert result.code == 4 and "export" in result.err


def test_vault_from_schema_2_gains_the_crm_tables(vault_path: Path) -> None:
    from app.store import migrations
    from app.vault import kdf
    from app.vault.vault import Vault

    Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=2)[0].close()
    session = open_session(vault_path, OWNER, OWNER_PASSWORD)
    assert migrations.schema_version(session.conn) == migrations.LATEST
    assert ContactService(session).create(person("Ana", "Old")) > 0
    stages = session.conn.execute("SELECT count(*) FROM stage WHERE pipeline_id = 1").fetchone()[0]
    assert stages == 4
    session.vault.close()


def test_bulk_create_in_batches_writes_every_detail(owner_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.crm import contacts as contacts_module

    monkeypatch.setattr(contacts_module, "BULK_BATCH", 3)  # several flushes and a partial last batch
    contacts = ContactService(owner_session)
    rows = [
        ContactInput(
            given_name=f"Bulk{i}",
            family_name="Müller",
            organisation="Corner Bakery" if i % 2 else "",
            job_title="Baker" if i % 2 else "",
            tags=["vip", "VIP"] if i == 4 else ["wholesale"],
            note=f"likes rye {i}" if i == 5 else "",
            points=[
                ContactPointInput("email", f"bulk{i}@example.org"),
                ContactPointInput("email", f"second{i}@example.org"),
                ContactPointInput("phone", f"+44 7700 900{i:03d}"),
            ],
        )
        for i in range(7)
    ]
    ids = contacts.create_many(rows, source="test")
    assert ids == sorted(ids) and len(set(ids)) == 7
    record = contacts.get(ids[5])
    assert record.display_name == "Bulk5 Müller" and record.notes[0][2] == "likes rye 5"
    assert [(p.value, p.is_primary) for p in record.points if p.kind == "email"] == [
        ("bulk5@example.org", True),
        ("second5@example.org", False),
    ]
    assert record.organisations[0][1:] == ("Corner Bakery", "Baker")
    assert contacts.get(ids[4]).tags == ["vip"]
    assert [c.id for c in contacts.search("muller bulk3")] == [ids[3]]
    assert [c.id for c in contacts.search("900006")] == [ids[6]]
    assert [c.id for c in contacts.search("rye")] == [ids[5]]
    assert owner_session.conn.execute("SELECT count(*) FROM organisation").fetchone()[0] == 1


def test_person_ids_are_never_reused_after_erasure(owner_session: Session) -> None:
    from app.privacy import erasure

    contacts = ContactService(owner_session)
    first = contacts.create(ContactInput(given_name="Ana"))
    last = contacts.create(ContactInput(given_name="Bea"))
    erasure.erase(owner_session, last)
    again = contacts.create(ContactInput(given_name="Cai"))
    assert again > last > first
    erasure.erase(owner_session, again)
    assert contacts.create_many([ContactInput(given_name="Dan")], source="test")[0] > again


def test_checks_are_remembered_only_inside_the_block() -> None:
    from app.crm import contact_points

    with contact_points.remembered():
        assert contact_points.normalise_email("Ana@Example.org") == "ana@example.org"
        assert contact_points._memo == {("email", "Ana@Example.org", None): "ana@example.org"}
        assert contact_points._domains == {"Example.org": "example.org"}  # kept apart, not emptied with the memo
        with pytest.raises(InvalidInput):
            contact_points.normalise_phone("12", None)  # failures are not remembered
        assert len(contact_points._memo) == 1
    assert contact_points._memo is None and contact_points._domains is None  # nothing kept after the import


ADDRESSES = [
    "ana@example.com",
    "Ana.Garcia+vip@Example.COM",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "x@example.com.",
    "x@-example.com",
    "x@exa_mple.com",
    "o'brien@example.ie",
    "a{b}@example.com",
    "a@localhost",
    "a@example",
    "a" * 64 + "@example.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "user@xn--mller-kva.de",
    "jörg@example.de",
    "a b@example.com",
    '"a b"@example.com',
    "Ana <ana@example.com>",
    "a@b@example.com",
    "a@[1.2.3.4]",
    "a@invalid",
    "a@test.arpa",
    "a(comment)@example.com",
    "a\\b@example.com",
]


def test_a_remembered_domain_gives_the_same_verdict_as_the_full_check() -> None:
    """The import's shortcut (each domain checked once, every local part checked) must accept and refuse
    exactly what email-validator does on its own."""
    from app.crm import contact_points

    def verdict(address: str) -> str:
        try:
            return contact_points._email(address)
        except InvalidInput:
            return "refused"

    alone = [verdict(a) for a in ADDRESSES]
    with contact_points.remembered():
        for address in ADDRESSES:  # teach it every domain first, then ask again with a different local part
            verdict("teach@" + address.rpartition("@")[2])
        assert contact_points._domains is not None and "example.com" in contact_points._domains
        remembered = [verdict(a) for a in ADDRESSES]
    assert remembered == alone
    assert alone.count("refused") >= 12  # the list exercises refusals, not only the easy path


def test_a_common_word_is_ranked_among_its_first_matches_only(
    owner_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.crm import contacts as contacts_module

    contacts = ContactService(owner_session)
    ids = contacts.create_many([ContactInput(given_name=f"Common{i}", note="shared word") for i in range(5)], "t")
    assert {c.id for c in contacts.search("shared", limit=10)} == set(ids)
    monkeypatch.setattr(contacts_module, "RANK_CEILING", 2)
    assert {c.id for c in contacts.search("shared", limit=10)} == set(ids[:2])  # only the first two were ranked
    assert [c.id for c in contacts.search("common4")] == [ids[4]]  # a rare word is unaffected


def test_fold_is_the_same_with_and_without_the_ascii_shortcut() -> None:
    import string
    import unicodedata

    from app.store.search_index import fold

    def slow(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()

    for text in [
        string.printable,
        "  Ana GARCÍA ",
        "Ana Garcia",
        "ﬁne Straße",
        "Ｗａｎｇ",
        "Müller\t",
        "a\u0301\u0323b",
        "ᾷ ΐ ǰ İ ﬃ Ǆ",
        "김민수",
        "مُحَمَّد أحمد",
        "สมชาย ใจดี",
        "Γιώργος\u00a0",
    ]:
        assert fold(text) == slow(text)
    assert fold("  Ana GARCÍA ") == fold("ana garcia") == "ana garcia"
    # fold() translates a character at a time: the same as normalising the whole text, for every character
    from app.store.search_index import _fold_character, _FoldTable

    table = _FoldTable(_fold_character)
    everything = "".join(chr(code) for code in range(0x30000) if not 0xD800 <= code <= 0xDFFF)
    assert everything.translate(table) == slow(everything + "x")[:-1]


def test_search_ids_are_the_search_results_in_the_same_order(owner_session: Session) -> None:
    from app.crm.contacts import ContactFilter

    contacts = ContactService(owner_session)
    contacts.create_many(
        [
            ContactInput(
                given_name=f"Ana{i % 3}",
                family_name="Lima",
                tags=["vip"] if i % 2 else [],
                points=[ContactPointInput("phone", f"+44 7700 9001{i:02d}")],
            )
            for i in range(12)
        ],
        source="test",
    )
    for query, where in (
        ("ana", None),
        ("lima", ContactFilter(tag_id=contacts.tags()[0][0])),
        ("7700 9001", None),
        ("ana1 lima", None),
        ("nobody", None),
    ):
        expected = [c.id for c in contacts.search(query, limit=5, where=where)]
        assert contacts.search_ids(query, limit=5, where=where) == expected
    assert len(contacts.search_ids("lima", limit=50)) == 12
    assert contacts.search_ids("  ", limit=5) == []  # no words: the list, not a search, shows everyone


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("ana.example.com", "it needs an @"),
        ("@example.com", "before the @"),
        ("ana@", "after the @"),
        ("ana@localhost", "needs a dot"),
        ("ana,lima@example.com", "commas"),
    ],
)
def test_a_wrong_email_is_explained_in_the_readers_language(typed: str, says: str) -> None:
    from app.crm import contact_points
    from app.locale import i18n

    with pytest.raises(InvalidInput, match=says):
        contact_points.normalise_email(typed)
    i18n.set_language("de")  # email-validator explains only in English: the app's own words are translated
    try:
        with pytest.raises(InvalidInput) as refused:
            contact_points.normalise_email(typed)
        assert refused.value.args[0].startswith("Das ist keine E-Mail-Adresse")
        assert "@-sign" not in refused.value.args[0]
    finally:
        i18n.set_language("en")


def test_exports_are_private_to_their_owner_and_written_whole(
    owner_session: Session, people: dict[str, int], tmp_path: Path
) -> None:
    """A customer list was written 0644 (anyone on the computer could read it) and half-written on a failure."""
    from app.crm.export import export_csv, write_rows
    from app.crm.vcard import export_vcards

    exports = tmp_path / "exports"
    exports.mkdir()
    out = exports / "customers.csv"
    export_csv(owner_session, out)
    cards = exports / "customers.vcf"
    export_vcards(owner_session, cards)
    for path in (out, cards):
        assert path.stat().st_mode & 0o777 == 0o600, oct(path.stat().st_mode)
    before = out.read_bytes()

    def failing_rows():  # type: ignore[no-untyped-def]
        yield (1, "Ana", "", "", "")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_rows(out, ["id", "name", "email", "phone", "organisation"], failing_rows())
    assert out.read_bytes() == before  # the earlier export is untouched, not half of a new one
    assert sorted(p.name for p in exports.iterdir()) == ["customers.csv", "customers.vcf"]  # no temp file left
