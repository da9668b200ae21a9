"""Answering an access or portability request: the PDF for the person, the ZIP for another system.

Managers and owner only; each export is audited (who, when, which request, file hashes) without its content,
and the hashes are attached to the request in the register. Both files carry the audit log's signed head as the
export starts (PDF metadata, a ZIP member), and the export's entry names it: a copy kept with the request can later
prove the log's end (`verify --head-from`).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.access.shop import read_profile
from app.crm.contacts import ContactService
from app.documents.subject_export import render_subject_export, write_subject_export
from app.errors import InvalidInput
from app.fileio import writable_target
from app.locale import _
from app.locale.i18n import document_language
from app.privacy.portability import write_portability_zip
from app.privacy.requests import RequestService, SubjectRequest
from app.privacy.subject_data import gather
from app.store import audit
from app.store.audit import PDF_HEAD_KEY


def _verified_request(session: Session, request_id: int | None) -> SubjectRequest | None:
    """The request an export answers; refused while nobody has checked who is asking (GDPR Art. 12(6): the data
    goes to the person it is about, and to nobody else)."""
    if request_id is None:
        return None
    request = RequestService(session).get(request_id)
    if request.identity_method is None:
        raise InvalidInput(
            _("Request no. {id}: check and record the requester's identity before handing over any data.").format(
                id=request.id
            )
        )
    return request


def export_subject(
    session: Session,
    contact_id: int,
    *,
    pdf: Path | None = None,
    zip_path: Path | None = None,
    language: str | None = None,
    pdf_password: str | None = None,
    request_id: int | None = None,
) -> dict[str, str]:
    """Write the requested files; returns {file name: sha256}."""
    session.require(Permission.EXPORT_SUBJECT)
    if pdf is None and zip_path is None:
        raise InvalidInput(_("Choose a PDF, a ZIP or both."))
    language = document_language(
        language, ContactService(session).language_of(contact_id), read_profile(session.conn).language
    )
    request = _verified_request(session, request_id)
    _check_outputs([path for path in (pdf, zip_path) if path is not None])
    head = audit.export_head(session.conn, session.vault.signer)  # the log's end as the export starts (#17)
    data = gather(session, contact_id, language)
    hashes: dict[str, str] = {}
    if pdf is not None:
        reference = f"R-{request.id}" if request else None
        stamp = {PDF_HEAD_KEY: audit.head_text(head)} if head is not None else None
        hashes[pdf.name] = write_subject_export(
            pdf, data, request_reference=reference, password=pdf_password, metadata=stamp
        )
    if zip_path is not None:
        try:
            hashes[zip_path.name] = write_portability_zip(zip_path, data, head)
        except BaseException:  # no PDF of this person left behind that the audit log does not know of
            if pdf is not None:
                writable_target(pdf).unlink(missing_ok=True)  # the file itself, not a link to it
            raise
    summary = "; ".join(
        f"{kind} sha256 {digest[:16]}"
        for kind, digest in (("pdf" if name.endswith(".pdf") else "zip", digest) for name, digest in hashes.items())
    )
    session.record(
        "subject.export",
        "contact",
        contact_id,
        (f"request {request.id}; " if request else "")
        + summary
        + ("; password" if pdf_password else "")
        + audit.head_note(head),
    )
    if request is not None:
        for name, digest in hashes.items():
            RequestService(session).add_file(request.id, name, digest)
    return hashes


def _check_outputs(paths: list[Path]) -> None:
    """Both files can be written before either is: a missing ZIP folder once left the PDF, with the person's
    data, on disk and out of the audit log; the same name for both left only the ZIP."""
    targets = [writable_target(path) for path in paths]
    for path, target in zip(paths, targets, strict=True):
        if not target.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
    same = [os.path.normcase(target.resolve()) for target in targets]  # a link, "..", or case on Windows
    if len(same) == 2 and same[0] == same[1]:
        raise InvalidInput(_("The PDF and the ZIP need different file names."))


def subject_pdf(
    session: Session, contact_id: int, *, language: str | None = None, request_id: int | None = None
) -> bytes:
    """The person's PDF in memory, to print at the counter with no file on disk. Audited like an export."""
    session.require(Permission.EXPORT_SUBJECT)
    language = document_language(
        language, ContactService(session).language_of(contact_id), read_profile(session.conn).language
    )
    request = _verified_request(session, request_id)
    pdf = render_subject_export(
        gather(session, contact_id, language), request_reference=f"R-{request.id}" if request else None
    )
    session.record("subject.print", "contact", contact_id, f"request {request.id}" if request else "")
    return pdf
