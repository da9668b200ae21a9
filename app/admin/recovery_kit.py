"""The printable recovery kit: it holds the data key, so owner only, and audited. Apart from the other chores
(app/admin/security.py) because it loads reportlab, which a window need not load until someone prints."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.documents.recovery_kit import write_recovery_kit as render


def write_recovery_kit(session: Session, out: Path) -> None:
    """The printable recovery kit (it holds the data key: owner only, and audited)."""
    session.require(Permission.MANAGE_SECURITY)
    vault = session.vault
    created = datetime.fromisoformat(vault.meta("created_at") or vault.keyfile.created)
    owner = vault.meta("owner") or session.user.name
    render(
        out,
        vault_name=vault.paths.database.name,
        vault_id=vault.vault_id,
        owner=owner,
        recovery_key=vault.recovery_key(),
        created=created,
        keychain_bound=vault.keychain_bound,
    )
    session.record("vault.recovery_kit", summary="recovery kit saved")
