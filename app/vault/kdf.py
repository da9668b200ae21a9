"""argon2id password hashing for key slots, calibrated on the computer that creates the slot.

The parameters travel with each slot, so a slot made on a fast desktop still opens (more slowly) on an old
laptop, and tests can create slots with cheap parameters passed explicitly.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import asdict, dataclass

MIN_MEMORY_KIB = 64 * 1024
MAX_MEMORY_KIB = 1024 * 1024
TARGET_SECONDS = 0.5
OUTPUT_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int
    algorithm: str = "argon2id"

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> KdfParams:
        params = cls(
            time_cost=int(data["time_cost"]),  # type: ignore[call-overload]
            memory_kib=int(data["memory_kib"]),  # type: ignore[call-overload]
            parallelism=int(data["parallelism"]),  # type: ignore[call-overload]
            algorithm=str(data.get("algorithm", "argon2id")),
        )
        if params.algorithm != "argon2id":
            raise ValueError(f"unknown KDF {params.algorithm!r}")
        return params


# Only for tests and benchmarks that create many slots: never chosen by the app itself.
CHEAP = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


def normalise_password(password: str) -> bytes:
    """NFC-normalise so that 'é' typed on macOS (decomposed) and Windows (composed) derive the same key."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def derive(password: str, salt: bytes, params: KdfParams) -> bytes:
    # Imported at the first derivation: reading a key file (the app's unlock screen, before it appears) needs none
    from argon2.low_level import Type, hash_secret_raw

    return bytes(
        hash_secret_raw(
            secret=normalise_password(password),
            salt=salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=OUTPUT_BYTES,
            type=Type.ID,
        )
    )


def calibrate(target_seconds: float = TARGET_SECONDS) -> KdfParams:
    """Pick memory (at least 64 MiB) so one derivation takes about `target_seconds` here.

    argon2 time grows linearly with memory x passes, so one timed probe at the minimum is enough to scale.
    """
    time_cost, parallelism = 3, 4
    probe = KdfParams(time_cost=time_cost, memory_kib=MIN_MEMORY_KIB, parallelism=parallelism)
    started = time.perf_counter()
    derive("calibration", b"\0" * 16, probe)
    elapsed = max(time.perf_counter() - started, 1e-3)
    memory = int(MIN_MEMORY_KIB * target_seconds / elapsed)
    memory = max(MIN_MEMORY_KIB, min(MAX_MEMORY_KIB, memory // 1024 * 1024))
    if memory == MAX_MEMORY_KIB:
        time_cost = max(3, round(time_cost * target_seconds / (elapsed * MAX_MEMORY_KIB / MIN_MEMORY_KIB)))
    return KdfParams(time_cost=time_cost, memory_kib=memory, parallelism=parallelism)
