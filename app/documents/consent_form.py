"""The paper consent form: printed blank or for one customer, in the customer's language.

One unticked box per purpose (no pre-ticked boxes, no bundling), the exact notice text and its version, and a
reference code that links the signed scan back to the person and the notice it was signed under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from app.access.roles import Permission
from app.access.session import Session
from app.access.shop import read_profile
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactService
from app.documents.fonts import BODY_FONT, BOLD_FONT
from app.documents.pdf import MARGIN, para, render, table_style
from app.errors import InvalidInput
from app.fileio import atomic_write
from app.locale import _
from app.locale.formatting import day
from app.locale.i18n import document_language, translator
from app.privacy.notices import current_or_new

_WIDTH = 210 * mm - 2 * MARGIN - 12


@dataclass(frozen=True)
class FormPurpose:
    key: str
    name: str
    separate: bool  # PIPL: sensitive data and cross-border transfer need their own, separate consent


def reference_code(contact_id: int | None, notice_id: int) -> str:
    """CF-<person>-<notice>-<check>: short enough to type from a scan; the check digits catch typos."""
    number = f"{contact_id or 0:07d}{notice_id:04d}"
    check = 98 - (int(number) * 100) % 97
    return f"CF-{number[:7]}-{number[7:]}-{check:02d}"


def parse_reference_code(code: str) -> tuple[int | None, int]:
    """(contact id or None for a blank form, notice id); ValueError for a mistyped code."""
    match = re.fullmatch(r"CF-(\d{7})-(\d{4})-(\d{2})", code.strip().upper())
    if not match or reference_code(int(match[1]) or None, int(match[2])) != code.strip().upper():
        raise ValueError("not a consent form reference")
    return int(match[1]) or None, int(match[2])


def write_consent_form(out: Path, **form: Any) -> str:
    """Write the form (see render_consent_form for the arguments); returns its reference code."""
    pdf, code = render_consent_form(**form)
    atomic_write(out, pdf)
    return code


def render_consent_form(
    *,
    language: str,
    shop_name: str,
    notice_title: str,
    notice_body: str,
    notice_version: int,
    notice_id: int,
    purposes: list[FormPurpose],
    person_name: str | None = None,
    contact_id: int | None = None,
    printed_on: date | None = None,
) -> tuple[bytes, str]:
    """The form as PDF bytes (for printing without a file) and its reference code."""
    _ = translator(language)
    styles = _styles()
    code = reference_code(contact_id, notice_id)
    story: list[Any] = [
        para(shop_name, styles["small"]),
        para(notice_title, styles["title"], "bold"),
        para(
            _("Notice version {version} · reference {code}").format(version=notice_version, code=code), styles["small"]
        ),
        Spacer(1, 3 * mm),
        *[para(paragraph, styles["body"]) for paragraph in notice_body.split("\n\n")],
        Spacer(1, 3 * mm),
        para(_("Tick only what you agree to:"), styles["heading"], "bold"),
        _purpose_table([p for p in purposes if not p.separate], styles),
    ]
    separate = [p for p in purposes if p.separate]
    if separate:
        story += [
            Spacer(1, 2 * mm),
            para(_("These need your separate consent, each on its own:"), styles["heading"], "bold"),
            _purpose_table(separate, styles),
        ]
    printed = day(printed_on, language) if printed_on else ""
    story += [
        Spacer(1, 6 * mm),
        _signature_table(_, person_name or "", printed, styles),
        Spacer(1, 3 * mm),
        para(_("You can withdraw any of these at any time, and it costs you nothing."), styles["small"]),
    ]
    return render(story, title=notice_title), code


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=BODY_FONT, fontSize=10.5, leading=14.5, spaceAfter=4)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD_FONT, fontSize=17, leading=22, spaceAfter=2),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD_FONT, fontSize=11.5, leading=15),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8.5, leading=11, textColor=colors.Color(0.35, 0.35, 0.35)
        ),
    }


def _checkbox() -> Table:
    """An empty square drawn as a bordered cell: it prints whatever fonts are installed, and is never pre-ticked."""
    box = Table([[""]], colWidths=[5 * mm], rowHeights=[5 * mm])
    box.setStyle(table_style([("BOX", (0, 0), (-1, -1), 0.9, colors.black)]))
    return box


def _purpose_table(purposes: list[FormPurpose], styles: dict[str, ParagraphStyle]) -> Table:
    rows = [[_checkbox(), para(p.name, styles["body"])] for p in purposes]
    table = Table(rows, colWidths=[10 * mm, _WIDTH - 10 * mm])
    table.setStyle(
        table_style(
            [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.Color(0.8, 0.8, 0.8))]
        )
    )
    return table


def _signature_table(_: Any, name: str, printed: str, styles: dict[str, ParagraphStyle]) -> Table:
    rows = [
        [para(_("Name"), styles["small"]), para(name, styles["body"])],
        [para(_("Email (optional)"), styles["small"]), ""],
        [para(_("Date"), styles["small"]), para(printed, styles["body"])],
        [para(_("Signature"), styles["small"]), ""],
    ]
    table = Table(rows, colWidths=[35 * mm, _WIDTH - 35 * mm], rowHeights=[9 * mm, 9 * mm, 9 * mm, 16 * mm])
    table.setStyle(
        table_style([("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    )
    return table


def print_form(session: Session, out: Path, language: str, contact_id: int | None = None) -> str:
    """The paper form in `language` (blank, or for one customer) saved to `out`; returns its reference code."""
    pdf, code = form_pdf(session, language, contact_id)
    atomic_write(out, pdf)
    return code


def form_pdf(session: Session, language: str, contact_id: int | None = None) -> tuple[bytes, str]:
    """The paper form as PDF bytes (to print from memory) and its reference code. Audited."""
    session.require(Permission.CAPTURE_CONSENT)
    profile = read_profile(session.conn)
    language = document_language(language, profile.language)  # "ar": refused, not English
    service = ConsentService(session)
    notice = current_or_new(session, language)  # the version the records compose now (app.privacy.notices)
    if notice is None:
        raise InvalidInput(_("There is no notice text yet; publish one in Privacy settings first."))
    person = None
    if contact_id is not None:
        person = ContactService(session).get(contact_id).display_name
    shop = profile.name or (session.vault.meta("owner") or "")  # a vault from before the shop profile
    translate = translator(notice.language)
    purposes = [
        FormPurpose(p.key, translate(p.name), p.separate_consent)
        for p in service.purposes()
        if p.lawful_basis == "consent"
    ]
    pdf, code = render_consent_form(
        language=notice.language,
        shop_name=shop,
        notice_title=notice.title,
        notice_body=notice.body,
        notice_version=notice.version,
        notice_id=notice.id,
        purposes=purposes,
        person_name=person,
        contact_id=contact_id,
        printed_on=datetime.now(UTC).date(),
    )
    session.record("consent.form_printed", "contact" if contact_id else "notice", contact_id or notice.id, code)
    return pdf, code
