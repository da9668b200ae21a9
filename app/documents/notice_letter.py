"""The Art. 14 letter: telling someone who came from a file (an import) that the shop has their data, where it
came from, and how it is used: the notice in their language, as the records compose it now.

One file per person, named by numbers only (a folder listing must not say who is on it); rendered in memory and
written atomically. Printing them is audited with the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from app.access.roles import PAGE_ROWS, Permission
from app.access.session import Session
from app.access.shop import read_profile
from app.consent.ledger import Notice
from app.documents.pdf import draw_footer, letters_summary, para, render_paged, styles
from app.errors import InvalidInput
from app.fileio import atomic_write
from app.locale import _
from app.locale.formatting import day
from app.locale.i18n import translator
from app.privacy.notices import NoticeTask, current_or_new, notice_language, tasks


@dataclass(frozen=True)
class LetterShop:
    name: str
    address: str
    contact: str


def letter_file_name(task: NoticeTask) -> str:
    return f"notice-letter-{task.contact_id:06d}.pdf"


def render_letter(
    *, language: str, shop: LetterShop, person: str, address: str, source: str, notice: Notice, when: date
) -> bytes:
    """One person's letter as PDF bytes."""
    _ = translator(language)
    s = styles()
    shop_name = shop.name or _("the shop")
    title = _("How we use your personal data")

    def story() -> list[Any]:
        flow: list[Any] = [para(shop_name, s["letterhead"], "bold")]
        flow += [para(line, s["small"]) for line in [*shop.address.splitlines(), shop.contact] if line.strip()]
        flow.append(Spacer(1, 8 * mm))
        flow += [para(line, s["body"]) for line in [person, *address.splitlines()] if line.strip()]
        flow += [
            Spacer(1, 6 * mm),
            para(day(when, language, "long"), s["right"]),
            para(title, s["title"], "bold"),
            para(_("Dear {name},").format(name=person) if person else _("Dear customer,"), s["body"]),
            para(
                _(
                    "Your name and contact details came to us from a list ({source}); we now keep them in our "
                    "customer records. The data protection law (GDPR Article 14) asks us to tell you so, and "
                    "how we use them. This is our privacy notice:"
                ).format(source=source),
                s["body"],
            ),
            Spacer(1, 2 * mm),
            para(notice.title, s["heading"], "bold"),
        ]
        for paragraph in notice.body.split("\n\n"):
            if paragraph.startswith("\u2022"):
                flow.append(para(paragraph, s["bullet"]))
            elif len(paragraph) < 60 and ":" not in paragraph and not paragraph.rstrip().endswith((".", "。")):
                flow.append(para(paragraph, s["heading"], "bold"))  # a section's heading
            else:
                flow.append(para(paragraph, s["body"]))
        flow += [
            Spacer(1, 3 * mm),
            para(
                _(
                    "If you do not want us to keep your data, or want to know what we hold, please tell us: {contact}"
                ).format(contact=shop.contact or shop_name),
                s["body"],
            ),
            para(_("Kind regards,"), s["body"]),
            para(shop_name, s["body"]),
        ]
        return flow

    def decorate(canvas: Any, page: int, total: int) -> None:
        draw_footer(
            canvas,
            _("Notice version {version} · {sha}").format(version=notice.version, sha=notice.sha256[:12]),
            _("Page {page} of {total}").format(page=page, total=total),
        )

    return render_paged(story, title=title, decorate=decorate)


def _address(session: Session, contact_id: int) -> str:
    row = session.conn.execute(
        "SELECT value FROM contact_point WHERE contact_id = ? AND kind = 'address' "
        "ORDER BY is_primary DESC, id LIMIT 1",
        (contact_id,),
    ).fetchone()
    return str(row[0]) if row else ""


def write_letters(
    session: Session,
    out_dir: Path,
    language: str | None = None,
    contact_ids: list[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """A letter for each open task (or those of `contact_ids`), in `language` if given, else the person's (the
    shop's for people with none); returns the files written. Audited with the count. After an import there can
    be thousands: `progress(done, total)` after each letter, `cancelled()` asked before each (the letters
    written stay: each is a whole file)."""
    session.require(Permission.CAPTURE_CONSENT)
    limit = -1 if session.can(Permission.EXPORT_BULK) else PAGE_ROWS
    chosen = [t for t in tasks(session, limit=limit) if contact_ids is None or t.contact_id in contact_ids]
    if contact_ids is not None and len(chosen) < len(set(contact_ids)):
        raise InvalidInput(_("Some of these customers have no open notice task."))
    profile = read_profile(session.conn)
    shop = LetterShop(profile.name, profile.address, profile.privacy_contact)
    today = datetime.now().astimezone().date()
    out_dir.mkdir(parents=True, exist_ok=True)
    notices: dict[str, Notice | None] = {}
    written: list[Path] = []
    for task in chosen:
        if cancelled is not None and cancelled():
            break
        lang = notice_language(language or task.language or profile.language)
        if lang not in notices:
            notices[lang] = current_or_new(session, lang)
        notice = notices[lang]
        if notice is None:
            raise InvalidInput(_("There is no notice text yet; publish one in Privacy settings first."))
        out = out_dir / letter_file_name(task)
        atomic_write(
            out,
            render_letter(
                language=lang,
                shop=shop,
                person=task.name,
                address=_address(session, task.contact_id),
                source=task.source,
                notice=notice,
                when=today,
            ),
        )
        written.append(out)
        if progress is not None:
            progress(len(written), len(chosen))
    session.record("notice.letters", "notice_task", None, letters_summary(len(written), len(chosen)))
    return written
