"""Failed-unlock throttling per user: 1 s, 2 s, 4 s … capped, remembered across restarts.

Kept in a small file beside the vault because it must be read before the database can be opened. It is a
speed bump for someone guessing at the till; offline guessing is what the KDF and device secret are for.
"""

from __future__ import annotations

import json
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from app.errors import LockedOut
from app.fileio import atomic_write
from app.locale import _, ngettext
from app.vault.keyfile import user_key

MAX_DELAY_SECONDS = 300.0


def delay_after(failures: int) -> float:
    """Seconds a user must wait after `failures` consecutive failed unlocks."""
    if failures <= 0:
        return 0.0
    return float(min(MAX_DELAY_SECONDS, 2 ** (failures - 1)))


@dataclass
class FailureRecord:
    failures: int
    last_failure: float
    times: list[float]


class LockoutBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.warning: str | None = None  # set when a failed attempt could not be written to the file

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):  # missing, unreadable: the counts in memory still hold
            return {}
        return data if isinstance(data, dict) else {}

    def _key(self, user: str) -> tuple[str, str]:
        return str(self.path.absolute()), user_key(user)

    def record(self, user: str) -> FailureRecord:
        entry = self._read().get(user_key(user)) or {}
        times = [float(t) for t in entry.get("times", []) or []]  # type: ignore[attr-defined]
        stored = FailureRecord(
            int(entry.get("failures", 0) or 0),  # type: ignore[call-overload]
            float(entry.get("last_failure", 0.0) or 0.0),  # type: ignore[arg-type]
            times,
        )
        unrecorded = _UNRECORDED.get(self._key(user))
        if unrecorded is not None and unrecorded.failures > stored.failures:
            return unrecorded
        return stored

    def wait_seconds(self, user: str, now: float | None = None) -> float:
        record = self.record(user)
        now = time.time() if now is None else now
        return max(0.0, record.last_failure + delay_after(record.failures) - now)

    def check(self, user: str, now: float | None = None) -> None:
        wait = self.wait_seconds(user, now)
        if wait > 0:
            seconds = int(wait + 0.999)
            raise LockedOut(
                ngettext(
                    "Too many wrong passwords for {user}. Try again in {seconds} second.",
                    "Too many wrong passwords for {user}. Try again in {seconds} seconds.",
                    seconds,
                ).format(user=user, seconds=seconds),
                wait,
            )

    def fail(self, user: str, now: float | None = None) -> FailureRecord:
        now = time.time() if now is None else now
        data = self._read()
        record = self.record(user)
        record = FailureRecord(record.failures + 1, now, (record.times + [now])[-50:])
        data[user_key(user)] = {"failures": record.failures, "last_failure": record.last_failure, "times": record.times}
        self.warning = None
        try:
            atomic_write(self.path, json.dumps(data).encode("utf-8"), vault_file=True)
        except OSError as exc:  # a read-only folder, a full disk: still slow the guessing down in this process
            _UNRECORDED[self._key(user)] = record
            self.warning = _(
                "Could not record the failed attempt in {path}: {reason}; counting it for this run only."
            ).format(path=self.path, reason=exc.strerror or type(exc).__name__)
        else:
            _UNRECORDED.pop(self._key(user), None)
        return record

    def succeed(self, user: str) -> FailureRecord:
        """Clear the user's failures; returns what was cleared so it can be written to the audit log."""
        data = self._read()
        record = self.record(user)
        _UNRECORDED.pop(self._key(user), None)
        if data.pop(user_key(user), None) is not None:
            with suppress(OSError):  # the right password still opens a vault on a read-only drive
                atomic_write(self.path, json.dumps(data).encode("utf-8"), vault_file=True)
        return record


# Failed attempts that could not be written to their .lockout file, per file and user, for this process's life.
_UNRECORDED: dict[tuple[str, str], FailureRecord] = {}
