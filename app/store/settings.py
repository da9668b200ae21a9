"""The vault's settings, one registry: each key, its type, its default and who may change it.

This module is the `setting` table's only writer (migrations aside), so a key has one spelling, one type and one
permission wherever it is read. It sits in store because the vault reads the backup folder before it migrates;
the permission is named by its value (app.access.roles.Permission), which app.access.settings enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.store.database import Connection

T = TypeVar("T", int, str)


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    parse: Callable[[str], T]  # the stored text as a value (a value that does not parse reads as the default)
    default: T
    changed_by: str  # the Permission value whose holders may change it
    former_key: str | None = None  # its name before schema 19, for a vault read before it migrates
    prefix: bool = False  # a family: `key` + a suffix (one setting per purpose)


def _int(text: str) -> int:
    return int(text)


SETTINGS = "manage_settings"
POLICIES = "manage_policies"

LOCK_IDLE_MINUTES = Setting("lock.idle_minutes", _int, 5, SETTINGS, former_key="idle_lock_minutes")
BACKUP_FOLDER = Setting("backup.folder", str, "", "backup", former_key="backup_dir")
BACKUP_LAST_DRILL = Setting("backup.last_drill", str, "", "backup", former_key="last_drill_at")
REQUESTS_PIPL_DAYS = Setting("requests.pipl_days", _int, 15, POLICIES, former_key="pipl_request_days")
SHOP_NAME = Setting("shop.name", str, "", SETTINGS)
SHOP_ADDRESS = Setting("shop.address", str, "", SETTINGS)
SHOP_COUNTRY = Setting("shop.country", str, "", SETTINGS)
SHOP_CURRENCY = Setting("shop.currency", str, "", SETTINGS)
SHOP_LANGUAGE = Setting("shop.language", str, "", SETTINGS)
SHOP_CONTACT = Setting("shop.contact", str, "", SETTINGS)
SHOP_DPO = Setting("shop.dpo", str, "", SETTINGS)
SHOP_REPRESENTATIVE = Setting("shop.representative", str, "", POLICIES)
ROPA_RECIPIENTS = Setting("ropa.recipients", str, "", POLICIES)
ROPA_TRANSFERS = Setting("ropa.transfers", str, "", POLICIES)
ROPA_PURPOSE_RECIPIENTS = Setting("ropa.recipients.", str, "", POLICIES, prefix=True)  # + a purpose key
NOTICE_EXTRA = Setting("notice.extra.", str, "", POLICIES, prefix=True)  # + a language: the owner's own words

REGISTRY: dict[str, Setting[int] | Setting[str]] = {
    s.key: s
    for s in (
        LOCK_IDLE_MINUTES,
        BACKUP_FOLDER,
        BACKUP_LAST_DRILL,
        REQUESTS_PIPL_DAYS,
        SHOP_NAME,
        SHOP_ADDRESS,
        SHOP_COUNTRY,
        SHOP_CURRENCY,
        SHOP_LANGUAGE,
        SHOP_CONTACT,
        SHOP_DPO,
        SHOP_REPRESENTATIVE,
        ROPA_RECIPIENTS,
        ROPA_TRANSFERS,
        ROPA_PURPOSE_RECIPIENTS,
        NOTICE_EXTRA,
    )
}


def setting_for(key: str) -> Setting[int] | Setting[str] | None:
    """The registered setting a stored key belongs to (a family's member included), or None."""
    if key in REGISTRY:
        return REGISTRY[key]
    return next((s for s in REGISTRY.values() if s.prefix and key.startswith(s.key) and key != s.key), None)


def _key(setting: Setting[T], suffix: str) -> str:
    if setting.prefix != bool(suffix):
        raise ValueError(f"{setting.key}: a family's member needs a suffix; a single setting takes none")
    return setting.key + suffix


def read(conn: Connection, setting: Setting[T], suffix: str = "") -> T:
    keys = [_key(setting, suffix)] + ([setting.former_key] if setting.former_key else [])
    rows = dict(
        conn.execute(f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(keys))})", keys).fetchall()
    )
    text = next((str(rows[key]) for key in keys if key in rows), None)
    if text is None:
        return setting.default
    try:
        return setting.parse(text)
    except ValueError:
        return setting.default


def read_all(conn: Connection, settings: Sequence[Setting[str]]) -> list[str]:
    """Several text settings in one query (the shop profile on every document and country lookup)."""
    keys = [s.key for s in settings] + [s.former_key for s in settings if s.former_key]
    rows = dict(
        conn.execute(f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(keys))})", keys).fetchall()
    )
    return [str(rows.get(s.key, rows.get(s.former_key or "", s.default))) for s in settings]


def read_family(conn: Connection, setting: Setting[T]) -> dict[str, T]:
    """Every member of a family that is set, by suffix."""
    found: dict[str, T] = {}
    for key, text in conn.execute(
        "SELECT key, value FROM setting WHERE substr(key, 1, ?) = ?", (len(setting.key), setting.key)
    ):
        suffix = str(key)[len(setting.key) :]
        if suffix:
            try:
                found[suffix] = setting.parse(str(text))
            except ValueError:
                continue
    return found


def write(conn: Connection, setting: Setting[T], value: T, suffix: str = "") -> None:
    """Store `value` inside the caller's transaction; the caller has checked `setting.changed_by` and audits."""
    conn.execute(
        "INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_key(setting, suffix), str(value)),
    )
