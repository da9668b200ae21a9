"""counterpart-admin: accountability: the shop profile, the record of processing, training, the yearly review,
the impact assessment, privacy health."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from app.access.roles import Permission
from app.access.shop import ShopService
from app.cli.common import Commands, Parser, Passwords, comma_list, out, signed_in, vault_and_user
from app.documents.dpia_document import write_dpia
from app.documents.ropa_document import write_ropa
from app.errors import UsageError
from app.locale import _, current_language
from app.locale.i18n import document_language
from app.privacy.dpia import OWNER_FIELDS, DpiaService
from app.privacy.health import health
from app.privacy.review import ITEMS, ReviewService, item_label
from app.privacy.ropa import RopaService
from app.privacy.training import LESSON_VERSION, TrainingService, lesson


def cmd_ropa(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        write_ropa(Path(args.out), RopaService(session).gather(args.doc_lang or current_language()))
        session.record("ropa.print")
    out(_("Saved the record of processing activities to {path}.").format(path=args.out))
    return 0


_SHOP_OPTIONS = ("name", "address", "country", "currency", "language", "privacy_contact", "dpo")


def cmd_shop(args: argparse.Namespace, passwords: Passwords) -> int:
    """Show the shop profile, or set the fields given (owner only; the change is audited)."""
    changes = {name: getattr(args, name) for name in _SHOP_OPTIONS if getattr(args, name) is not None}
    with signed_in(args, passwords) as session:
        service = ShopService(session)
        profile = service.update(**changes) if changes else service.profile()
    labels = {
        "name": _("Name"),
        "address": _("Address"),
        "country": _("Country"),
        "currency": _("Currency"),
        "language": _("Language"),
        "privacy_contact": _("Privacy contact"),
        "dpo": _("Data protection officer"),
    }
    for name in _SHOP_OPTIONS:
        value = " / ".join(line.strip() for line in getattr(profile, name).splitlines() if line.strip())
        out(f"{labels[name]}: {value or '-'}")
    if changes:
        out(_("Saved the shop profile."))
    return 0


def cmd_training_status(args: argparse.Namespace, passwords: Passwords) -> int:
    """Everyone's privacy lesson for the owner (MANAGE_USERS), else the user's own."""
    with signed_in(args, passwords) as session:
        service = TrainingService(session)
        people = service.status() if session.can(Permission.MANAGE_USERS) else [service.my_status()]
    today = datetime.now(UTC).date()
    for status in people:
        read = (
            _("read on {date}").format(date=status.acknowledged_at[:10])
            if status.acknowledged_at
            else _("not read yet")
        )
        due = (
            _("due now")
            if status.due(today)
            else _("next due {date}").format(date=status.due_on.isoformat() if status.due_on else "-")
        )
        out(f"{status.name} ({status.role.label()}): {read}; {due}")
    return 0


def cmd_training_acknowledge(args: argparse.Namespace, passwords: Passwords) -> int:
    if args.show:
        for title, text in lesson():
            out(f"# {title}\n\n{text}\n")
    with signed_in(args, passwords) as session:
        TrainingService(session).acknowledge()
    out(
        _("Recorded that {user} read the privacy lesson (version {version}).").format(
            user=args.user, version=LESSON_VERSION
        )
    )
    return 0


def cmd_review_status(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        service = ReviewService(session)
        due_on, due, reviews = service.due_on(), service.due(), service.reviews(limit=5)
    out(
        (
            _("The yearly privacy review is due (since {date}).")
            if due
            else _("The next yearly privacy review is due on {date}.")
        ).format(date=due_on.isoformat())
    )
    for review in reviews:
        missed = [item_label(key) for key in ITEMS if key not in review.items]
        out(
            _("{date}: {user}, {ticked} of {total} items").format(
                date=review.at[:10], user=review.by, ticked=len(review.items), total=len(ITEMS)
            )
            + (" (" + _("not ticked: {items}").format(items=", ".join(missed)) + ")" if missed else "")
            + (f" \u2014 {review.note}" if review.note else "")
        )
    return 0


def cmd_review_record(args: argparse.Namespace, passwords: Passwords) -> int:
    items = list(ITEMS) if args.all else comma_list(",".join(args.item or []))
    if not items and not (args.note or "").strip():  # the service's "Tick what you checked" is the app's wording
        raise UsageError(_("Give --item KEY for each item checked, --all, or --note saying why none could be."))
    with signed_in(args, passwords) as session:
        review_id = ReviewService(session).record(items, args.note or "")
    out(_("Recorded privacy review no. {id}.").format(id=review_id))
    return 0


def cmd_dpia_show(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        service = DpiaService(session)
        latest = service.latest()
        draft = service.draft(args.doc_lang or current_language())
    if latest is None:
        out(_("No impact assessment is saved yet."))
    else:
        out(
            _("Version no. {id}, saved by {user} on {date}; kept until {until}.").format(
                id=latest.id,
                user=latest.saved_by,
                date=(latest.saved_at or "")[:10],
                until=(latest.keep_until or "")[:10],
            )
        )
    for name, basis in draft.purposes:
        out(f"{_('Purpose')}: {name} ({basis})")
    for key, (heading, _hint) in OWNER_FIELDS.items():
        answer = " / ".join(line.strip() for line in draft.answers.get(key, "").splitlines() if line.strip())
        out(f"{_(heading)}: {answer or _('to be completed')}")
    return 0


def cmd_dpia_save(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        service = DpiaService(session)
        language = args.doc_lang or current_language()
        answers = dict(service.draft(language).answers)
        answers.update({key: getattr(args, key) for key in OWNER_FIELDS if getattr(args, key) is not None})
        saved = service.save(answers, language)
    out(_("Saved impact assessment no. {id}.").format(id=saved.id))
    return 0


def cmd_dpia_pdf(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        service = DpiaService(session)
        # The saved version as it was saved (in its language); a draft of today's facts when none was saved
        assessment = service.latest() or service.draft(args.doc_lang or current_language())
        write_dpia(Path(args.out), assessment)
        session.record("dpia.print", "impact_assessment", assessment.id)
    out(_("Saved the impact assessment to {path}.").format(path=args.out))
    return 0


def cmd_health(args: argparse.Namespace, passwords: Passwords) -> int:
    """Every open privacy duty this user may see; exit 0 either way (a script reads the lines or the JSON)."""
    with signed_in(args, passwords) as session:
        lines = health(session)
    if args.json:
        out(
            json.dumps(
                [{"key": line.key, "place": line.place, "count": line.count, "text": line.text} for line in lines],
                ensure_ascii=False,
            )
        )
    elif not lines:
        out(_("Nothing needs attention."))
    for line in [] if args.json else lines:
        out(f"{line.key}: {line.text}")
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    shop = commands.add_parser("shop", help=_("show or change the shop profile (name, country, currency…)"))
    vault_and_user(shop)
    shop.add_argument("--name", help=_("the shop's name, as documents print it"))
    shop.add_argument("--address", help=_("the shop's postal address"))
    shop.add_argument("--country", metavar="CC", help=_("ISO country code; local phone numbers are read in it"))
    shop.add_argument("--currency", metavar="XXX", help=_("ISO currency code for new deals"))
    shop.add_argument("--language", help=_("the shop's language for documents"))
    shop.add_argument(
        "--privacy-contact", dest="privacy_contact", metavar="CONTACT", help=_("where customers ask about their data")
    )
    shop.add_argument("--dpo", help=_("the data protection officer, if one is named"))
    shop.set_defaults(run=cmd_shop)

    ropa = commands.add_parser("ropa", help=_("the record of processing activities (Art. 30) as PDF"))
    vault_and_user(ropa)
    ropa.add_argument("--out", required=True, metavar="FILE.pdf")
    ropa.add_argument("--lang", metavar="LANG", dest="doc_lang", type=document_language)
    ropa.set_defaults(run=cmd_ropa)

    training = commands.add_parser("training", help=_("the staff privacy lesson: who read it, or confirm it"))
    training_commands = training.add_subparsers(
        dest="training_command", required=True, metavar="ACTION", parser_class=Parser
    )
    status = training_commands.add_parser("status", help=_("who read the lesson and when each is due"))
    vault_and_user(status)
    status.set_defaults(run=cmd_training_status)
    acknowledge = training_commands.add_parser("acknowledge", help=_("confirm that you read the lesson"))
    vault_and_user(acknowledge)
    acknowledge.add_argument("--show", action="store_true", help=_("print the lesson first"))
    acknowledge.set_defaults(run=cmd_training_acknowledge)

    review = commands.add_parser("review", help=_("the yearly privacy review"))
    review_commands = review.add_subparsers(dest="review_command", required=True, metavar="ACTION", parser_class=Parser)
    review_status = review_commands.add_parser("status", help=_("when the review is due, and the last ones"))
    vault_and_user(review_status)
    review_status.set_defaults(run=cmd_review_status)
    record = review_commands.add_parser("record", help=_("record a review (owners and managers)"))
    vault_and_user(record)
    record.add_argument(
        "--item",
        action="append",
        metavar="ITEM",
        help=_("an item checked (repeat, or comma-separated): {items}").format(items=", ".join(ITEMS)),
    )
    record.add_argument("--all", action="store_true", help=_("every item was checked"))
    record.add_argument("--note", help=_("what was found or left open"))
    record.set_defaults(run=cmd_review_record)

    dpia = commands.add_parser("dpia", help=_("the impact assessment (GDPR Art. 35, PIPL Art. 55)"))
    dpia_commands = dpia.add_subparsers(dest="dpia_command", required=True, metavar="ACTION", parser_class=Parser)
    show = dpia_commands.add_parser("show", help=_("the assessment as it stands"))
    save = dpia_commands.add_parser("save", help=_("save a new version with the answers given"))
    pdf = dpia_commands.add_parser("pdf", help=_("save the latest version as PDF"))
    for sub, run in ((show, cmd_dpia_show), (save, cmd_dpia_save), (pdf, cmd_dpia_pdf)):
        vault_and_user(sub)
        sub.add_argument("--lang", metavar="LANG", dest="doc_lang", type=document_language)
        sub.set_defaults(run=run)
    for key in OWNER_FIELDS:
        save.add_argument(f"--{key}", metavar="TEXT")
    pdf.add_argument("--out", required=True, metavar="FILE.pdf")

    health_cmd = commands.add_parser("health", help=_("every open privacy duty, and where it is fixed"))
    vault_and_user(health_cmd)
    health_cmd.add_argument("--json", action="store_true")
    health_cmd.set_defaults(run=cmd_health)
