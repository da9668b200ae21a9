"""The recovery kit: one printed A4 page that opens the vault when its password is lost.

A shop owner prints it once and keeps it in a drawer, possibly for years, so the page says everything that
is needed without the app: which vault it belongs to, the key as text and as a QR code, and how to use the
key in Counterpart, with counterpart-admin, or with a stock SQLCipher 4 shell if Counterpart is gone.
"""

from __future__ import annotations

import datetime
import pathlib
import re
from typing import Any

import segno
from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from app import APP_NAME, __version__
from app.documents.fonts import BODY_FONT, BOLD_FONT, MONO_FONT, register_fonts, rich_text
from app.documents.pdf import para, render, table_style
from app.fileio import atomic_write
from app.locale import _, current_language

_KEY_PATTERN = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{8}){7}")
_MARGIN = 18 * mm
_WIDTH = A4[0] - 2 * _MARGIN - 2 * 6  # SimpleDocTemplate's frame pads its content by 6 pt on each side
_QR_SIZE = 38 * mm
_GREY = colors.Color(0.35, 0.35, 0.35)
_RULE = colors.Color(0.55, 0.55, 0.55)
_TINT = colors.Color(0.95, 0.95, 0.95)


def write_recovery_kit(
    out: pathlib.Path,
    *,
    vault_name: str,
    vault_id: str,
    owner: str,
    recovery_key: str,
    created: datetime.datetime,
    keychain_bound: bool,
) -> None:
    """Write the kit to `out` as a one-page A4 PDF, all at once: a crash never leaves half a kit behind.

    `recovery_key` is the formatted key, 8 groups of 8 hex digits joined by '-'.
    """
    if not _KEY_PATTERN.fullmatch(recovery_key):
        raise ValueError("recovery_key must be 8 groups of 8 hex digits joined by '-'")
    register_fonts()
    story = _story(vault_name, vault_id, owner, recovery_key, created, keychain_bound)
    atomic_write(out, render(story, title=_("Counterpart recovery kit")))


def _story(
    vault_name: str,
    vault_id: str,
    owner: str,
    recovery_key: str,
    created: datetime.datetime,
    keychain_bound: bool,
) -> list[Any]:
    """The page from top to bottom: what it is, which vault, the key, where it is kept, how to use it."""
    styles = _styles()
    intro = _(
        "Keep this page somewhere safe. With it you can open your vault if its password is "
        "forgotten, and read it even without Counterpart."
    )
    printed_by = _("Printed by {app} {version}.").format(app=APP_NAME, version=__version__)
    return [
        para(_("Counterpart recovery kit"), styles["title"], "bold"),
        para(intro, styles["body"]),
        Spacer(1, 4 * mm),
        _details_table(vault_name, vault_id, owner, created, styles),
        Spacer(1, 5 * mm),
        _key_block(recovery_key, styles),
        Spacer(1, 5 * mm),
        _storage_box(styles),
        Spacer(1, 5 * mm),
        *_instructions(vault_name, recovery_key, styles),
        Spacer(1, 4 * mm),
        _warnings(keychain_bound, styles),
        Spacer(1, 3 * mm),
        para(printed_by, styles["small"]),
    ]


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=BODY_FONT, fontSize=9.5, leading=12.5)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD_FONT, fontSize=20, leading=25, spaceAfter=5),
        "body": body,
        "bold": ParagraphStyle("bold", parent=body, fontName=BOLD_FONT),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD_FONT, fontSize=11.5, leading=15),
        "label": ParagraphStyle("label", parent=body, textColor=_GREY),
        "mono": ParagraphStyle("mono", parent=body, fontName=MONO_FONT, fontSize=8.5, leading=11),
        "key": ParagraphStyle("key", parent=body, fontName=MONO_FONT, fontSize=15, leading=21),
        "caption": ParagraphStyle("caption", parent=body, fontSize=7.5, leading=9, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=_GREY),
    }


def _details_table(
    vault_name: str, vault_id: str, owner: str, created: datetime.datetime, styles: dict[str, ParagraphStyle]
) -> Table:
    """Which vault this kit belongs to, so a drawer holding several kits never mixes them up."""
    rows = [
        (_("Vault file"), para(vault_name, styles["body"])),
        (_("Vault ID"), para(vault_id, styles["mono"], "mono")),
        (_("Owner"), para(owner, styles["body"])),
        (_("Created"), para(_format_created(created), styles["body"])),
    ]
    table = Table(
        [[para(label, styles["label"]), value] for label, value in rows],
        colWidths=[32 * mm, _WIDTH - 32 * mm],
    )
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _format_created(created: datetime.datetime) -> str:
    """The creation time in the reader's language; a naive time is taken as this computer's local time."""
    aware = created if created.tzinfo is not None else created.astimezone()
    result: str = format_datetime(aware, "long", tzinfo=aware.tzinfo, locale=_babel_locale())
    return result


def _babel_locale() -> Locale:
    try:
        locale: Locale = Locale.parse(current_language())
    except (UnknownLocaleError, ValueError, TypeError):
        locale = Locale.parse("en")
    return locale


