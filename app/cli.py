"""counterpart-admin: the headless command line for scripts, schedulers and the shop's way out.

Its commands, options, output lines and exit codes are a contract (README): 0 ok, 1 a file could not be read or
written, 2 usage, 3 authentication failed, 4 permission denied, 5 invalid input, 6 vault damaged, 7 vault busy,
8 disk full. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import sqlcipher3

from app import __version__
from app.access import rekey_due, settings
from app.access.roles import PAGE_ROWS
from app.access.session import Session, open_session
from app.access.users import UserService
from app.admin import security
from app.errors import CounterpartError, DiskFull, InvalidInput, UsageError, VaultDamaged
from app.fileio import describe_file_error
from app.locale import _, current_language, ngettext, set_language
from app.privacy import audit_service
from app.process_guard import guard_process_memory
from app.store import audit
from app.store.database import classify
from app.vault.keyfile import user_key
from app.vault.vault import Vault


class Passwords:
    """Passwords from standard input (one a line, with --password-stdin) or a hidden prompt."""

    def __init__(self, from_stdin: bool, stdin: TextIO | None = None) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin or sys.stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise UsageError(_("Expected another password on standard input."))
            return line.rstrip("\r\n")
        if not self.stdin.isatty():
            raise UsageError(_("No terminal to ask for a password: give it on standard input with "
                               "--password-stdin."))
        password = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Type it again: ")) != password:
            raise UsageError(_("The two passwords are not the same."))
        return password


ASK = "\0ask"  # `--recovery-key` given alone: ask for it at a hidden prompt


def recovery_key_from(args: argparse.Namespace, passwords: Passwords) -> str | None:
    """The recovery key from a hidden prompt, standard input (its first line) or an open file descriptor; never
    from the command line, where other programs read it in /proc/PID/cmdline and the shell keeps it in its
    history."""
    given = getattr(args, "recovery_key", None)
    if given not in (None, ASK):
        raise UsageError(_("The recovery key may not be given on the command line: other programs can read it "
                           "there and the shell keeps it in its history. Use --recovery-key alone to be asked for "
                           "it, or --recovery-key-stdin, or --recovery-key-fd N."))
    if getattr(args, "recovery_key_stdin", False):
        line = passwords.stdin.readline()
        if not line:
            raise UsageError(_("Expected the recovery key on the first line of standard input."))
        return line.strip()
    descriptor = getattr(args, "recovery_key_fd", None)
    if descriptor is not None:
        try:
            with os.fdopen(descriptor, encoding="utf-8", closefd=False) as handle:
                return handle.readline().strip()
        except OSError:
            raise UsageError(_("Cannot read the recovery key from file descriptor {fd}.").format(fd=descriptor)) \
                from None
    if given == ASK:
        if not passwords.stdin.isatty():
            raise UsageError(_("No terminal to ask for the recovery key: give it with --recovery-key-stdin."))
        return getpass.getpass(_("Recovery key: "))
    return None


def _recovery_key_options(parser: argparse.ArgumentParser, required: bool = False) -> None:
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--recovery-key", nargs="?", const=ASK, metavar="", help=_("ask for the recovery key"))
    source.add_argument("--recovery-key-stdin", action="store_true",
                        help=_("read the recovery key from the first line of standard input"))
    source.add_argument("--recovery-key-fd", type=int, metavar="N",
                        help=_("read the recovery key from open file descriptor N"))


def _out(line: str) -> None:
    print(line, flush=True)


def _session(args: argparse.Namespace, passwords: Passwords) -> Session:
    session = open_session(args.vault, args.user, passwords.read(_("Password for {user}: ").format(user=args.user)))
    _say_finished_rekey(session)
    return session


def _say_finished_rekey(session: Session) -> None:
    """This sign-in finished a rekey that was interrupted: its new recovery key is shown now, once (on stderr,
    so it never ends up in a command's piped output)."""
    new_key, session.vault.finished_rekey = session.vault.finished_rekey, None
    if new_key:
        print(_("A rekey that was interrupted has now finished: the old recovery key no longer opens the vault. "
                "Write down the new one, shown only this once:"), file=sys.stderr, flush=True)
        print(_("Recovery key: {key}").format(key=new_key), file=sys.stderr, flush=True)


@contextmanager
def _signed_in(args: argparse.Namespace, passwords: Passwords) -> Iterator[Session]:
    """Sign in for one command and sign out however it ends (the logout is recorded in the audit log)."""
    session = _session(args, passwords)
    try:
        yield session
    except sqlcipher3.DatabaseError as exc:  # named while the vault is open: its damaged pages, its folder
        error = classify(exc, session.vault.paths.database, session.vault.db)
        with suppress(Exception):  # the command's own error is the one to report, not the logout's
            session.lock("logout")
        if error is None:
            raise
        raise error from None
    except BaseException:
        with suppress(Exception):
            session.lock("logout")
        raise
    try:
        session.record("session.logout")  # often the command's only write: a full disk, a damaged page
    except sqlcipher3.DatabaseError as exc:
        error = classify(exc, session.vault.paths.database, session.vault.db)
        if error is None:
            raise
        raise error from None
    finally:
        session.vault.close()  # as Session.lock("logout"): the key forgotten and the lock let go, whatever happened


def _say_protection(keychain_bound: bool) -> None:
    if keychain_bound:
        _out(_("Protection: password plus this computer's keychain."))
    else:
        _out(_("Protection: password only. There is no usable keychain here, so anyone who has the vault file "
               "and a password can open it on any computer."))


# --- commands ----------------------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace, passwords: Passwords) -> int:
    password = passwords.read(_("New password for {owner}: ").format(owner=args.owner), confirm=True)
    vault, recovery_key = Vault.create(args.vault, args.owner, password, use_keychain=not args.no_keyring)
    with vault:
        _out(_("Created vault {path} for {owner}.").format(path=vault.paths.database, owner=args.owner))
        _say_protection(vault.keychain_bound)
        _out(_("Write down the recovery key and keep it somewhere safe. It is shown only this once:"))
        _out(_("Recovery key: {key}").format(key=recovery_key))
    return 0


def cmd_verify(args: argparse.Namespace, passwords: Passwords) -> int:
    session = _session(args, passwords)
    try:
        report = security.verify(session)
    finally:
        session.vault.close()
    if report.problems:
        raise VaultDamaged(_("The vault is damaged: {detail}").format(detail="; ".join(report.problems[:3])))
    chain = report.chain
    if not chain.ok:  # what the signed heads and the anchor say (a cut end or beginning), then a broken entry
        found = [_("entry {id} fails ({reason}).").format(id=chain.first_broken, reason=chain.reason)
                 ] if chain.first_broken is not None else []
        raise VaultDamaged(_("The audit log has been tampered with: {detail}").format(
            detail=" ".join([*chain.findings, *found])))
    _out("ok")
    _out(_("schema version: {n}").format(n=report.schema_version))
    for table, count in report.counts.items():
        _out(f"{table}: {count}")
    _out(_("audit chain: {n} entries intact").format(n=chain.entries))
    if chain.unsigned:
        _out(ngettext("{n} entry unsigned (written before version {version}, which began signing them)",
                      "{n} entries unsigned (written before version {version}, which began signing them)",
                      chain.unsigned).format(n=chain.unsigned, version=chain.signed_since))
    if report.rekey_due:
        _out(rekey_due.rekey_due_text(report.rekey_due) + " " + _("Run 'counterpart-admin rekey'."))
    return 0


def cmd_rekey(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        recovery_key = security.rekey(session)
    _out(_("The vault now has a new data key; every login still works. The old recovery key no longer opens "
           "it. Write down the new one:"))
    _out(_("Recovery key: {key}").format(key=recovery_key))
    return 0


def cmd_recover(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.vault.recovery_key import parse_recovery_key

    key = recovery_key_from(args, passwords) or ""
    parse_recovery_key(key)  # a mistyped key fails before any password is asked
    password = passwords.read(_("New password for the owner: "), confirm=True)
    result = security.recover(args.vault, key, password)
    _out(_("Recovered: {owner} can sign in with the new password.").format(owner=result.owner))
    _say_protection(result.keychain_bound)
    if result.stale_users:
        _out(_("These users were set up with the old keychain and need a password reset by the owner: "
               "{users}").format(users=", ".join(result.stale_users)))
    return 0


def cmd_recovery_kit(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        security.write_recovery_kit(session, Path(args.out))
    _out(_("Saved the recovery kit to {path}. Print it and keep it somewhere safe; then delete the file.")
         .format(path=args.out))
    return 0


def cmd_user_add(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        temporary = passwords.read(_("Temporary password for {user}: ").format(user=args.name), confirm=True)
        user = UserService(session).add(args.name, args.role, temporary)
    _out(_("Added {user} as {role}. They must choose their own password when they first sign in.")
         .format(user=user.name, role=user.role.label()))
    return 0


def cmd_user_list(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        users = UserService(session).list()
    for user in users:
        state = _("active") if user.active else _("disabled")
        _out(f"{user.name}\t{user.role.value}\t{state}")
    return 0


def cmd_user_passwd(args: argparse.Namespace, passwords: Passwords) -> int:
    current = passwords.read(_("Password for {user}: ").format(user=args.user))
    session = open_session(args.vault, args.user, current)
    _say_finished_rekey(session)
    try:
        service = UserService(session)
        target = args.name or args.user
        new = passwords.read(_("New password for {user}: ").format(user=target), confirm=True)
        if args.name and user_key(args.name) != user_key(args.user):
            service.reset_password(args.name, new)
        else:
            service.change_own_password(current, new)
    finally:
        session.lock("logout")
    _out(_("Password changed for {user}.").format(user=target))
    return 0


def _user_change(action: Callable[[UserService, str], None], message: str) -> Callable[..., int]:
    def command(args: argparse.Namespace, passwords: Passwords) -> int:
        with _signed_in(args, passwords) as session:
            action(UserService(session), args.name)
        _out(message.format(user=args.name))
        return 0
    return command


def cmd_user_disable(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        UserService(session).disable(args.name)
    _out(_("{user} can no longer sign in.").format(user=args.name))
    _out(_("Their login gave them the vault's key: run 'counterpart-admin rekey' so that it stops working."))
    return 0


def cmd_user_enable(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        typed = None if args.generate else passwords.read(
            _("Temporary password for {user}: ").format(user=args.name), confirm=True)
        temporary = UserService(session).enable(args.name, typed)
    _out(_("{user} can sign in again.").format(user=args.name))
    if args.generate:
        _out(_("Temporary password: {password}").format(password=temporary))
    _out(_("They must choose their own password when they first sign in."))
    return 0


def cmd_user_role(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        UserService(session).set_role(args.name, args.role)
    _out(_("{user} is now {role}.").format(user=args.name, role=args.role))
    return 0


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(_("{text} is not a date; write it as YYYY-MM-DD.").format(text=text)) from None


def cmd_audit(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        flt = audit.AuditFilter(since=_iso_date(args.since) if args.since else None)
        if args.csv:
            rows = audit_service.export_csv(session, Path(args.csv), flt)
            _out(_("Wrote {n} audit entries to {path}.").format(n=rows, path=args.csv))
        else:
            after = 0
            while page := audit_service.view(session, flt, after_id=after):
                for entry in page:
                    _out("\t".join([str(entry.id), entry.at, entry.user_name or "-", entry.action,
                                    entry.entity_type or "", entry.entity_id or "", entry.summary]))
                after = page[-1].id
    return 0


def cmd_demo(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.crm import demo
    from app.crm.activities import ActivityService
    from app.crm.contacts import ContactService
    from app.crm.deals import DealService

    if args.contacts < 0:
        raise UsageError(_("--contacts must be 0 or more."))
    with _signed_in(args, passwords) as session:
        people = list(demo.generate(args.contacts))
        ids = ContactService(session).create_many(people, source="demo")
        stages = [s.id for s in DealService(session).pipelines()[0].stages]
        deals = DealService(session).create_many(
            demo.deals_for([(i, p.language) for i, p in zip(ids, people, strict=True)], stages), source="demo")
        activities = ActivityService(session).create_many(demo.activities_for(ids, datetime.now(UTC)), source="demo")
    _out(_("Added {n} demo customers, {d} deals and {a} activities.").format(n=len(ids), d=deals, a=activities))
    return 0


def cmd_search(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.crm.contacts import ContactService

    with _signed_in(args, passwords) as session:
        found = ContactService(session).search(args.query, limit=args.limit)
        session.record_bulk_read("search", len(found))
    if args.json:
        _out(json.dumps([{"id": c.id, "name": c.name, "email": c.email, "phone": c.phone,
                          "organisation": c.organisation} for c in found], ensure_ascii=False))
    else:
        for c in found:
            _out("\t".join([str(c.id), c.name, c.email or "", c.phone or "", c.organisation or ""]))
    return 0


def cmd_export(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.crm.export import export_csv

    with _signed_in(args, passwords) as session:
        if args.vcard:
            from app.crm.vcard import export_vcards

            rows = export_vcards(session, Path(args.vcard), query=args.query or "")
        else:
            rows = export_csv(session, Path(args.csv), args.query or "")
    _out(_("Wrote {n} customers to {path}.").format(n=rows, path=args.vcard or args.csv))
    return 0


def _column_mapping(pairs: list[str]) -> dict[str, str]:
    """--map COLUMN=FIELD options as a mapping (FIELD empty: leave the column out), checked before signing in."""
    from app.crm.importing.mapping import check_fields

    mapping: dict[str, str] = {}
    for pair in pairs:
        column, equals, wanted = pair.rpartition("=")
        if not equals or not column.strip():
            raise InvalidInput(_("--map takes COLUMN=FIELD, such as --map \"Crm Name=name\"."))
        mapping[column.strip()] = wanted.strip()
    check_fields(mapping)
    return mapping


def cmd_import(args: argparse.Namespace, passwords: Passwords) -> int:
    """Counts on stdout; each column that fills nothing ("unused column: X"), then each skipped row and each
    detail left out or kept unchecked ("line N: reason"), on stderr. With --json, one object with all of it."""
    from app.crm.importing.service import ImportService

    mapping = _column_mapping(args.map or [])
    with _signed_in(args, passwords) as session:
        report = ImportService(session).run(Path(args.file), fmt=args.format, dry_run=args.dry_run,
                                            mapping=mapping or None, overwrite=args.update == "file")
    skipped = sorted(report.bad_rows + [(d.line, d.reason()) for d in report.duplicates if d.existing_id is None])
    if args.json:
        _out(json.dumps({
            "format": report.format, "encoding": report.encoding, "dry_run": report.dry_run,
            "imported": 0 if report.dry_run else report.imported, "would_import": report.imported,
            "matched": len(report.matched), "updated": report.updated, "would_update": report.to_update,
            "unchanged": len(report.matched) - report.to_update, "skipped": report.skipped,
            "skipped_rows": [{"line": line, "reason": reason} for line, reason in skipped],
            "conflicts_kept": len(report.conflicts), "replaced": len(report.replaced),
            "replaced_fields": [{"line": m.line, "customer": m.contact_id, "field": c.field}
                                for m in report.matched if not m.held for c in m.taken],
            "unused_columns": report.unused_columns, "consents_found": report.consents_found,
            "consents_recorded": report.consents_stored,
            "messages": [{"line": line, "message": text} for line, text in report.messages()],
            "messages_left_out": report.left_out}, ensure_ascii=False))
        return 0
    for column in report.unused_columns:
        print(_("unused column: {column}").format(column=column), file=sys.stderr, flush=True)
    for line, reason in report.messages():
        print(_("line {line}: {reason}").format(line=line, reason=reason), file=sys.stderr, flush=True)
    if report.left_out:  # the first 1,000 of each kind are listed, the rest counted
        print(_("… and {n} more.").format(n=f"{report.left_out:,}"), file=sys.stderr, flush=True)
    _out(_("format: {format} ({encoding})").format(format=report.format, encoding=report.encoding))
    if report.dry_run:
        _out(_("dry run: nothing was written"))
        _out(_("would import: {n}").format(n=report.imported))
        _out(_("would update: {n}").format(n=report.to_update))
    _out(_("imported: {n}").format(n=0 if report.dry_run else report.imported))
    _out(_("matched: {n}").format(n=len(report.matched)))
    _out(_("matched, updated: {n}").format(n=report.updated))
    _out(_("matched, unchanged: {n}").format(n=len(report.matched) - report.to_update))
    _out(_("conflicts kept: {n}").format(n=len(report.conflicts)))
    _out(_("replaced by the file's: {n}").format(n=len(report.replaced)))
    _out(_("skipped: {n}").format(n=report.skipped))
    _out(_("duplicates: {n}").format(n=report.duplicate_count))
    _out(_("bad rows: {n}").format(n=report.bad_count))
    _out(_("unused columns: {n}").format(n=len(report.unused_columns)))
    if report.consents_found:
        _out(_("consents stated in the file: {n}, recorded: {stored}").format(n=report.consents_found,
                                                                           stored=report.consents_stored))
    return 0


def cmd_consent(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.consent.ledger import ConsentService
    from app.crm.contacts import ContactService

    if bool(args.parent) != bool(args.relation):
        raise InvalidInput(_("Give both --parent and --relation for a parent's consent."))
    guardian = (args.parent, args.relation) if args.parent else None
    with _signed_in(args, passwords) as session:
        consent = ConsentService(session)
        if args.born:
            from app.consent.jurisdiction import set_birth_date

            set_birth_date(session, args.contact, date.fromisoformat(_iso_date(args.born)))
        notice_id = None
        if args.grant and args.method in ("form", "paper"):
            language = ContactService(session).language_of(args.contact) or current_language()
            notice = consent.current_notice(language)
            notice_id = notice.id if notice else None
        consent.record(args.contact, args.purpose, args.grant, args.method, notice_id=notice_id,
                       source="counterpart-admin" if args.method == "import" else "", guardian=guardian)
        state = next(s for s in consent.states(args.contact) if s.purpose.key == args.purpose)
    _out(_("{purpose} for customer {id}: {state}.").format(purpose=args.purpose, id=args.contact, state=state.reason))
    return 0


def cmd_consent_list(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.audience import export_audience

    with _signed_in(args, passwords) as session:
        rows = export_audience(session, args.purpose, Path(args.csv) if args.csv else None)
    if args.csv:
        _out(_("Wrote {n} people to {path}.").format(n=len(rows), path=args.csv))
    else:
        for contact_id, name, email, phone in rows:
            _out("\t".join([str(contact_id), name, email or "", phone or ""]))
    return 0


def cmd_consent_form(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.documents.consent_form import print_form

    with _signed_in(args, passwords) as session:
        code = print_form(session, Path(args.out), args.form_lang, args.contact)
    _out(_("Saved the consent form to {path} (reference {code}).").format(path=args.out, code=code))
    return 0


def cmd_sweep(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.consent.restriction import RestrictionService
    from app.privacy.retention import RetentionService

    with _signed_in(args, passwords) as session:
        service = RetentionService(session)
        items = service.preview()
        counts = service.apply().counts if args.apply else {}
        kept = RestrictionService(session).kept_by_sweep()
    if args.json:
        _out(json.dumps({"applied": bool(args.apply), "counts": counts, "kept_restricted": kept,
                         "items": [{"contact_id": i.contact_id, "policy": i.category, "action": i.action,
                                    "count": i.count, "reason": i.reason} for i in items]}, ensure_ascii=False))
        return 0
    for item in items:
        who = str(item.contact_id) if item.contact_id is not None else _("{n} records").format(n=item.count)
        _out("\t".join([who, item.category, item.action, item.reason]))
    if kept:
        _out(ngettext("{n} person kept: processing restricted (GDPR Art. 18).",
                      "{n} people kept: processing restricted (GDPR Art. 18).", kept).format(n=kept))
    if args.apply:
        _out(_("Applied: {counts}").format(counts=", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "0"))
    else:
        _out(_("Dry run: nothing was changed. {n} items are due.").format(n=len(items)))
    return 0


def cmd_erase(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.erasure import erase

    with _signed_in(args, passwords) as session:
        erase(session, args.contact, anonymise=args.anonymise, reason="counterpart-admin")
    _out((_("Anonymised customer {id}.") if args.anonymise else _("Erased customer {id}.")).format(id=args.contact))
    return 0


def cmd_hold(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.retention import RetentionService

    until = datetime.fromisoformat(_iso_date(args.until)).replace(tzinfo=UTC) if args.until else None
    with _signed_in(args, passwords) as session:
        hold_id = RetentionService(session).hold(args.contact, args.reason, until)
    _out(_("Legal hold {hold} placed on customer {id}.").format(hold=hold_id, id=args.contact))
    return 0


def cmd_export_subject(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.documents.access_export import export_subject

    with _signed_in(args, passwords) as session:
        pdf_password = passwords.read(_("Password for the PDF: "), confirm=True) if args.pdf_password_stdin else None
        zip_path = Path(args.zip) if args.zip else None
        hashes = export_subject(session, args.contact, pdf=Path(args.pdf), zip_path=zip_path,
                                language=args.export_lang, pdf_password=pdf_password, request_id=args.request)
    for name, digest in hashes.items():
        _out(_("Wrote {name} (sha256 {digest}).").format(name=name, digest=digest))
    return 0


def cmd_requests(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.requests import RequestService

    with _signed_in(args, passwords) as session:
        today = datetime.now(UTC).date()
        service = RequestService(session)
        found = service.all_requests() if args.all else service.open_requests(overdue_only=args.overdue, today=today)
    if args.json:
        _out(json.dumps([{"id": r.id, "type": r.type, "jurisdiction": r.jurisdiction, "contact_id": r.contact_id,
                          "received": r.received_at, "due": r.due_at, "extended": r.extended,
                          "overdue": r.overdue(today), "status": r.status, "recipients": r.recipients}
                         for r in found], ensure_ascii=False))
    else:
        for r in found:
            late = _("OVERDUE") if r.overdue(today) else ""
            tell = _("tell: {names}").format(names="; ".join(r.recipients)) if r.recipients else ""
            fields = [str(r.id), r.type, r.jurisdiction, _("due {date}").format(date=r.due_at)]
            fields += [r.status, late, tell] if args.all else [late]  # the open list keeps its columns
            _out("\t".join(fields).rstrip())
    return 0


def cmd_backup(args: argparse.Namespace, passwords: Passwords) -> int:
    with _signed_in(args, passwords) as session:
        made = security.backup_now(session, Path(args.to))
    _out(str(made))
    return 0


def cmd_backups(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.vault import backup

    for info in backup.list_backups(Path(args.folder)):
        counts = ", ".join(f"{k}={v}" for k, v in sorted(info.counts.items()))
        _out("\t".join([info.path.name, info.created.isoformat(), info.reason, _("schema {n}").format(
            n=info.schema_version), counts]))
    return 0


def _backup_credentials(args: argparse.Namespace, passwords: Passwords) -> tuple[str | None, str | None, str | None]:
    """(user, password, recovery key) that open a backup: the ones valid when it was made."""
    key = recovery_key_from(args, passwords)
    if key:
        return None, None, key
    if not args.user:
        raise UsageError(_("Give --user NAME (with its password), or the recovery key (--recovery-key to be "
                           "asked, or --recovery-key-stdin)."))
    password = passwords.read(_("Password for {user} (as it was when the backup was made): ").format(user=args.user))
    return args.user, password, None


def cmd_restore(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.admin import restore

    user, password, key = _backup_credentials(args, passwords)
    result = restore.restore(Path(args.backup), Path(args.to), user=user, password=password, recovery_key=key,
                            replace_other_vault=args.replace_with_other_vault)
    counts = ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items()))
    _out(_("Restored {backup} to {vault}: {counts}.").format(backup=Path(args.backup).name, vault=args.to,
                                                           counts=counts))
    if result.reerased:
        _out(_("Erased again {n} people erased after this backup was made.").format(n=result.reerased))
    if result.kept_aside:
        _out(_("The previous vault files are kept in {path}.").format(path=result.kept_aside))
    return 0


def cmd_drill(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.admin import restore

    user, password, key = _backup_credentials(args, passwords)
    counts = restore.drill(Path(args.backup), user=user, password=password, recovery_key=key)
    _out(_("Drill passed: the backup opens and is intact ({counts}).").format(
        counts=", ".join(f"{k}={v}" for k, v in sorted(counts.items()))))
    if args.vault and user and password:
        session = open_session(args.vault, user, password)
        _say_finished_rekey(session)
        try:
            settings.record_drill(session, Path(args.backup).name, counts)
        finally:
            session.lock("logout")
        _out(_("Recorded the drill in {vault}.").format(vault=args.vault))
    return 0


@contextmanager
def _breach_service(args: argparse.Namespace, passwords: Passwords) -> Iterator[tuple[Session, Any]]:
    from app.privacy.breach import BreachService

    with _signed_in(args, passwords) as session:
        yield session, BreachService(session)


def cmd_breach_add(args: argparse.Namespace, passwords: Passwords) -> int:
    discovered = _moment(args.discovered)
    with _breach_service(args, passwords) as (session, service):
        breach_id = service.record(discovered_at=discovered, nature=args.nature,
                                   data_categories=_comma_list(args.data_categories),
                                   people_categories=_comma_list(args.people_categories), approx_affected=args.affected,
                                   consequences=args.consequences or "", measures=args.measures or "",
                                   high_risk=args.high_risk)
        breach = service.get(breach_id)
    _out(_("Recorded breach {id}. Tell the supervisory authority by {deadline} (72 hours after discovery).")
         .format(id=breach_id, deadline=breach.authority_deadline.isoformat(timespec="minutes")))
    return 0


def cmd_breach_list(args: argparse.Namespace, passwords: Passwords) -> int:
    with _breach_service(args, passwords) as (session, service):
        breaches = service.all()
    now = datetime.now(UTC)
    if args.json:
        _out(json.dumps([{"id": b.id, "discovered_at": b.discovered_at.isoformat(), "status": b.status,
                          "authority_deadline": b.authority_deadline.isoformat(),
                          "hours_left": round(b.hours_left(now), 1), "authority_notified_at": b.authority_notified_at,
                          "authority_overdue": b.authority_overdue(now), "high_risk": b.high_risk,
                          "people_notified_at": b.people_notified_at, "affected_selected": b.selected}
                         for b in breaches]))
        return 0
    for b in breaches:
        if b.authority_notified_at:
            clock = _("authority told {at}").format(at=b.authority_notified_at)
        elif b.authority_overdue(now):
            clock = _("LATE: the 72 hours ended {at}").format(at=b.authority_deadline.isoformat(timespec="minutes"))
        else:
            clock = _("{hours} hours left to tell the authority").format(hours=int(b.hours_left(now)))
        _out("\t".join([str(b.id), b.discovered_at.isoformat(timespec="minutes"), b.status, clock]))
    return 0


def cmd_breach_select(args: argparse.Namespace, passwords: Passwords) -> int:
    before = _moment(args.created_before) if args.created_before else None
    with _breach_service(args, passwords) as (session, service):
        count = service.select_affected(args.id, purpose=args.purpose, created_before=before, tag=args.tag,
                                        everyone=args.everyone)
    _out(_("{n} people are recorded as affected by breach {id}.").format(n=count, id=args.id))
    return 0


def cmd_breach_notified(args: argparse.Namespace, passwords: Passwords) -> int:
    with _breach_service(args, passwords) as (session, service):
        if args.authority:
            service.authority_notified(args.id, args.authority, delay_reason=args.delay_reason or "")
        if args.people:
            service.people_notified(args.id)
    _out(_("Recorded."))
    return 0


def cmd_breach_letters(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.documents.breach_letters import write_letters

    with _signed_in(args, passwords) as session:
        written = write_letters(session, args.id, Path(args.out))
    _out(_("Wrote {n} letters to {path}.").format(n=len(written), path=args.out))
    return 0


def cmd_breach_report(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.documents.breach_letters import write_regulator_report
    from app.privacy.ropa import RopaService

    with _breach_service(args, passwords) as (session, service):
        breach = service.get(args.id)
        write_regulator_report(Path(args.out), language=args.doc_lang or current_language(), breach=breach,
                               facts=RopaService(session).facts(), affected_selected=breach.selected)
        session.record("breach.report", "breach", args.id)
    _out(_("Saved the draft report for the authority to {path}.").format(path=args.out))
    return 0


def cmd_ropa(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.documents.ropa_document import write_ropa
    from app.privacy.ropa import RopaService

    with _signed_in(args, passwords) as session:
        write_ropa(Path(args.out), RopaService(session).gather(args.doc_lang or current_language()))
        session.record("ropa.print")
    _out(_("Saved the record of processing activities to {path}.").format(path=args.out))
    return 0


_SHOP_OPTIONS = ("name", "address", "country", "currency", "language", "privacy_contact", "dpo")


def cmd_shop(args: argparse.Namespace, passwords: Passwords) -> int:
    """Show the shop profile, or set the fields given (owner only; the change is audited)."""
    from app.access.shop import ShopService

    changes = {name: getattr(args, name) for name in _SHOP_OPTIONS if getattr(args, name) is not None}
    with _signed_in(args, passwords) as session:
        service = ShopService(session)
        profile = service.update(**changes) if changes else service.profile()
    labels = {"name": _("Name"), "address": _("Address"), "country": _("Country"), "currency": _("Currency"),
              "language": _("Language"), "privacy_contact": _("Privacy contact"), "dpo": _("Data protection officer")}
    for name in _SHOP_OPTIONS:
        value = " / ".join(line.strip() for line in getattr(profile, name).splitlines() if line.strip())
        _out(f"{labels[name]}: {value or '-'}")
    if changes:
        _out(_("Saved the shop profile."))
    return 0


def _comma_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _moment(text: str) -> datetime:
    """A date or date-time typed by a person; without a zone it is this computer's local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("{text} is not a date and time; write it as YYYY-MM-DD HH:MM.").format(text=text)) \
            from None
    return moment if moment.tzinfo else moment.astimezone()


# --- accountability: training, yearly review, impact assessment, privacy health ------------------------------

def cmd_training_status(args: argparse.Namespace, passwords: Passwords) -> int:
    """Everyone's privacy lesson for the owner (MANAGE_USERS), else the user's own."""
    from app.access.roles import Permission
    from app.privacy.training import TrainingService

    with _signed_in(args, passwords) as session:
        service = TrainingService(session)
        people = service.status() if session.can(Permission.MANAGE_USERS) else [service.my_status()]
    today = datetime.now(UTC).date()
    for status in people:
        read = (_("read on {date}").format(date=status.acknowledged_at[:10]) if status.acknowledged_at
                else _("not read yet"))
        due = _("due now") if status.due(today) else _("next due {date}").format(
            date=status.due_on.isoformat() if status.due_on else "-")
        _out(f"{status.name} ({status.role.label()}): {read}; {due}")
    return 0


def cmd_training_acknowledge(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.training import LESSON_VERSION, TrainingService, lesson

    if args.show:
        for title, text in lesson():
            _out(f"# {title}\n\n{text}\n")
    with _signed_in(args, passwords) as session:
        TrainingService(session).acknowledge()
    _out(_("Recorded that {user} read the privacy lesson (version {version}).").format(user=args.user,
                                                                                     version=LESSON_VERSION))
    return 0


def cmd_review_status(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.review import ITEMS, ReviewService, item_label

    with _signed_in(args, passwords) as session:
        service = ReviewService(session)
        due_on, due, reviews = service.due_on(), service.due(), service.reviews(limit=5)
    _out((_("The yearly privacy review is due (since {date}).") if due
          else _("The next yearly privacy review is due on {date}.")).format(date=due_on.isoformat()))
    for review in reviews:
        missed = [item_label(key) for key in ITEMS if key not in review.items]
        _out(_("{date}: {user}, {ticked} of {total} items").format(date=review.at[:10], user=review.by,
                                                                  ticked=len(review.items), total=len(ITEMS))
             + (" (" + _("not ticked: {items}").format(items=", ".join(missed)) + ")" if missed else "")
             + (f" \u2014 {review.note}" if review.note else ""))
    return 0


def cmd_review_record(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.review import ITEMS, ReviewService

    items = list(ITEMS) if args.all else _comma_list(",".join(args.item or []))
    with _signed_in(args, passwords) as session:
        review_id = ReviewService(session).record(items, args.note or "")
    _out(_("Recorded privacy review no. {id}.").format(id=review_id))
    return 0


def cmd_dpia_show(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.dpia import OWNER_FIELDS, DpiaService

    with _signed_in(args, passwords) as session:
        service = DpiaService(session)
        latest = service.latest()
        draft = service.draft(args.doc_lang or current_language())
    if latest is None:
        _out(_("No impact assessment is saved yet."))
    else:
        _out(_("Version no. {id}, saved by {user} on {date}; kept until {until}.").format(
            id=latest.id, user=latest.saved_by, date=(latest.saved_at or "")[:10],
            until=(latest.keep_until or "")[:10]))
    for name, basis in draft.purposes:
        _out(f"{_('Purpose')}: {name} ({basis})")
    for key, (heading, _hint) in OWNER_FIELDS.items():
        answer = " / ".join(line.strip() for line in draft.answers.get(key, "").splitlines() if line.strip())
        _out(f"{_(heading)}: {answer or _('to be completed')}")
    return 0


def cmd_dpia_save(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.dpia import OWNER_FIELDS, DpiaService

    with _signed_in(args, passwords) as session:
        service = DpiaService(session)
        language = args.doc_lang or current_language()
        answers = dict(service.draft(language).answers)
        answers.update({key: getattr(args, key) for key in OWNER_FIELDS if getattr(args, key) is not None})
        saved = service.save(answers, language)
    _out(_("Saved impact assessment no. {id}.").format(id=saved.id))
    return 0


def cmd_dpia_pdf(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.documents.dpia_document import write_dpia
    from app.privacy.dpia import DpiaService

    with _signed_in(args, passwords) as session:
        service = DpiaService(session)
        # The saved version as it was saved (in its language); a draft of today's facts when none was saved
        assessment = service.latest() or service.draft(args.doc_lang or current_language())
        write_dpia(Path(args.out), assessment)
        session.record("dpia.print", "impact_assessment", assessment.id)
    _out(_("Saved the impact assessment to {path}.").format(path=args.out))
    return 0


def cmd_health(args: argparse.Namespace, passwords: Passwords) -> int:
    """Every open privacy duty this user may see; exit 0 either way (a script reads the lines or the JSON)."""
    from app.privacy.health import health

    with _signed_in(args, passwords) as session:
        lines = health(session)
    if args.json:
        _out(json.dumps([{"key": line.key, "place": line.place, "count": line.count, "text": line.text}
                         for line in lines], ensure_ascii=False))
    elif not lines:
        _out(_("Nothing needs attention."))
    for line in [] if args.json else lines:
        _out(f"{line.key}: {line.text}")
    return 0


# --- the parser --------------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _vault_and_user(parser: argparse.ArgumentParser, user_help: str | None = None) -> None:
    parser.add_argument("vault", metavar="VAULT", help=_("the vault file"))
    parser.add_argument("--user", required=True, metavar="NAME", help=user_help or _("who is signing in"))
    parser.add_argument("--password-stdin", action="store_true",
                        help=_("read passwords from standard input, one a line"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="counterpart-admin", description=_("Counterpart's command line."))
    parser.add_argument("--version", action="version", version=f"counterpart-admin {__version__}")
    parser.add_argument("--lang", help=_("language of messages (default: the system's)"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    init = commands.add_parser("init", help=_("create a new vault"))
    init.add_argument("vault", metavar="VAULT")
    init.add_argument("--owner", required=True, metavar="NAME")
    init.add_argument("--no-keyring", action="store_true", help=_("protect with the password only"))
    init.add_argument("--password-stdin", action="store_true")
    init.set_defaults(run=cmd_init)

    for name, run, text in (("verify", cmd_verify, _("check the vault's integrity and audit chain")),
                            ("rekey", cmd_rekey, _("re-encrypt the vault under a new key"))):
        sub = commands.add_parser(name, help=text)
        _vault_and_user(sub)
        sub.set_defaults(run=run)

    recover = commands.add_parser("recover", help=_("open with the recovery key and set a new owner password"))
    recover.add_argument("vault", metavar="VAULT")
    _recovery_key_options(recover, required=True)
    recover.add_argument("--password-stdin", action="store_true")
    recover.set_defaults(run=cmd_recover)

    kit = commands.add_parser("recovery-kit", help=_("save the printable recovery kit"))
    _vault_and_user(kit)
    kit.add_argument("--out", required=True, metavar="FILE.pdf")
    kit.set_defaults(run=cmd_recovery_kit)

    user = commands.add_parser("user", help=_("manage staff logins"))
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION", parser_class=_Parser)
    add = user_commands.add_parser("add", help=_("add a user with a temporary password"))
    _vault_and_user(add)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["owner", "manager", "staff", "auditor"])
    add.set_defaults(run=cmd_user_add)
    listing = user_commands.add_parser("list", help=_("list users"))
    _vault_and_user(listing)
    listing.set_defaults(run=cmd_user_list)
    passwd = user_commands.add_parser("passwd", help=_("change your password, or reset another user's"))
    _vault_and_user(passwd)
    passwd.add_argument("--name", help=_("the user whose password the owner resets"))
    passwd.set_defaults(run=cmd_user_passwd)
    disable = user_commands.add_parser("disable", help=_("stop a user signing in (deletes their login's key)"))
    _vault_and_user(disable)
    disable.add_argument("--name", required=True)
    disable.set_defaults(run=cmd_user_disable)
    enable = user_commands.add_parser("enable", help=_("let a disabled user sign in again, with a temporary "
                                                       "password"))
    _vault_and_user(enable)
    enable.add_argument("--name", required=True)
    enable.add_argument("--generate", action="store_true",
                        help=_("make up the temporary password and print it, instead of asking for one"))
    enable.set_defaults(run=cmd_user_enable)
    remove = user_commands.add_parser("remove")
    _vault_and_user(remove)
    remove.add_argument("--name", required=True)
    remove.set_defaults(run=_user_change(UserService.remove, _("Removed {user}. They may still know the vault's "
                                                               "key: consider 'counterpart-admin rekey'.")))
    role = user_commands.add_parser("role", help=_("change a user's role"))
    _vault_and_user(role)
    role.add_argument("--name", required=True)
    role.add_argument("--role", required=True, choices=["owner", "manager", "staff", "auditor"])
    role.set_defaults(run=cmd_user_role)

    audit_cmd = commands.add_parser("audit", help=_("show or export the audit log"))
    _vault_and_user(audit_cmd)
    audit_cmd.add_argument("--since", metavar="DATE", help=_("only entries from this date (YYYY-MM-DD)"))
    audit_cmd.add_argument("--csv", metavar="FILE", help=_("write the entries to a CSV file"))
    audit_cmd.set_defaults(run=cmd_audit)

    demo_cmd = commands.add_parser("demo", help=_("add realistic synthetic customers"))
    _vault_and_user(demo_cmd)
    demo_cmd.add_argument("--contacts", type=int, required=True, metavar="N")
    demo_cmd.set_defaults(run=cmd_demo)

    search = commands.add_parser("search", help=_("search customers"))
    _vault_and_user(search)
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--limit", type=int, default=50, metavar="N",
                        help=_("at most N customers; more than {n} at once needs the permission to export "
                               "customer lists").format(n=PAGE_ROWS))
    search.add_argument("--json", action="store_true", help=_("print a JSON list"))
    search.set_defaults(run=cmd_search)

    export = commands.add_parser("export", help=_("export customers to CSV or vCard"))
    _vault_and_user(export)
    export_to = export.add_mutually_exclusive_group(required=True)
    export_to.add_argument("--csv", metavar="FILE")
    export_to.add_argument("--vcard", metavar="FILE.vcf", help=_("write vCard 3.0 instead of CSV"))
    export.add_argument("--query", metavar="Q", help=_("only the customers matching this search"))
    export.set_defaults(run=cmd_export)

    import_cmd = commands.add_parser("import", help=_("import customers from a CSV export or a vCard file"))
    _vault_and_user(import_cmd)
    import_cmd.add_argument("file", metavar="FILE")
    import_cmd.add_argument("--format", default="auto", choices=["auto", "shopify", "google", "outlook", "hubspot",
                                                                 "mailchimp", "square", "vcard"])
    import_cmd.add_argument("--dry-run", action="store_true", help=_("check the file and say what would happen; "
                                                                      "write nothing"))
    import_cmd.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                            help=_("fill FIELD (name, given_name, email, phone…) from the column COLUMN; "
                                   "repeatable; an empty FIELD leaves the column out"))
    import_cmd.add_argument("--update", default="keep", choices=["keep", "file"],
                            help=_("for a customer already in the vault whose value differs from the file's: keep "
                                   "theirs (keep, the default) or take the file's (file)"))
    import_cmd.add_argument("--json", action="store_true", help=_("print the counts, skipped rows and messages as "
                                                                   "one JSON object"))
    import_cmd.set_defaults(run=cmd_import)

    consent = commands.add_parser("consent", help=_("record a consent or its withdrawal"))
    _vault_and_user(consent)
    consent.add_argument("--contact", type=int, required=True, metavar="ID")
    consent.add_argument("--purpose", required=True, metavar="KEY")
    choice = consent.add_mutually_exclusive_group(required=True)
    choice.add_argument("--grant", action="store_true")
    choice.add_argument("--withdraw", action="store_true")
    consent.add_argument("--method", required=True, choices=["form", "paper", "verbal", "import"])
    consent.add_argument("--born", metavar="DATE", help=_("the customer's birthday, recorded first (a child's "
                                                          "consent is given by a parent)"))
    consent.add_argument("--parent", metavar="NAME", help=_("the parent or guardian giving a child's consent"))
    consent.add_argument("--relation", metavar="TEXT", help=_("how the parent or guardian is related (mother, …)"))
    consent.set_defaults(run=cmd_consent)

    consent_list = commands.add_parser("consent-list", help=_("people with a current basis for a purpose"))
    _vault_and_user(consent_list)
    consent_list.add_argument("--purpose", required=True, metavar="KEY")
    consent_list.add_argument("--csv", metavar="FILE")
    consent_list.set_defaults(run=cmd_consent_list)

    form = commands.add_parser("consent-form", help=_("save a paper consent form as PDF"))
    _vault_and_user(form)
    form.add_argument("--contact", type=int, metavar="ID", help=_("pre-fill for this customer"))
    form.add_argument("--lang", required=True, metavar="LANG", dest="form_lang")
    form.add_argument("--out", required=True, metavar="FILE.pdf")
    form.set_defaults(run=cmd_consent_form)

    sweep = commands.add_parser("sweep", help=_("apply the retention policies"))
    _vault_and_user(sweep)
    mode = sweep.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help=_("list what is due, change nothing"))
    mode.add_argument("--apply", action="store_true", help=_("delete or anonymise what is due"))
    sweep.add_argument("--json", action="store_true")
    sweep.set_defaults(run=cmd_sweep)

    erase_cmd = commands.add_parser("erase", help=_("erase (or anonymise) one customer everywhere"))
    _vault_and_user(erase_cmd)
    erase_cmd.add_argument("--contact", type=int, required=True, metavar="ID")
    erase_cmd.add_argument("--anonymise", action="store_true")
    erase_cmd.set_defaults(run=cmd_erase)

    hold = commands.add_parser("hold", help=_("place a legal hold on a customer"))
    _vault_and_user(hold)
    hold.add_argument("--contact", type=int, required=True, metavar="ID")
    hold.add_argument("--reason", required=True, metavar="TEXT")
    hold.add_argument("--until", metavar="DATE")
    hold.set_defaults(run=cmd_hold)

    export_subject = commands.add_parser("export-subject", help=_("a person's data as PDF (and ZIP)"))
    _vault_and_user(export_subject)
    export_subject.add_argument("--contact", type=int, required=True, metavar="ID")
    export_subject.add_argument("--pdf", required=True, metavar="OUT.pdf")
    export_subject.add_argument("--zip", metavar="OUT.zip")
    export_subject.add_argument("--lang", metavar="LANG", dest="export_lang")
    export_subject.add_argument("--request", type=int, metavar="N", help=_("the request this answers"))
    export_subject.add_argument("--pdf-password-stdin", action="store_true",
                                help=_("protect the PDF with a password read from standard input"))
    export_subject.set_defaults(run=cmd_export_subject)

    requests_cmd = commands.add_parser("requests", help=_("open privacy requests, soonest deadline first"))
    _vault_and_user(requests_cmd)
    requests_cmd.add_argument("--overdue", action="store_true")
    requests_cmd.add_argument("--all", action="store_true", help=_("closed requests too, with the recipients to "
                                                                  "tell (Art. 19)"))
    requests_cmd.add_argument("--json", action="store_true")
    requests_cmd.set_defaults(run=cmd_requests)

    backup_cmd = commands.add_parser("backup", help=_("make an encrypted backup"))
    _vault_and_user(backup_cmd)
    backup_cmd.add_argument("--to", required=True, metavar="DIR")
    backup_cmd.set_defaults(run=cmd_backup)

    backups_cmd = commands.add_parser("backups", help=_("list the backups in a folder"))
    backups_cmd.add_argument("folder", metavar="DIR")
    backups_cmd.set_defaults(run=cmd_backups)

    breach = commands.add_parser("breach", help=_("the breach register"))
    breach_commands = breach.add_subparsers(dest="breach_command", required=True, metavar="ACTION",
                                            parser_class=_Parser)
    add_breach = breach_commands.add_parser("add", help=_("record a breach"))
    _vault_and_user(add_breach)
    add_breach.add_argument("--discovered", required=True, metavar="WHEN")
    add_breach.add_argument("--nature", required=True, metavar="TEXT")
    add_breach.add_argument("--data-categories", metavar="A,B")
    add_breach.add_argument("--people-categories", metavar="A,B")
    add_breach.add_argument("--affected", type=int, default=0, metavar="N")
    add_breach.add_argument("--consequences", metavar="TEXT")
    add_breach.add_argument("--measures", metavar="TEXT")
    add_breach.add_argument("--high-risk", action="store_true", help=_("people must be told (Art. 34)"))
    add_breach.set_defaults(run=cmd_breach_add)
    list_breach = breach_commands.add_parser("list", help=_("breaches and their 72-hour clocks"))
    _vault_and_user(list_breach)
    list_breach.add_argument("--json", action="store_true")
    list_breach.set_defaults(run=cmd_breach_list)
    select = breach_commands.add_parser("select", help=_("choose the affected people"))
    _vault_and_user(select)
    select.add_argument("--id", type=int, required=True)
    select.add_argument("--purpose", metavar="KEY")
    select.add_argument("--created-before", metavar="DATE")
    select.add_argument("--tag")
    select.add_argument("--everyone", action="store_true")
    select.set_defaults(run=cmd_breach_select)
    notified = breach_commands.add_parser("notified", help=_("record who was told"))
    _vault_and_user(notified)
    notified.add_argument("--id", type=int, required=True)
    notified.add_argument("--authority", metavar="REFERENCE")
    notified.add_argument("--delay-reason", metavar="TEXT")
    notified.add_argument("--people", action="store_true")
    notified.set_defaults(run=cmd_breach_notified)
    for name, run, text in (("letters", cmd_breach_letters, _("notification letters, one PDF per person")),
                            ("report", cmd_breach_report, _("a draft report for the supervisory authority"))):
        sub = breach_commands.add_parser(name, help=text)
        _vault_and_user(sub)
        sub.add_argument("--id", type=int, required=True)
        sub.add_argument("--out", required=True, metavar="DIR" if name == "letters" else "FILE.pdf")
        sub.add_argument("--lang", metavar="LANG", dest="doc_lang")
        sub.set_defaults(run=run)

    shop = commands.add_parser("shop", help=_("show or change the shop profile (name, country, currency…)"))
    _vault_and_user(shop)
    shop.add_argument("--name", help=_("the shop's name, as documents print it"))
    shop.add_argument("--address", help=_("the shop's postal address"))
    shop.add_argument("--country", metavar="CC", help=_("ISO country code; local phone numbers are read in it"))
    shop.add_argument("--currency", metavar="XXX", help=_("ISO currency code for new deals"))
    shop.add_argument("--language", help=_("the shop's language for documents"))
    shop.add_argument("--privacy-contact", dest="privacy_contact", metavar="CONTACT",
                      help=_("where customers ask about their data"))
    shop.add_argument("--dpo", help=_("the data protection officer, if one is named"))
    shop.set_defaults(run=cmd_shop)

    ropa = commands.add_parser("ropa", help=_("the record of processing activities (Art. 30) as PDF"))
    _vault_and_user(ropa)
    ropa.add_argument("--out", required=True, metavar="FILE.pdf")
    ropa.add_argument("--lang", metavar="LANG", dest="doc_lang")
    ropa.set_defaults(run=cmd_ropa)

    for name, run, text in (("restore", cmd_restore, _("replace a vault with a verified backup")),
                            ("drill", cmd_drill, _("test that a backup restores, without touching the vault"))):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("backup", metavar="BACKUP")
        if name == "restore":
            sub.add_argument("--to", required=True, metavar="VAULT")
            sub.add_argument("--replace-with-other-vault", action="store_true",
                             help=_("restore even though the backup is of another vault"))
        else:
            sub.add_argument("--vault", metavar="VAULT", help=_("record the drill in this vault"))
        sub.add_argument("--user", metavar="NAME")
        _recovery_key_options(sub)
        sub.add_argument("--password-stdin", action="store_true")
        sub.set_defaults(run=run)

    _accountability_commands(commands)
    _rights_commands(commands)
    return parser


def cmd_restrict(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.consent.restriction import RestrictionService
    from app.privacy.recipients import recipients_for

    with _signed_in(args, passwords) as session:
        service = RestrictionService(session)
        if args.lift:
            service.lift(args.customer, args.reason)
        else:
            service.restrict(args.customer, args.reason)
        recipients = recipients_for(session, args.customer)
    _out((_("Lifted the restriction of customer {id}.") if args.lift else
          _("Restricted processing of customer {id}: kept, but left out of lists, exports and the sweep."))
         .format(id=args.customer))
    _say_recipients(recipients)
    return 0


def _say_recipients(recipients: list[str]) -> None:
    """Art. 19: whom the shop must now tell (from the record of processing)."""
    if recipients:
        _out(_("Tell these recipients (GDPR Art. 19): {names}").format(names="; ".join(recipients)))
    else:
        _out(_("The record of processing names no recipients to tell."))


def cmd_object(args: argparse.Namespace, passwords: Passwords) -> int:
    from app.privacy.objection import object_to_marketing

    with _signed_in(args, passwords) as session:
        withdrawn = object_to_marketing(session, args.customer, request_id=args.request,
                                        method="request" if args.request else "verbal")
    _out(_("Customer {id} objected to direct marketing; withdrawn: {purposes}.")
         .format(id=args.customer, purposes=", ".join(withdrawn) or _("nothing left to withdraw")))
    return 0


def _rights_commands(commands: Any) -> None:
    """restrict and object (app.consent.restriction, objection)."""
    restrict = commands.add_parser(
        "restrict", help=_("restrict processing of a customer (GDPR Art. 18), or lift it with --lift"),
        description=_("A restricted customer is kept but left out of marketing lists, exports and the retention "
                      "sweep until the restriction is lifted. Completing a restriction request does the same."))
    _vault_and_user(restrict)
    restrict.add_argument("customer", type=int, metavar="CUSTOMER", help=_("the customer's number"))
    restrict.add_argument("--lift", action="store_true", help=_("end the restriction"))
    restrict.add_argument("--reason", required=True, metavar="TEXT", help=_("why (kept with the restriction)"))
    restrict.set_defaults(run=cmd_restrict)

    object_cmd = commands.add_parser(
        "object", help=_("record an objection to direct marketing (GDPR Art. 21): withdraws every marketing purpose"),
        description=_("Withdraws email, SMS, phone, postal marketing and profiling at once. Completing an objection "
                      "request (Privacy › Requests) does the same; to withdraw one purpose use 'consent --withdraw'."))
    _vault_and_user(object_cmd)
    object_cmd.add_argument("customer", type=int, metavar="CUSTOMER", help=_("the customer's number"))
    object_cmd.add_argument("--request", type=int, metavar="N", help=_("the privacy request this answers"))
    object_cmd.set_defaults(run=cmd_object)


def _accountability_commands(commands: Any) -> None:
    """training, review, dpia and health (app.privacy.training, review, dpia, health)."""
    from app.privacy.dpia import OWNER_FIELDS
    from app.privacy.review import ITEMS

    training = commands.add_parser("training", help=_("the staff privacy lesson: who read it, or confirm it"))
    training_commands = training.add_subparsers(dest="training_command", required=True, parser_class=_Parser)
    status = training_commands.add_parser("status", help=_("who read the lesson and when each is due"))
    _vault_and_user(status)
    status.set_defaults(run=cmd_training_status)
    acknowledge = training_commands.add_parser("acknowledge", help=_("confirm that you read the lesson"))
    _vault_and_user(acknowledge)
    acknowledge.add_argument("--show", action="store_true", help=_("print the lesson first"))
    acknowledge.set_defaults(run=cmd_training_acknowledge)

    review = commands.add_parser("review", help=_("the yearly privacy review"))
    review_commands = review.add_subparsers(dest="review_command", required=True, parser_class=_Parser)
    review_status = review_commands.add_parser("status", help=_("when the review is due, and the last ones"))
    _vault_and_user(review_status)
    review_status.set_defaults(run=cmd_review_status)
    record = review_commands.add_parser("record", help=_("record a review (owners and managers)"))
    _vault_and_user(record)
    record.add_argument("--item", action="append", metavar="ITEM",
                        help=_("an item checked (repeat, or comma-separated): {items}").format(items=", ".join(ITEMS)))
    record.add_argument("--all", action="store_true", help=_("every item was checked"))
    record.add_argument("--note", help=_("what was found or left open"))
    record.set_defaults(run=cmd_review_record)

    dpia = commands.add_parser("dpia", help=_("the impact assessment (GDPR Art. 35, PIPL Art. 55)"))
    dpia_commands = dpia.add_subparsers(dest="dpia_command", required=True, parser_class=_Parser)
    show = dpia_commands.add_parser("show", help=_("the assessment as it stands"))
    save = dpia_commands.add_parser("save", help=_("save a new version with the answers given"))
    pdf = dpia_commands.add_parser("pdf", help=_("save the latest version as PDF"))
    for sub, run in ((show, cmd_dpia_show), (save, cmd_dpia_save), (pdf, cmd_dpia_pdf)):
        _vault_and_user(sub)
        sub.add_argument("--lang", metavar="LANG", dest="doc_lang")
        sub.set_defaults(run=run)
    for key in OWNER_FIELDS:
        save.add_argument(f"--{key}", metavar="TEXT")
    pdf.add_argument("--out", required=True, metavar="FILE.pdf")

    health_cmd = commands.add_parser("health", help=_("every open privacy duty, and where it is fixed"))
    _vault_and_user(health_cmd)
    health_cmd.add_argument("--json", action="store_true")
    health_cmd.set_defaults(run=cmd_health)


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    guard_process_memory()
    args: argparse.Namespace | None = None
    try:
        set_language(None)
        args = build_parser().parse_args(argv)
        if args.lang:
            set_language(args.lang)
        from_stdin = getattr(args, "password_stdin", False) or getattr(args, "pdf_password_stdin", False)
        passwords = Passwords(from_stdin, stdin)
        return int(args.run(args, passwords))
    except CounterpartError as exc:
        print(f"counterpart-admin: {exc}", file=sys.stderr, flush=True)
        return exc.exit_code
    except sqlcipher3.DatabaseError as exc:
        vault = getattr(args, "vault", None)
        error = classify(exc, Path(vault) if isinstance(vault, str | Path) else None)
        if error is None:
            return _unexpected(exc)
        print(f"counterpart-admin: {error}", file=sys.stderr, flush=True)
        return error.exit_code
    except KeyboardInterrupt:
        print(_("counterpart-admin: interrupted"), file=sys.stderr)
        return 130
    except OSError as exc:  # a file the command was told to read or write: what and where, in words
        print(f"counterpart-admin: {describe_file_error(exc)}", file=sys.stderr, flush=True)
        return DiskFull.exit_code if exc.errno == errno.ENOSPC else 1
    except Exception as exc:
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """A bug: still one line and no traceback (a traceback's values could hold customer data)."""
    print(_("counterpart-admin: unexpected error ({kind}). Please report it.").format(kind=type(exc).__name__),
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
