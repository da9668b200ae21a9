"""Storage choices made for speed (no IN-list CHECKs, one savepoint name), and that they change no rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from app.store import database, migrations
from app.vault import kdf
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD

KEY = bytes(range(32))


def test_fresh_and_upgraded_vaults_have_no_in_list_checks(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, schema_target=7)
    with database.transaction(vault.db) as conn:
        contact = conn.execute(
            "INSERT INTO contact(given_name, family_name, display_name, sort_key, created_at, "
            "updated_at) VALUES ('Ana', 'Ruiz', 'Ana Ruiz', 'ana ruiz', 'x', 'x')"
        ).lastrowid
        conn.execute(
            "INSERT INTO contact_point(contact_id, kind, value, normalized, created_at) "
            "VALUES (?, 'phone', '+34 600', '+34600', 'x')",
            (contact,),
        )
    assert vault.db.execute("SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%IN (''%'").fetchone()[0] > 0
    vault.close()

    with Vault.unlock(vault_path, OWNER, OWNER_PASSWORD) as upgraded:
        conn = upgraded.db
        assert migrations.schema_version(conn) == migrations.LATEST
        checks = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table'")]
        assert not [sql for sql in checks if "CHECK (" in sql and " IN (" in sql]
        assert conn.execute("SELECT kind FROM contact_point").fetchall() == [("phone",)]
        assert database.integrity_problems(conn) == []
        # The same rules hold: a value outside the list is refused, every listed one accepted.
        with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"), database.transaction(conn):
            conn.execute(
                "INSERT INTO contact_point(contact_id, kind, value, normalized, created_at) "
                "VALUES (?, 'fax', '1', '1', 'x')",
                (contact,),
            )
        with database.transaction(conn):
            for kind in ("email", "phone", "address"):
                conn.execute(
                    "INSERT INTO contact_point(contact_id, kind, value, normalized, created_at) "
                    "VALUES (?, ?, 'v', 'v', 'x')",
                    (contact, kind),
                )
        with pytest.raises(sqlcipher3.IntegrityError, match="CHECK"), database.transaction(conn):
            conn.execute("UPDATE user SET role = 'admin'")


def test_rewritten_checks_keep_null_and_multiline_lists() -> None:
    sql = (
        "CREATE TABLE t (a TEXT CHECK (a IN ('x', 'y',\n 'z')), b INTEGER NOT NULL CHECK (b IN (0, 1)), "
        "c TEXT CHECK (c IN ('p', 'q', 'r')))"
    )
    rewritten = migrations._CHECK_IN_LIST.sub(migrations._check_as_comparisons, sql)
    assert "CHECK (a = 'x' OR a = 'y' OR a = 'z')" in rewritten and "CHECK (b = 0 OR b = 1)" in rewritten
    conn = sqlcipher3.connect(":memory:")
    conn.execute(rewritten)
    conn.execute("INSERT INTO t VALUES (NULL, 1, 'r')")  # NULL passes a CHECK, as with IN
    with pytest.raises(sqlcipher3.IntegrityError):
        conn.execute("INSERT INTO t VALUES ('w', 0, 'p')")


def test_nested_transactions_share_one_savepoint_name(tmp_path: Path) -> None:
    conn = database.connect(tmp_path / "nest.db", KEY, create=True)
    conn.execute("CREATE TABLE t (v TEXT)")
    with database.transaction(conn):
        conn.execute("INSERT INTO t VALUES ('outer')")
        with database.transaction(conn):
            conn.execute("INSERT INTO t VALUES ('kept')")
            with pytest.raises(RuntimeError), database.transaction(conn):
                conn.execute("INSERT INTO t VALUES ('undone')")
                raise RuntimeError
        with pytest.raises(RuntimeError), database.transaction(conn):
            conn.execute("INSERT INTO t VALUES ('undone too')")
            with database.transaction(conn):
                conn.execute("INSERT INTO t VALUES ('inner of undone')")
            raise RuntimeError
    assert [v for (v,) in conn.execute("SELECT v FROM t")] == ["outer", "kept"]
    conn.close()


def test_bulk_work_gets_a_larger_page_cache_and_gives_it_back(tmp_path: Path) -> None:
    conn = database.connect(tmp_path / "cache.db", KEY, create=True)
    default = conn.execute("PRAGMA cache_size").fetchone()[0]
    with database.bulk_cache(conn):
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == -database.BULK_CACHE_KIB
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == default
    with pytest.raises(RuntimeError), database.bulk_cache(conn, 1024):
        raise RuntimeError
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == default
    conn.close()


def test_nested_bulk_work_keeps_the_larger_cache_until_the_outermost_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trims: list[int] = []
    monkeypatch.setattr(database, "give_back_free_memory", lambda: trims.append(1) or True)
    conn = database.connect(tmp_path / "nested.db", KEY, create=True)
    default = conn.execute("PRAGMA cache_size").fetchone()[0]
    with database.bulk_cache(conn):
        with database.bulk_cache(conn):  # create_many inside an import's transaction
            pass
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == -database.BULK_CACHE_KIB and trims == []
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == default and trims == [1]
    conn.close()


def test_migrations_are_numbered_one_to_latest_in_order() -> None:
    """LATEST is the last migration's number and migrate() walks the list in order: a number skipped, repeated or
    appended out of order (two branches each adding one) would leave a fresh vault without a step."""
    versions = [migration.version for migration in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == migrations.LATEST
