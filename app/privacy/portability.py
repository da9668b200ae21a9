"""Portability (GDPR Art. 20): the person's data as a ZIP of JSON (with its schema) and CSV tables.

The JSON follows resources/schemas/subject-export.schema.json, which travels inside the ZIP so any other
system can read the file without asking us. Built in memory, written atomically.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from app.fileio import atomic_write
from app.privacy.subject_data import SubjectData
from app.resources import resource_path
from app.store.audit import ZIP_HEAD_MEMBER

SCHEMA_ID = "counterpart-subject-export/1"
HEAD_MEMBER = ZIP_HEAD_MEMBER  # the end of the shop's audit log as the file was made, signed (#17)
_HEAD_README = (
    f"{HEAD_MEMBER} is for the shop's auditors: the end of the shop's audit log when this file was made, "
    "signed by the person who made it. It holds no personal data.\n"
)
_TABLES = {
    "contact_points.csv": ("contact_points", ["kind", "label", "value", "primary"]),
    "organisations.csv": ("organisations", ["name", "job_title"]),
    "source_ids.csv": ("source_ids", ["source", "name", "id"]),
    "notes.csv": ("notes", ["created_at", "text"]),
    "deals.csv": ("deals", ["id", "title", "status", "value_minor", "currency", "expected_close", "lost_reason"]),
    "activities.csv": ("activities", ["kind", "subject", "due_at", "done_at"]),
    "consent_history.csv": (
        "consent_history",
        [
            "at",
            "purpose",
            "action",
            "method",
            "notice_version",
            "notice_language",
            "notice_sha256",
            "source",
            "has_evidence",
        ],
    ),
}


def document(data: SubjectData) -> dict[str, Any]:
    return {"schema": SCHEMA_ID, **data.to_json()}


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_portability_zip(out: Path, data: SubjectData, head: dict[str, Any] | None = None) -> str:
    """Write the ZIP; returns its SHA-256 (the request register keeps the hash, never the content). The shop's
    audit log's signed `head` (app.store.audit.export_head), when given, is the member HEAD_MEMBER."""
    content = document(data)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(content, ensure_ascii=False, indent=1))
        archive.writestr("schema.json", resource_path("schemas", "subject-export.schema.json").read_bytes())
        for name, (key, columns) in _TABLES.items():
            archive.writestr(name, _csv(content[key], columns))
        archive.writestr(
            "README.txt",
            "data.json follows schema.json (JSON Schema 2020-12). CSV files hold the same "
            "tables for spreadsheets. Times are UTC; money is in the currency's smallest "
            "unit.\n" + (_HEAD_README if head else ""),
        )
        if head is not None:
            archive.writestr(HEAD_MEMBER, json.dumps(head, indent=1))
    payload = buffer.getvalue()
    atomic_write(out, payload)
    return hashlib.sha256(payload).hexdigest()
