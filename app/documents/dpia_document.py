"""The impact assessment (GDPR Art. 35 DPIA, PIPL Art. 55-56 PIPIA) as a PDF, in the assessment's language.

Laid out like the record of processing (app.documents.ropa_document): the facts the vault supplied first, then
the owner's answers; an answer still empty is printed as a highlighted "to be completed", so the gap shows on
paper. Answers keep their line breaks (rich_text turns them into breaks).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from app import APP_NAME, __version__
from app.documents.pdf import RULE, WIDTH, bullets, draw_footer, para, render_paged, styles, table_style
from app.fileio import atomic_write
from app.locale.formatting import day, local_time
from app.locale.i18n import translator
from app.privacy.dpia import KEEP_YEARS, OWNER_FIELDS, Assessment
from app.privacy.ropa import EDITABLE


def write_dpia(out: Path, assessment: Assessment) -> None:
    """Write `assessment` (in assessment.language) with "page X of Y" on every page."""
    atomic_write(out, dpia_pdf(assessment))


def dpia_pdf(assessment: Assessment) -> bytes:
    _ = translator(assessment.language)
    title = _("Impact assessment")
    shop = assessment.facts.get("shop.name", "").strip()
    when = local_time(assessment.saved_at) or datetime.now().astimezone()
    as_of = day(when.date(), assessment.language, "long")

    def decorate(canvas: Any, page: int, total: int) -> None:
        left = " \u00b7 ".join(part for part in (title, shop, as_of) if part)
        draw_footer(canvas, left, _("Page {page} of {total}").format(page=page, total=total))

    return render_paged(lambda: _story(assessment, title, as_of), title=title, decorate=decorate)


def _story(assessment: Assessment, title: str, as_of: str) -> list[Any]:
    _ = translator(assessment.language)
    s = styles()
    fill = _("to be completed")

    def fact(key: str) -> Any:
        value = assessment.facts.get(key, "").strip()
        return para(value, s["cell"]) if value else para(fill, s["blank"])

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        result = Table(rows, colWidths=[w * WIDTH for w in widths])
        result.setStyle(
            table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return result

    def label(text: str) -> Any:
        return para(text, s["cell_head"], "bold")

    def cell(text: str) -> Any:
        return para(text or "\u2014", s["cell"])

    controller = [
        [label(_(EDITABLE[key])), fact(key)] for key in ("shop.name", "shop.address", "shop.contact", "shop.dpo")
    ]
    purposes = [
        [label(_("Purpose")), label(_("Lawful basis"))],
        *[[cell(name), cell(basis)] for name, basis in assessment.purposes],
    ]
    flows = [[label(_(EDITABLE[key])), fact(key)] for key in ("ropa.recipients", "ropa.transfers")]
    if assessment.saved_at:
        kept = day(
            datetime.fromisoformat(assessment.keep_until or assessment.saved_at).date(), assessment.language, "long"
        )
        status = _("Version no. {id}, saved by {user} on {date}; kept until at least {until}.").format(
            id=assessment.id, user=assessment.saved_by, date=as_of, until=kept
        )
    else:
        status = _("Draft, not saved.")
    story: list[Any] = [
        para(title, s["letterhead"], "bold"),
        para(
            _(
                "GDPR Article 35 (data protection impact assessment) and PIPL Articles 55\u201356 (personal "
                "information protection impact assessment) \u00b7 as of {date}"
            ).format(date=as_of),
            s["small"],
        ),
        para(status, s["small"]),
        Spacer(1, 4 * mm),
        para(_("1. Controller"), s["heading"], "bold"),
        table(controller, [0.36, 0.64]),
        para(_("2. The processing: purposes and lawful basis"), s["heading"], "bold"),
        table(purposes, [0.6, 0.4]) if assessment.purposes else para(fill, s["blank"]),
        para(_("3. Categories of people (data subjects)"), s["heading"], "bold"),
        *bullets(assessment.subject_categories, s["bullet"]),
        para(_("4. Categories of personal data"), s["heading"], "bold"),
        *bullets(assessment.data_categories, s["bullet"]),
        para(_("5. Recipients and transfers to other countries"), s["heading"], "bold"),
        table(flows, [0.36, 0.64]),
    ]
    for number, (key, (heading, hint)) in enumerate(OWNER_FIELDS.items(), start=6):
        answer = assessment.answers.get(key, "").strip()
        story += [
            para(f"{number}. {_(heading)}", s["heading"], "bold"),
            para(_(hint), s["small"]),
            para(answer, s["body"]) if answer else para(fill, s["blank"]),
        ]
    story += [
        para(
            _("{number}. Security measures the program applies (Article 32)").format(number=6 + len(OWNER_FIELDS)),
            s["heading"],
            "bold",
        ),
        *bullets(assessment.security, s["bullet"]),
        Spacer(1, 4 * mm),
        para(
            _(
                "Prepared with {app} {version}: sections 1 to 5 come from the program's configuration and the shop's "
                "record of processing; the highlighted entries are for the shop to complete. Keep each version for "
                "at least {years} years and look at it again when the processing changes."
            ).format(app=APP_NAME, version=__version__, years=KEEP_YEARS),
            s["small"],
        ),
    ]
    return story
