"""What signing audit entries costs: append signed against unsigned, verify with signatures against the hash chain
alone (both in the same run), and sealing the head into the key file at lock.
`python -m bench.bench_audit_signatures` (BENCH_AUDIT_ENTRIES=N, default 20,000 of each)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import keyring

from app.access.session import create_vault
from app.store import audit
from app.store.database import transaction
from app.vault import kdf, sealing


def main() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    entries = int(os.environ.get("BENCH_AUDIT_ENTRIES", "20000"))
    with tempfile.TemporaryDirectory() as folder:
        session, _ = create_vault(Path(folder) / "bench.vault", "Bench Owner", "bench-password", kdf_params=kdf.CHEAP)
        per_entry = {}
        for label, signer in (("unsigned", None), ("signed", session.vault.signer)):
            started = time.perf_counter()
            with transaction(session.conn) as conn:
                for i in range(entries):
                    audit.append(
                        conn,
                        session.vault.data_key(),
                        user_id=None if signer is None else session.user.id,
                        action="bench.entry",
                        summary=str(i),
                        signer=signer,
                    )
            per_entry[label] = (time.perf_counter() - started) / entries
        started = time.perf_counter()
        audit.verify_chain(session.conn)
        hashes_only = time.perf_counter() - started
        started = time.perf_counter()
        report = audit.verify_chain(session.conn, session.vault.keyfile.signers())
        with_signatures = time.perf_counter() - started
        assert report.ok
        session.record("bench.entry")
        started = time.perf_counter()
        sealing.seal(session.vault)  # what lock adds: sign the newest entry, save the key file (fsync)
        seal = time.perf_counter() - started
        session.lock()
    print(f"audit_append_unsigned {per_entry['unsigned'] * 1e6:.0f} us")
    print(f"audit_append_signed {per_entry['signed'] * 1e6:.0f} us")
    print(f"audit_verify_hashes_per_1000 {hashes_only / (2 * entries) * 1000 * 1000:.1f} ms")
    print(f"audit_verify_signed_per_1000 {with_signatures / (2 * entries) * 1000 * 1000:.1f} ms")
    print(f"audit_seal_at_lock {seal * 1000:.1f} ms")


if __name__ == "__main__":
    main()
