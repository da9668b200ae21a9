"""The record of processing activities (GDPR Art. 30(1)) as a PDF, in the record's language.

Everything comes from RopaData, which RopaService.gather builds from the configuration (purposes, lawful bases,
retention, security measures) and the facts the shop entered; a fact still missing is printed as a highlighted
"to be completed", so the gap is seen on paper rather than silently left out.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from app import APP_NAME, __version__
from app.documents.pdf import RULE, WIDTH, bullets, draw_footer, para, render_paged, styles, table_style
from app.fileio import atomic_write
from app.locale.formatting import day
from app.locale.i18n import translator
from app.privacy.ropa import EDITABLE, RopaData

_CONTROLLER = ("shop.name", "shop.address", "shop.contact", "shop.representative", "shop.dpo")
_TINT_HEAD = ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93))


def write_ropa(out: Path, data: RopaData) -> None:
    """Write the record for `data` (in data.language), with "page X of Y" on every page."""
    _ = translator(data.language)
    title = _("Record of processing activities")
    shop = data.facts.get("shop.name", "").strip()
    as_of = day(datetime.now().astimezone().date(), data.language, "long")

    def story() -> list[Any]:
        return _story(data, title, as_of)

    def decorate(canvas: Any, page: int, total: int) -> None:
        left = " \u00b7 ".join(part for part in (title, shop, as_of) if part)
        draw_footer(canvas, left, _("Page {page} of {total}").format(page=page, total=total))

    atomic_write(out, render_paged(story, title=title, decorate=decorate))


def _story(data: RopaData, title: str, as_of: str) -> list[Any]:
    _ = translator(data.language)
    s = styles()
    fill = _("to be completed")

    def fact(key: str) -> Any:
        value = data.facts.get(key, "").strip()
        return para(value, s["cell"]) if value else para(fill, s["blank"])

    def table(rows: list[list[Any]], widths: list[float], *, head: bool) -> Table:
        result = Table(rows, colWidths=[w * WIDTH for w in widths], repeatRows=1 if head else 0)
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]
        result.setStyle(table_style([*commands, _TINT_HEAD] if head else commands))
        return result

    def head(*labels: str) -> list[Any]:
        return [para(label, s["cell_head"], "bold") for label in labels]

    def cell(text: str) -> Any:
        return para(text or "\u2014", s["cell"])

    controller = [[para(_(EDITABLE[key]), s["cell_head"], "bold"), fact(key)] for key in _CONTROLLER]
    purposes = [
        head(_("Purpose"), _("Lawful basis"), _("Consent renewal")),
        *[[cell(name), cell(basis), cell(expiry)] for name, basis, expiry in data.purposes],
    ]
    retention = [
        head(_("Data"), _("How long we keep it, and what then")),
        *[[cell(what), cell(period)] for what, period in data.retention],
    ]
    story: list[Any] = [
        para(title, s["letterhead"], "bold"),
        para(_("GDPR and UK GDPR Article 30(1) \u00b7 as of {date}").format(date=as_of), s["small"]),
        Spacer(1, 4 * mm),
        para(_("1. Controller"), s["heading"], "bold"),
        table(controller, [0.36, 0.64], head=False),
        para(_("2. Purposes of the processing and lawful basis"), s["heading"], "bold"),
        table(purposes, [0.40, 0.31, 0.29], head=True) if data.purposes else para(fill, s["blank"]),
        para(_("3. Categories of people (data subjects)"), s["heading"], "bold"),
        *bullets(data.subject_categories, s["bullet"]),
        para(_("4. Categories of personal data"), s["heading"], "bold"),
        *bullets(data.data_categories, s["bullet"]),
        para(_("5. Recipients"), s["heading"], "bold"),
        table(
            [[para(_(EDITABLE["ropa.recipients"]), s["cell_head"], "bold"), fact("ropa.recipients")]],
            [0.36, 0.64],
            head=False,
        ),
        para(_("6. Transfers to other countries"), s["heading"], "bold"),
        table(
            [[para(_(EDITABLE["ropa.transfers"]), s["cell_head"], "bold"), fact("ropa.transfers")]],
            [0.36, 0.64],
            head=False,
        ),
        para(_("7. Time limits for erasure (retention)"), s["heading"], "bold"),
        table(retention, [0.6, 0.4], head=True) if data.retention else para(fill, s["blank"]),
        para(_("8. Technical and organisational security measures (Article 32)"), s["heading"], "bold"),
        *bullets(data.security, s["bullet"]),
        Spacer(1, 4 * mm),
        para(
            _(
                "Generated by {app} {version} from the program's configuration; the highlighted entries are for the "
                "shop to complete. Keep this record up to date and show it to the supervisory authority on request."
            ).format(app=APP_NAME, version=__version__),
            s["small"],
        ),
    ]
    return story
