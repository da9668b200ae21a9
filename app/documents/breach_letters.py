"""Breach paperwork: the letter to each affected person (GDPR Art. 34) and the draft notification to the
supervisory authority (Art. 33(3)).

A letter is in the person's own language and in plain words: what happened, when it was found, which data, what
it may mean for them, what the shop is doing, what they can do themselves, and whom to ask. Its file name holds
the breach and customer numbers only, so a folder listing or a backup index never shows who was affected.

The regulator report is a DRAFT for the shop to check and copy into the authority's own form: every fact the
register does not hold is a highlighted blank, never a guess. Both are rendered in memory and written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time, get_timezone_gmt
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

from app.access.session import Session
from app.documents.fonts import rich_text
from app.documents.pdf import (
    RULE,
    WIDTH,
    bullets,
    draw_footer,
    letters_summary,
    para,
    render_paged,
    styles,
    table_style,
)
from app.fileio import atomic_write
from app.locale.formatting import babel_locale, day, local_time
from app.locale.i18n import translator
from app.privacy.breach import Breach, regulator_report
from app.privacy.breach import letters as letters_for
from app.privacy.ropa import EDITABLE

Translate = Callable[[str], str]
Decorate = Callable[[Any, int, int], None]  # canvas, page number, page total

_DASH = "\u2014"


def _letter_styles() -> dict[str, ParagraphStyle]:
    """Slightly tighter than the reports, so that the usual letter fits on one sheet."""
    s = styles()
    body = ParagraphStyle("letter_body", parent=s["body"], fontSize=10, leading=13.5, spaceAfter=3)
    return {
        **s,
        "body": body,
        "right": ParagraphStyle("letter_right", parent=body, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "letter_heading", parent=s["heading"], fontSize=11, leading=14, spaceBefore=5, spaceAfter=1
        ),
        "bullet": ParagraphStyle(
            "letter_bullet", parent=body, leftIndent=5 * mm, firstLineIndent=-3.5 * mm, spaceAfter=1
        ),
    }


def when_text(value: datetime | str | None, language: str, *, zone: bool = False) -> str:
    """Date and time (to the minute) in `language`, optionally with the UTC offset; "" when unset."""
    moment_ = local_time(value)
    if moment_ is None:
        return ""
    locale = babel_locale(language)
    pattern = str(locale.datetime_formats.get("medium", "{1} {0}"))
    text = pattern.replace("{1}", str(format_date(moment_, "medium", locale=locale))).replace(
        "{0}", str(format_time(moment_, "short", locale=locale))
    )
    if zone and moment_.tzinfo is not None:
        text += f" ({get_timezone_gmt(moment_, locale=locale)})"
    return text


def day_text(value: datetime | str | None, language: str) -> str:
    moment_ = local_time(value)
    return day(moment_.date(), language, "long") if moment_ else ""


# --- the letter to one affected person (Art. 34) --------------------------------------------------------


def write_breach_letter(
    out: Path, *, language: str, shop_name: str, shop_contact: str, person_name: str, breach: Breach, when: date
) -> None:
    """Write the letter telling one person about `breach`, in `language`, dated `when`."""
    _ = translator(language)
    shop = shop_name.strip() or _("the shop")
    title = _("Important: a security incident involving your personal data")
    dated = day(when, language, "long")

    def story() -> list[Any]:
        return _letter_story(
            _,
            language,
            shop=shop,
            contact=shop_contact.strip(),
            name=person_name.strip(),
            breach=breach,
            dated=dated,
            title=title,
        )

    def decorate(canvas: Any, page: int, total: int) -> None:
        draw_footer(canvas, shop, _("Page {page} of {total}").format(page=page, total=total))

    atomic_write(out, render_paged(story, title=title, decorate=decorate))


def _letter_story(
    _: Translate, language: str, *, shop: str, contact: str, name: str, breach: Breach, dated: str, title: str
) -> list[Any]:
    s = _letter_styles()
    discovered = day_text(breach.discovered_at, language)
    occurred = day_text(breach.occurred_at, language)
    greeting = _("Dear {name},").format(name=name) if name else _("Dear customer,")
    story: list[Any] = [
        para(shop, s["letterhead"], "bold"),
        para(contact, s["small"]),
        Spacer(1, 6 * mm),
        para(dated, s["right"]),
        Spacer(1, 2 * mm),
        para(title, s["title"], "bold"),
        para(greeting, s["body"]),
        para(
            _(
                "We are writing to tell you about a security incident at {shop} that involves some of your personal "
                "data. We are sorry that this has happened. This letter explains what happened, what it may mean "
                "for you, what we are doing about it and what you can do."
            ).format(shop=shop),
            s["body"],
        ),
        para(_("What happened"), s["heading"], "bold"),
        para(breach.nature, s["body"]),
    ]
    if occurred and occurred != discovered:
        story.append(
            para(
                _("It happened on or around {occurred}, and we found out about it on {discovered}.").format(
                    occurred=occurred, discovered=discovered
                ),
                s["body"],
            )
        )
    else:
        story.append(para(_("We found out about it on {discovered}.").format(discovered=discovered), s["body"]))
    story.append(para(_("Which of your data was involved"), s["heading"], "bold"))
    if breach.data_categories:
        story += [
            para(_("The incident involved the following kinds of personal data that we hold:"), s["body"]),
            *bullets(breach.data_categories, s["bullet"]),
        ]
    else:
        story.append(
            para(
                _("We are still establishing exactly which data was involved, and we will tell you when we know."),
                s["body"],
            )
        )
    story += [
        para(_("What this may mean for you"), s["heading"], "bold"),
        para(
            breach.consequences
            or _(
                "We are still assessing the possible consequences for you, and we will tell "
                "you if we learn of anything you should do."
            ),
            s["body"],
        ),
        para(_("What we have done, and what we will do"), s["heading"], "bold"),
        para(
            breach.measures
            or _(
                "We are taking steps to stop this happening again and to limit its effects, and "
                "we will tell you about any further steps that concern you."
            ),
            s["body"],
        ),
        KeepTogether(
            [
                para(_("What you can do to protect yourself"), s["heading"], "bold"),
                *bullets(
                    [
                        _(
                            "Be careful with emails, text messages, letters or calls that mention this incident or "
                            "ask for "
                            "your personal details, passwords or payment information. We will never ask you for a "
                            "password. "
                            "If in doubt, contact us using the details below."
                        ),
                        _(
                            "If you use a password that could be linked to the data involved, change it, and use a "
                            "different "
                            "password for every account. Turn on two-step verification where you can."
                        ),
                        _(
                            "Check your bank and card statements, and tell your bank straight away about any payment "
                            "you do "
                            "not recognise."
                        ),
                        _("Keep this letter, in case you need it later."),
                    ],
                    s["bullet"],
                ),
            ]
        ),
        KeepTogether(
            [
                para(_("Questions"), s["heading"], "bold"),
                para(
                    _(
                        "If you have any questions, or would like to know which personal data we hold about you, "
                        "please "
                        "contact us:"
                    ),
                    s["body"],
                ),
                para(contact or _DASH, s["body"], "bold"),
                para(_("You also have the right to complain to a data protection authority."), s["body"]),
                Spacer(1, 3 * mm),
                para(_("We apologise for the worry this may cause you."), s["body"]),
                para(_("Kind regards,"), s["body"]),
                para(shop, s["body"]),
            ]
        ),
    ]
    return story


def letter_file_name(breach_id: int, contact_id: int) -> str:
    """The numbers only: a folder listing must not say who was affected."""
    return f"breach-{breach_id}-letter-{contact_id:06d}.pdf"


def write_letters(
    session: Session,
    breach_id: int,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """One letter per affected person, each in the person's language; returns the files written. Audited
    (with the count only). `progress(done, total)` after each letter, `cancelled()` asked before each (the
    letters written stay: each is a whole file)."""
    batch = letters_for(session, breach_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    today = datetime.now().astimezone().date()
    written: list[Path] = []
    for person in batch.people:
        if cancelled is not None and cancelled():
            break
        out = out_dir / letter_file_name(breach_id, person.contact_id)
        write_breach_letter(
            out,
            language=person.language,
            shop_name=batch.shop_name,
            shop_contact=batch.shop_contact,
            person_name=person.name,
            breach=batch.breach,
            when=today,
        )
        written.append(out)
        if progress is not None:
            progress(len(written), len(batch.people))
    session.record("breach.letters", "breach", breach_id, letters_summary(len(written), len(batch.people)))
    return written


def save_regulator_report(session: Session, breach_id: int, out: Path, language: str) -> None:
    """The draft report for the authority about one breach, saved to `out`. Audited."""
    report = regulator_report(session, breach_id)
    write_regulator_report(
        out, language=language, breach=report.breach, facts=report.facts, affected_selected=report.breach.selected
    )
    session.record("breach.report", "breach", breach_id)


# --- the draft notification to the supervisory authority (Art. 33(3)) -----------------------------------


def write_regulator_report(
    out: Path, *, language: str, breach: Breach, facts: dict[str, str], affected_selected: int
) -> None:
    """Write the DRAFT notification for `breach` in `language`; missing facts are highlighted blanks."""
    _ = translator(language)
    title = _("DRAFT: notification of a personal data breach (breach {id})").format(id=breach.id)
    shop = facts.get("shop.name", "").strip()
    draft = _("DRAFT")

    def story() -> list[Any]:
        return _report_story(_, language, breach=breach, facts=facts, affected_selected=affected_selected)

    def decorate(canvas: Any, page: int, total: int) -> None:
        _watermark(canvas, draft)
        left = " \u00b7 ".join(part for part in (draft, shop, _("Breach {id}").format(id=breach.id)) if part)
        draw_footer(canvas, left, _("Page {page} of {total}").format(page=page, total=total))

    atomic_write(out, render_paged(story, title=title, decorate=decorate))


def _watermark(canvas: Any, text: str) -> None:
    mark = Paragraph(rich_text(text, "bold"), styles()["watermark"])
    width, _height = mark.wrap(A4[0], A4[1])
    canvas.saveState()
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(40)
    mark.drawOn(canvas, -width / 2, -50)
    canvas.restoreState()


def _report_story(
    _: Translate, language: str, *, breach: Breach, facts: dict[str, str], affected_selected: int
) -> list[Any]:
    s = styles()
    fill = _("to be completed")

    def fact(key: str) -> str | None:
        return facts.get(key, "").strip() or None

    def rows(items: list[tuple[str, str | None]]) -> Table:
        data = [
            [para(label, s["cell_head"], "bold"), para(value, s["cell"]) if value else para(fill, s["blank"])]
            for label, value in items
        ]
        table = Table(data, colWidths=[0.34 * WIDTH, 0.66 * WIDTH])
        table.setStyle(
            table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return table

    def joined(items: list[str]) -> str | None:
        return "\n".join("\u2022 " + item for item in items) if items else None

    discovered = when_text(breach.discovered_at, language, zone=True)
    deadline = when_text(breach.authority_deadline, language, zone=True)
    occurred = when_text(breach.occurred_at, language, zone=True) or None
    notified = when_text(breach.authority_notified_at, language, zone=True)
    shop = fact("shop.name") or _("the controller")
    records = (
        _("about {n} customer records (one per person)").format(n=affected_selected) if affected_selected else None
    )

    story: list[Any] = [
        para(_("Notification of a personal data breach to the supervisory authority"), s["title"], "bold"),
        para(
            _("DRAFT \u2014 check every entry and complete the highlighted blanks before sending"), s["draft"], "bold"
        ),
        para(
            _(
                "Prepared by {shop} under Article 33(3) of the GDPR (and the UK GDPR). Many authorities ask for "
                "notification through their own online form: copy the answers from this draft. Information that is "
                "not yet known may be given in stages, without further undue delay (Article 33(4))."
            ).format(shop=shop),
            s["small"],
        ),
        para(_("1. The controller"), s["heading"], "bold"),
        rows(
            [
                (_(EDITABLE["shop.name"]), fact("shop.name")),
                (_(EDITABLE["shop.address"]), fact("shop.address")),
                (_("Contact point for more information"), fact("shop.contact")),
                (_(EDITABLE["shop.dpo"]), fact("shop.dpo")),
                (_(EDITABLE["shop.representative"]), fact("shop.representative")),
            ]
        ),
        para(_("2. What happened"), s["heading"], "bold"),
        rows(
            [
                (_("Nature of the breach"), breach.nature),
                (_("When it happened"), occurred),
                (_("When it was discovered"), discovered),
                (_("How it was discovered"), None),
                (_("Our reference"), _("Breach {id}").format(id=breach.id)),
            ]
        ),
        para(_("3. People and data concerned"), s["heading"], "bold"),
        rows(
            [
                (_("Categories of people concerned"), joined(breach.people_categories)),
                (
                    _("Approximate number of people concerned"),
                    str(breach.approx_affected) if breach.approx_affected else None,
                ),
                (_("People identified in our customer records"), str(affected_selected)),
                (_("Categories of personal data concerned"), joined(breach.data_categories)),
                (_("Approximate number of personal data records concerned"), records),
            ]
        ),
        para(_("4. Likely consequences"), s["heading"], "bold"),
        rows([(_("Likely consequences for the people concerned"), breach.consequences or None)]),
        para(_("5. Measures taken or proposed"), s["heading"], "bold"),
        rows(
            [
                (
                    _("Measures to address the breach and to mitigate its possible adverse effects"),
                    breach.measures or None,
                )
            ]
        ),
        para(_("6. Timeline"), s["heading"], "bold"),
        rows(_timeline(_, breach, discovered, deadline, notified)),
        para(_("7. Informing the people concerned"), s["heading"], "bold"),
        rows(_informing(_, language, breach, affected_selected)),
        KeepTogether(
            [
                para(_("8. Sign-off"), s["heading"], "bold"),
                _sign_off([_("Name"), _("Position"), _("Date"), _("Signature")], s),
            ]
        ),
    ]
    return story


def _sign_off(labels: list[str], s: dict[str, ParagraphStyle]) -> Table:
    """Lines to write on by hand."""
    table = Table(
        [[para(label, s["cell_head"], "bold"), ""] for label in labels],
        colWidths=[0.34 * WIDTH, 0.66 * WIDTH],
        rowHeights=[9 * mm] * (len(labels) - 1) + [16 * mm],
    )
    table.setStyle(
        table_style([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black)])
    )
    return table


def _timeline(
    _: Translate, breach: Breach, discovered: str, deadline: str, notified: str
) -> list[tuple[str, str | None]]:
    items: list[tuple[str, str | None]] = [
        (_("Discovered"), discovered),
        (_("Deadline for notifying the authority (72 hours after discovery)"), deadline),
    ]
    if breach.authority_notified_at:
        items.append((_("Authority notified"), notified))
        items.append((_("Authority's reference"), breach.authority_reference or None))
        late = (local_time(breach.authority_notified_at) or breach.discovered_at) > breach.authority_deadline
        if late or breach.delay_reason:
            items.append((_("Reasons for the delay"), breach.delay_reason or None))
    else:
        items.append((_("Authority notified"), _("Not yet: this draft is the notification.")))
        if breach.delay_reason or datetime.now(UTC) > breach.authority_deadline:
            items.append((_("Reasons for the delay"), breach.delay_reason or None))
        else:
            items.append(
                (
                    _("Reasons for the delay"),
                    _("Only needed if this is sent after {deadline}.").format(deadline=deadline),
                )
            )
    return items


def _informing(_: Translate, language: str, breach: Breach, affected_selected: int) -> list[tuple[str, str | None]]:
    if breach.people_notified_at:
        told = _("Yes, on {date}.").format(date=day_text(breach.people_notified_at, language))
    elif breach.high_risk:
        told = _(
            "Not yet. The breach is likely to result in a high risk to them, so they will be told without "
            "undue delay (Article 34): letters are prepared for {n} people."
        ).format(n=affected_selected)
    else:
        told = _(
            "No. We consider the breach unlikely to result in a high risk to their rights and freedoms, so "
            "they are not being told individually."
        )
    items: list[tuple[str, str | None]] = [
        (_("High risk to the people concerned"), _("Yes") if breach.high_risk else _("No")),
        (_("Have the people concerned been told?"), told),
    ]
    if not breach.high_risk and not breach.people_notified_at:
        items.append((_("Why the risk is not high"), None))
    return items