def _key_block(recovery_key: str, styles: dict[str, ParagraphStyle]) -> Table:
    """The key in two lines of four groups, large enough to type back without mistakes, beside its QR code."""
    groups = recovery_key.split("-")
    key_lines = "-<br/>".join(rich_text("-".join(groups[i : i + 4]), "mono") for i in (0, 4))
    text_column = [
        para(_("Recovery key"), styles["heading"], "bold"),
        Spacer(1, 2 * mm),
        Paragraph(key_lines, styles["key"]),
        Spacer(1, 2 * mm),
        para(_("8 groups of 8 characters: digits 0-9 and letters a-f."), styles["label"]),
    ]
    qr_column = [_qr_drawing(recovery_key), para(_("The same key as a QR code"), styles["caption"])]
    table = Table([[text_column, qr_column]], colWidths=[_WIDTH - _QR_SIZE - 8 * mm, _QR_SIZE + 8 * mm])
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 5 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


def _qr_drawing(data: str) -> Drawing:
    """The QR code as vector rectangles (one per horizontal run of dark modules): sharp at any printer
    resolution, and no image file ever touches the disk."""
    qr = segno.make(data, error="q", micro=False)
    rows: list[Any] = list(qr.matrix_iter(border=4))
    module = _QR_SIZE / len(rows)
    drawing = Drawing(_QR_SIZE, _QR_SIZE, initialFontName=BODY_FONT)  # not the unembedded Helvetica default
    for y, row in enumerate(rows):
        top = _QR_SIZE - (y + 1) * module
        x = 0
        for dark, run in _runs(row):
            if dark:
                drawing.add(Rect(x * module, top, run * module, module, fillColor=colors.black, strokeColor=None))
            x += run
    return drawing


def _runs(row: Any) -> list[tuple[bool, int]]:
    """(dark, length) for each stretch of equal modules in one QR row."""
    runs: list[tuple[bool, int]] = []
    for value in row:
        dark = bool(value)
        if runs and runs[-1][0] == dark:
            runs[-1] = (dark, runs[-1][1] + 1)
        else:
            runs.append((dark, 1))
    return runs


def _storage_box(styles: dict[str, ParagraphStyle]) -> Table:
    """Space to write down where the kit is kept, for whoever has to find it in an emergency."""
    label = para(_("Where this kit is stored (write it down):"), styles["label"])
    table = Table([[label], [""], [""]], colWidths=[_WIDTH], rowHeights=[6 * mm, 8 * mm, 8 * mm])
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, _RULE),
                ("LINEBELOW", (0, 1), (0, 1), 0.4, _RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _instructions(vault_name: str, recovery_key: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    """The three ways to use the key, from the easiest to the one that needs no Counterpart at all."""
    raw_key = recovery_key.replace("-", "").lower()
    # Translators: keep VAULT and KEY as they are: they stand for parts of the command printed above.
    cli_note = _("VAULT is the path of the vault file ({vault_name}); KEY is the recovery key above.")
    steps = [
        [
            para(_("1. In Counterpart"), styles["bold"], "bold"),
            para(
                _("On the unlock screen choose “Forgot password / recover” and enter the recovery key."),
                styles["body"],
            ),
        ],
        [
            para(_("2. On the command line"), styles["bold"], "bold"),
            para("counterpart-admin recover VAULT --recovery-key", styles["mono"], "mono"),
            para(cli_note.format(vault_name=vault_name), styles["body"]),
        ],
        [
            para(_("3. If Counterpart is ever gone"), styles["bold"], "bold"),
            para(
                _(
                    "The vault is a standard SQLCipher 4 database. Open it in the sqlcipher shell and enter "
                    "the second line (it holds the recovery key without the dashes):"
                ),
                styles["body"],
            ),
            para("sqlcipher VAULT", styles["mono"], "mono"),
            para(f"PRAGMA key = \"x'{raw_key}'\";", styles["mono"], "mono"),
        ],
    ]
    heading = para(_("How to use this kit"), styles["heading"], "bold")
    return [heading, Spacer(1, 1.5 * mm), *(KeepTogether([*step, Spacer(1, 2 * mm)]) for step in steps)]


def _warnings(keychain_bound: bool, styles: dict[str, ParagraphStyle]) -> Table:
    """What a lost or stale kit means, in plain words, in a tinted box that stands out on the page."""
    lines = [
        _("Anyone who has this key and the vault file can read all of your customer data."),
        _("Store this page like cash: locked away, never photographed, scanned or emailed."),
        _(
            "The key stops working when the vault is rekeyed (given a new encryption key). "
            "Then print a new kit and destroy this one."
        ),
    ]
    if not keychain_bound:
        lines.append(
            _(
                "On this computer the vault is protected by its password only: it is not tied to this "
                "computer's keychain."
            )
        )
    cells = [[para(_("Important"), styles["bold"], "bold")]]
    cells += [[para("\u2022 " + line, styles["body"])] for line in lines]
    table = Table(cells, colWidths=[_WIDTH])
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _TINT),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("TOPPADDING", (0, 0), (-1, 0), 2.5 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 2.5 * mm),
            ]
        )
    )
    return table
