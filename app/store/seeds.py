"""What the first schemas wrote into a new vault, frozen here so that a migration seeds the same rows in every
version: the domain's defaults may change later (app.privacy.retention's templates), a shipped migration may not.
"""

from __future__ import annotations

import hashlib

# The GDPR retention template as schema 1 seeded it: (category, days, action).
GDPR_RETENTION_V1: tuple[tuple[str, int, str], ...] = (
    ("lead", 730, "delete"),
    ("customer", 2190, "anonymise"),
    ("consent_evidence", 1095, "delete"),
    ("withdrawn_marketing", 30, "delete"),
    ("closed_request", 730, "delete"),
    ("audit", 2190, "delete"),
    ("deleted_contact", 30, "delete"),
)


def notice_hash(title: str, body: str) -> str:
    """The `notice.sha256` column: a consent event keeps it, so the exact words a person was shown can be proved."""
    return hashlib.sha256((title + "\n\n" + body).encode("utf-8")).hexdigest()
