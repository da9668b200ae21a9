"""Unlock cost with the KDF parameters calibrated on this computer, against a raw-key SQLCipher open."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import keyring
import sqlcipher3

from app.store import database
from app.vault import kdf
from app.vault.vault import Vault
from bench.report import figure


def _timed(action, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # measure the password-only path the same everywhere
    started = time.perf_counter()
    params = kdf.calibrate()
    calibrate_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.vault"
        vault, _ = Vault.create(path, "Bench Owner", "bench-password", kdf_params=params)
        key = vault.data_key()
        vault.close()
        unlock = _timed(lambda: Vault.unlock(path, "Bench Owner", "bench-password").close(), 5)

        def raw_open() -> None:
            conn = sqlcipher3.connect(str(path))
            conn.execute(database.key_pragma(key))
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.close()

        raw = _timed(raw_open, 20)
    figure("kdf_memory", params.memory_kib // 1024, "MiB", digits=0)
    figure("kdf_time_cost", params.time_cost, "passes", digits=0)
    figure("kdf_parallelism", params.parallelism, "lanes", digits=0)
    figure("kdf_calibration", calibrate_s * 1000, "ms", digits=0)
    figure("raw_key_open_median", statistics.median(raw) * 1000, "ms", digits=2)
    figure(
        "unlock_median",
        statistics.median(unlock) * 1000,
        "ms",
        digits=0,
        goal="0.3-0.7 s (key derivation calibrated to it)",
        floor="raw_key_open_median",
        ratios=[u / statistics.median(raw) for u in unlock],
    )


if __name__ == "__main__":
    main()
