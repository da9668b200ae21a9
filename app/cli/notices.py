"""counterpart-admin notice: the generated privacy notice, the owner's extra text, and the Art. 14 tasks for
people who came from a file (list, letters, done)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.access.roles import PAGE_ROWS, Permission
from app.cli.common import Commands, Parser, Passwords, out, signed_in, vault_and_user
from app.cli.progress import TerminalProgress
from app.documents.notice_letter import write_letters
from app.locale import _, current_language
from app.locale.i18n import document_language
from app.privacy import notices


def cmd_show(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        notice = notices.current_or_new(session, args.notice_lang or current_language())
        # only someone who may not publish can be shown a version the records have moved past
        current = notice is not None and (
            session.can(Permission.CAPTURE_CONSENT) or notices.is_current(session, notice.language)
        )
    if notice is None:
        out(_("There is no notice text yet."))
        return 0
    out(
        _("Notice {language}, version {version}, sha256 {sha}").format(
            language=notice.language, version=notice.version, sha=notice.sha256
        )
    )
    if not current:
        out(_("The records have changed since this version; the owner publishes the new one."))
    out("")
    out(notice.title)
    out("")
    out(notice.body)
    return 0


def cmd_extra(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        notice = notices.set_extra(session, args.notice_lang, args.text)
    if notice is not None:
        out(
            _("Notice {language}, version {version}, sha256 {sha}").format(
                language=notice.language, version=notice.version, sha=notice.sha256
            )
        )
    return 0


def cmd_tasks(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        limit = -1 if session.can(Permission.EXPORT_BULK) else PAGE_ROWS
        found = notices.tasks(session, open_only=not args.all, limit=limit)
        session.record_bulk_read("notice tasks", len(found))
    if args.json:
        out(
            json.dumps(
                [
                    {
                        "contact": t.contact_id,
                        "name": t.name,
                        "source": t.source,
                        "created_at": t.created_at,
                        "due_at": t.due_at,
                        "done_at": t.done_at,
                        "method": t.method,
                    }
                    for t in found
                ],
                ensure_ascii=False,
            )
        )
        return 0
    for t in found:
        out(
            "\t".join(
                [
                    str(t.contact_id),
                    t.name,
                    t.due_at[:10],
                    t.done_at[:10] if t.done_at else "",
                    t.method or "",
                    t.source,
                ]
            )
        )
    return 0


def cmd_letters(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session, TerminalProgress(_("Writing letters…")) as progress:
        written = write_letters(session, Path(args.out), args.notice_lang, progress=progress)
    out(_("Wrote {n} letters to {path}.").format(n=len(written), path=args.out))
    return 0


def cmd_done(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        notices.mark_done(session, args.contact, args.method)
    out(
        _("Customer {id} was told about the notice ({method}).").format(
            id=args.contact, method=notices.method_label(args.method)
        )
    )
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    notice = commands.add_parser("notice", help=_("the generated privacy notice and the Art. 14 tasks"))
    sub = notice.add_subparsers(dest="notice_command", required=True, metavar="ACTION", parser_class=Parser)

    show = sub.add_parser("show", help=_("print the current notice (publishing a new version if the records changed)"))
    vault_and_user(show)
    show.add_argument(
        "--lang", dest="notice_lang", metavar="LANG", type=document_language, help=_("the notice's language")
    )
    show.set_defaults(run=cmd_show)

    extra = sub.add_parser("extra", help=_("set the owner's own text at the end of the notice"))
    vault_and_user(extra)
    extra.add_argument("--lang", dest="notice_lang", required=True, metavar="LANG", type=document_language)
    extra.add_argument("--text", required=True, metavar="TEXT", help=_("the text (empty to remove it)"))
    extra.set_defaults(run=cmd_extra)

    task_list = sub.add_parser("tasks", help=_("people from an import still to be told (GDPR Art. 14)"))
    vault_and_user(task_list)
    task_list.add_argument("--all", action="store_true", help=_("done tasks too"))
    task_list.add_argument("--json", action="store_true")
    task_list.set_defaults(run=cmd_tasks)

    letters = sub.add_parser("letters", help=_("save the Art. 14 letters for the open tasks as PDF"))
    vault_and_user(letters)
    letters.add_argument("--out", required=True, metavar="DIR")
    letters.add_argument(
        "--lang",
        dest="notice_lang",
        metavar="LANG",
        type=document_language,
        help=_("one language for every letter (default: each person's)"),
    )
    letters.set_defaults(run=cmd_letters)

    done = sub.add_parser("done", help=_("record that a person was told"))
    vault_and_user(done)
    done.add_argument("--contact", type=int, required=True, metavar="ID")
    done.add_argument("--method", default="letter", choices=list(notices.METHODS))
    done.set_defaults(run=cmd_done)
