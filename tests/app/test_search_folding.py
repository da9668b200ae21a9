"""Search folds what is indexed and what is typed the same way: Greek accents and final sigma, ß and ss, Arabic
hamza and alef forms, ى ة, harakat and tatweel; a Thai word is found inside a run of Thai written without spaces.
An old vault's index is rebuilt by migration 14 so it finds the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.access.session import Session, open_session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from tests.conftest import OWNER, OWNER_PASSWORD

PEOPLE = {
    "giorgos": ContactInput(given_name="Γιώργος", family_name="Παπαδόπουλος", organisation="Ανθοπωλείο Ελληνικός"),
    "weiss": ContactInput(given_name="Anna", family_name="Weiß", organisation="Blumen an der Straße"),
    "kraus": ContactInput(given_name="Ben", family_name="Kraus", organisation="Strasse Verde"),
    "ahmad": ContactInput(given_name="أحمد", family_name="العلي"),
    "iman": ContactInput(given_name="إيمان", family_name="منصور"),
    "muhammad": ContactInput(given_name="مُحَمَّد", family_name="حسن"),
    "muhammad_plain": ContactInput(given_name="محمد", family_name="الخطيب"),
    "mustafa": ContactInput(given_name="مصطفى", family_name="الشريف"),
    "fatima": ContactInput(given_name="فاطمة", family_name="الزهراء", tags=["عميلة دائمة"]),
    "mumin": ContactInput(given_name="مؤمن", family_name="هانئ"),
    "tatweel": ContactInput(given_name="سـعـيـد", family_name="عبدٱلله"),
    "somchai": ContactInput(given_name="สมชาย", family_name="ใจดี"),
    "somchai_run": ContactInput(display_name="สมชายใจดี"),
    "somsri": ContactInput(given_name="สมศรี", family_name="มีสุข", note="ลูกค้าประจำ"),
    "jose": ContactInput(given_name="José", family_name="Núñez", organisation="Café Central"),
    "wang": ContactInput(given_name="芳", family_name="王"),
    "kim": ContactInput(given_name="민수", family_name="김"),
}


@pytest.fixture
def world(owner_session: Session) -> dict[str, int]:
    contacts = ContactService(owner_session)
    return {key: contacts.create(person) for key, person in PEOPLE.items()}


def found(session: Session, world: dict[str, int], query: str) -> set[str]:
    names = {contact_id: key for key, contact_id in world.items()}
    return {names[c.id] for c in ContactService(session).search(query)}


# Each of these missed (or found too little) before the text was folded for the index.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("γιωργος", {"giorgos"}),  # no tonos, final sigma typed
        ("ΓΙΩΡΓΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", {"giorgos"}),  # capitals: no accents, Σ
        ("παπαδοπουλος", {"giorgos"}),
        ("γιωργ", {"giorgos"}),  # a prefix as you type
        ("ελληνικος", {"giorgos"}),  # the organisation
        ("strasse", {"weiss", "kraus"}),  # ss finds ß
        ("straße", {"weiss", "kraus"}),  # and ß finds ss
        ("weiss", {"weiss"}),
        ("احمد", {"ahmad"}),  # أ as ا
        ("ايمان", {"iman"}),  # إ as ا
        ("محمد", {"muhammad", "muhammad_plain"}),  # harakat dropped in the index
        ("مُحَمَّد", {"muhammad", "muhammad_plain"}),  # ... and in what is typed
        ("مصطفي", {"mustafa"}),  # ى as ي
        ("فاطمه", {"fatima"}),  # ة as ه
        ("عميله", {"fatima"}),  # ... in a tag too
        ("مومن", {"mumin"}),  # ؤ as و
        ("هاني", {"mumin"}),  # ئ as ي
        ("سعيد", {"tatweel"}),  # tatweel dropped
        ("عبدالله", {"tatweel"}),  # ٱ as ا
        ("ใจดี", {"somchai", "somchai_run"}),  # a Thai word inside a run without spaces
        ("ใจด", {"somchai", "somchai_run"}),  # as typed, before the vowel
        ("สมชายใจดี", {"somchai", "somchai_run"}),  # typed without the space finds the name with one
        ("สมชาย ใจดี", {"somchai", "somchai_run"}),
        ("ประจำ", {"somsri"}),  # a word inside a Thai note
    ],
)
def test_search_folds_the_spellings_people_type(
    owner_session: Session, world: dict[str, int], query: str, expected: set[str]
) -> None:
    assert found(owner_session, world, query) == expected


def test_what_already_worked_still_does_and_thai_is_matched_in_order(
    owner_session: Session, world: dict[str, int]
) -> None:
    assert found(owner_session, world, "ดีใจ") == set()  # the same letters in another order are another word
    assert found(owner_session, world, "สม") == {"somchai", "somchai_run", "somsri"}
    assert found(owner_session, world, "ใจดิ") == set()  # a different vowel is a different word
    assert found(owner_session, world, "nunez") == found(owner_session, world, "Núñez") == {"jose"}
    assert found(owner_session, world, "cafe") == {"jose"}
    assert found(owner_session, world, "王") == found(owner_session, world, "王芳") == {"wang"}
    assert found(owner_session, world, "민수") == found(owner_session, world, "김") == {"kim"}
    assert found(owner_session, world, "❤️") == set()  # an emoji (with its variation selector) matches nobody


def _vocabulary(session: Session) -> list[tuple[object, ...]]:
    """Every token of every person, as often as it occurs (the order of a person's fields is not kept: creating
    and editing someone write them in different orders)."""
    conn = session.conn
    conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, contact_search, 'instance')")
    try:
        return sorted(conn.execute("SELECT term, doc FROM temp.words").fetchall())
    finally:
        conn.execute("DROP TABLE temp.words")


def test_a_rebuilt_index_is_the_one_the_services_keep(owner_session: Session, world: dict[str, int]) -> None:
    from app.store import search_index
    from app.store.database import transaction

    contacts = ContactService(owner_session)
    eleni = contacts.create_many(
        [
            ContactInput(
                given_name="Ελένη",
                family_name="Οικονόμου",
                organisation="Straße 7",
                tags=["vip"],
                note="สั่งดอกไม้ทุกสัปดาห์",
                points=[
                    ContactPointInput("email", "eleni@example.gr"),
                    ContactPointInput("address", "Hauptstraße 5, Berlin"),
                ],
            )
        ],
        "test",
    )
    contacts.delete(world["kraus"])  # in the bin: not indexed, by the services or by a rebuild
    before = _vocabulary(owner_session)
    with transaction(owner_session.conn):
        search_index.rebuild(owner_session.conn)
    assert _vocabulary(owner_session) == before
    assert [c.id for c in contacts.search("hauptstrasse")] == eleni
    assert {c.id for c in contacts.search("strasse")} == {world["weiss"], *eleni}
    assert [c.id for c in contacts.search("ดอกไม้")] == eleni  # a Thai word inside a note


def _old_document(parts: list[str]) -> str:
    """How schema 13 indexed a person: the text as typed, CJK characters spaced apart."""
    cjk = r"([\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])"
    return re.sub(cjk, r" \1 ", " ".join(part for part in parts if part))


def test_an_old_vaults_index_is_rebuilt_when_it_opens(vault_path: Path) -> None:
    from app.store import migrations
    from app.store.database import transaction
    from app.vault import kdf
    from app.vault.vault import Vault

    vault = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=13)[0]
    conn = vault.db
    stamp = "2024-01-01T00:00:00+00:00"
    people = [
        (1, "Γιώργος", "Παπαδόπουλος", None, "+30 6912345678"),
        (2, "أحمد", "العلي", None, ""),
        (3, "สมชาย", "ใจดี", None, ""),
        (4, "Zoë", "Müller", None, "+49 15112345678"),
        (5, "芳", "王", None, ""),
        (6, "Γιώργος", "Binned", stamp, ""),
    ]
    with transaction(conn):  # what schema 13 wrote: the person, their details, the index of the text as typed
        for contact_id, given, family, deleted, phone in people:
            display = f"{family}{given}" if family == "王" else f"{given} {family}"
            conn.execute(
                "INSERT INTO contact(id, given_name, family_name, display_name, sort_key, created_at, "
                "updated_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (contact_id, given, family, display, display.casefold(), stamp, stamp, deleted),
            )
            conn.execute(
                "INSERT INTO note(contact_id, body, created_at) VALUES (?, ?, ?)",
                (contact_id, f"Straße {contact_id}", stamp),
            )
            if phone:
                conn.execute(
                    "INSERT INTO contact_point(contact_id, kind, value, normalized, created_at) "
                    "VALUES (?, 'phone', ?, ?, ?)",
                    (contact_id, phone, phone.replace(" ", ""), stamp),
                )
                conn.execute(
                    "INSERT INTO contact_phone_search(rowid, digits) VALUES (?, ?)",
                    (contact_id, phone.replace(" ", "").lstrip("+")),
                )
            if deleted is None:
                conn.execute(
                    "INSERT INTO contact_search(rowid, doc) VALUES (?, ?)",
                    (contact_id, _old_document([display, given, family, f"Straße {contact_id}"])),
                )
    assert conn.execute("SELECT count(*) FROM contact_search WHERE contact_search MATCH 'γιωργοσ'").fetchone()[0] == 0
    vault.close()

    session = open_session(vault_path, OWNER, OWNER_PASSWORD)
    assert migrations.schema_version(session.conn) == migrations.LATEST
    contacts = ContactService(session)
    assert [c.id for c in contacts.search("γιωργος")] == [1]  # not 6: in the bin
    assert [c.id for c in contacts.search("احمد")] == [2]
    assert [c.id for c in contacts.search("ใจดี")] == [3]
    assert [c.id for c in contacts.search("muller")] == [4]
    assert [c.id for c in contacts.search("王")] == [5]
    assert {c.id for c in contacts.search("strasse")} == {1, 2, 3, 4, 5}
    assert [c.id for c in contacts.search("6912345")] == [1]  # the phone index was kept as it was
    contacts.restore(6)
    assert {c.id for c in contacts.search("γιωργος")} == {1, 6}
    session.vault.close()
