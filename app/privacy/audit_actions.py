"""Every action the audit log records, in words for the shop owner reading it.

The log itself, its CSV export and the CLI keep the action ids ("session.login"): they are what an auditor
searches for and what never changes with the language. The app's audit table shows these words and the id
in the tooltip. An id without words here (a future action) is shown as it is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.access.roles import Permission
from app.locale import N_, _

_WORDS = {
    "access.refused": N_("Refused: not permitted"),
    "activity.bulk_create": N_("Activities imported"),
    "activity.create": N_("Activity added"),
    "activity.done": N_("Activity marked done"),
    "activity.undone": N_("Activity marked not done"),
    "activity.update": N_("Activity changed"),
    "audit.cut": N_("Audit log found cut off at its end (at sign-in)"),
    "audit.export": N_("Audit log exported"),
    "audit.key_retired": N_("Signing key of a login taken away kept for the log"),
    "audit.view": N_("Audit log opened"),
    "backup.create": N_("Backup made"),
    "backup.drill": N_("Backup tested (restore drill)"),
    "backup.folder": N_("Backup folder changed"),
    "breach.authority_notified": N_("Breach: authority notified"),
    "breach.close": N_("Breach closed"),
    "breach.letters": N_("Breach: letters to people written"),
    "breach.people_notified": N_("Breach: people notified"),
    "breach.record": N_("Breach recorded"),
    "breach.report": N_("Breach: report drafted"),
    "breach.select": N_("Breach: affected people chosen"),
    "consent.evidence": N_("Consent evidence added"),
    "consent.evidence_read": N_("Consent evidence opened"),
    "consent.form_printed": N_("Consent form printed"),
    "consent.grant": N_("Consent given"),
    "consent.import": N_("Consents imported"),
    "consent.list": N_("List of people who agreed taken"),
    "consent.objection": N_("Objection to direct marketing: every marketing purpose withdrawn"),
    "consent.withdraw": N_("Consent withdrawn"),
    "contact.anonymise": N_("Customer anonymised"),
    "contact.birth_date": N_("Customer's birthday changed"),
    "contact.bulk_create": N_("Customers added in bulk"),
    "contact.bulk_read": N_("Many customers listed at once"),
    "contact.create": N_("Customer added"),
    "contact.delete": N_("Customer moved to the bin"),
    "contact.erase": N_("Customer erased"),
    "contact.export": N_("Customers exported"),
    "contact.export_pseudonymised": N_("Customers exported pseudonymised, for analysis"),
    "contact.import": N_("Customers imported"),
    "contact.merge": N_("Customers merged"),
    "contact.read": N_("Customer record opened"),
    "contact.restore": N_("Customer restored from the bin"),
    "contact.update": N_("Customer changed"),
    "deal.bulk_create": N_("Deals imported"),
    "deal.create": N_("Deal added"),
    "deal.lost": N_("Deal marked lost"),
    "deal.move": N_("Deal moved to another stage"),
    "deal.reopen": N_("Deal reopened"),
    "deal.update": N_("Deal changed"),
    "deal.won": N_("Deal marked won"),
    "dpia.print": N_("Impact assessment printed"),
    "dpia.save": N_("Impact assessment saved"),
    "legal_hold.add": N_("Legal hold placed"),
    "legal_hold.release": N_("Legal hold released"),
    "note.create": N_("Note added"),
    "note.sensitive_kept": N_("Note kept although it looks sensitive (with a reason)"),
    "note.sensitive_list": N_("Notes kept although sensitive, read for review"),
    "notice.extra": N_("Own words added to the privacy notice"),
    "notice.letters": N_("Notice letters (Art. 14) written"),
    "notice.publish": N_("Privacy notice published"),
    "notice_task.create": N_("People to inform of the notice (Art. 14) listed"),
    "notice_task.done": N_("Person informed of the notice (Art. 14)"),
    "pipeline.create": N_("Pipeline created"),
    "policy.pipl_days": N_("Deadline for PIPL requests changed"),
    "privacy_flag.clear": N_("Privacy choice cleared"),
    "privacy_flag.set": N_("Privacy choice set"),
    "purpose.change": N_("Consent purposes changed"),
    "request.completed": N_("Privacy request completed"),
    "request.create": N_("Privacy request recorded"),
    "request.extend": N_("Privacy request deadline extended"),
    "request.file": N_("Privacy request: export file recorded"),
    "request.identity": N_("Privacy request: identity checked"),
    "request.recipients": N_("Privacy request: recipients to tell listed (Art. 19)"),
    "request.refused": N_("Privacy request refused"),
    "restriction.lift": N_("Restriction of processing lifted"),
    "restriction.set": N_("Processing restricted"),
    "retention.policy": N_("Retention policy changed"),
    "review.record": N_("Yearly privacy review recorded"),
    "ropa.change": N_("Record of processing changed"),
    "ropa.print": N_("Record of processing printed"),
    "session.idle_lock": N_("Locked after a time without use"),
    "session.lock": N_("Locked"),
    "session.login": N_("Signed in"),
    "session.login_failed": N_("Sign-in failed"),
    "session.logout": N_("Signed out"),
    "session.restore": N_("Signed out to restore a backup"),
    "session.suspend_lock": N_("Locked as the computer went to sleep"),
    "session.switch_user": N_("Switched user"),
    "setting.change": N_("Setting changed"),
    "shop.change": N_("Shop profile changed"),
    "subject.export": N_("Personal data exported for the person"),
    "subject.print": N_("Personal data printed for the person"),
    "sweep.batch": N_("Retention sweep: a batch applied"),
    "sweep.run": N_("Retention sweep run"),
    "sweep.traces_removed": N_("Retention sweep: erased people's words removed from the search index"),
    "training.acknowledge": N_("Privacy lesson read and confirmed"),
    "user.add": N_("User added"),
    "user.disable": N_("User disabled"),
    "user.enable": N_("User enabled"),
    "user.password_change": N_("Own password changed"),
    "user.password_reset": N_("Password reset by the owner"),
    "user.remove": N_("User removed"),
    "user.role": N_("Role changed"),
    "user.security_key_add": N_("Security key added to a login"),
    "user.security_key_remove": N_("Security key taken off a login"),
    "vault.create": N_("Vault created"),
    "vault.recover": N_("Opened with the recovery key"),
    "vault.recovery_kit": N_("Recovery kit saved"),
    "vault.rekey": N_("Vault re-encrypted under a new key"),
    "vault.rekey_start": N_("Re-encryption started"),
    "vault.restore": N_("Restored from a backup"),
    "vault.verify": N_("Vault integrity checked"),
}


def known_actions() -> list[str]:
    """The action ids the app writes, for filter lists."""
    return sorted(_WORDS)


def action_text(action: str) -> str:
    """`action` in words, in the reader's language; an unknown id as it is."""
    words = _WORDS.get(action)
    return _(words) if words else action


_THINGS = {  # what an entry is about (its entity type), as the log's Record column names it
    "activity": N_("activity"),
    "audit_event": N_("audit entry"),
    "backup": N_("backup"),
    "breach": N_("breach"),
    "consent_event": N_("consent record"),
    "contact": N_("customer"),
    "deal": N_("deal"),
    "impact_assessment": N_("impact assessment"),
    "legal_hold": N_("legal hold"),
    "note": N_("note"),
    "notice": N_("privacy notice"),
    "notice_task": N_("notice task"),
    "organisation": N_("organisation"),
    "pipeline": N_("pipeline"),
    "privacy_review": N_("privacy review"),
    "purpose": N_("purpose"),
    "restriction": N_("restriction"),
    "retention_policy": N_("retention policy"),
    "setting": N_("setting"),
    "shop": N_("shop details"),
    "signing_key": N_("signing key"),
    "subject_request": N_("request"),
    "sweep_run": N_("sweep"),
    "training": N_("privacy lesson"),
    "user": N_("user"),
}


def record_text(entity_type: str | None, entity_id: str | None) -> str:
    """What an entry is about in the reader's language ("customer 251"); an unknown type as it is stored."""
    words = _THINGS.get(entity_type or "")
    thing = _(words) if words else entity_type or ""
    return " ".join(part for part in (thing, entity_id) if part)


@dataclass(frozen=True)
class SummaryNames:
    """Names the stored summaries refer to by key: stages by id, purposes by key (shop data, no personal data)."""

    stages: Mapping[int, str]
    purposes: Mapping[str, str]  # key -> name as stored (an English message id for the defaults)


_ARROW = re.compile(r"^(?:stage )?(\w+)->(\w+)$")
_CONSENT = re.compile(r"^(\w+) via (\w+)$")
_FROM = re.compile(r"^(\d+) from (.+)$")
_NUMBERED = re.compile(r"^(note|hold|merged) (\d+)$")
_REFUSED = re.compile(r"^(\w+)(?:: (?:(-?\d+) rows|(temporary password)|(last owner|legal hold|not owner)))?$")
_BULK_READ = re.compile(r"^(\d+) rows by ([\w -]+)$")


def summary_text(action: str, summary: str | None, names: SummaryNames) -> str:
    """A stored summary in words ("stage 1->2" -> "Lead → Proposal", "email_marketing via form" -> "Email
    marketing, on a form at the counter"). The log keeps the terse form (what the CSV and the CLI show); a form
    this does not know is shown as stored."""
    text = summary or ""
    if action == "deal.move" and (match := _ARROW.match(text)):
        before, after = (names.stages.get(int(part), part) if part.isdigit() else part for part in match.groups())
        return f"{before} → {after}"
    if action == "user.role" and (match := _ARROW.match(text)):
        return " → ".join(_role_word(part) for part in match.groups())
    if action == "user.add" and text.startswith("role="):
        return _("Role: {role}").format(role=_role_word(text.removeprefix("role=")))
    if action in ("consent.grant", "consent.withdraw") and (match := _CONSENT.match(text)):
        key, method = match.groups()
        purpose = _(names.purposes[key]) if key in names.purposes else key
        return _("{purpose}, {how}").format(purpose=purpose, how=_method_word(method))
    if action.endswith(".bulk_create") and (match := _FROM.match(text)):
        return _("{n} from {source}").format(n=match.group(1), source=match.group(2))
    if action == "access.refused" and (match := _REFUSED.match(text)):
        return _refused_text(*match.groups())
    if action == "contact.bulk_read" and (match := _BULK_READ.match(text)):
        return _("{n} customers, by '{command}'").format(n=match.group(1), command=match.group(2))
    if match := _NUMBERED.match(text):
        kind, number = match.groups()
        return {
            "note": _("note no. {id}"),
            "hold": _("hold no. {id}"),
            "merged": _("customer no. {id} merged into this one"),
        }[kind].format(id=number)
    return text


def _refused_text(permission: str, rows: str | None, temporary: str | None, reason: str | None = None) -> str:
    try:
        what = Permission(permission).label()
    except ValueError:
        what = permission
    if rows is not None:
        return _("{action}: {n} customers at once").format(action=what, n=rows)
    if temporary:
        return _("{action}: the temporary password was not replaced yet").format(action=what)
    if reason is not None:  # refusals a service decides beyond the role (Session.refuse)
        words = {
            "last owner": _("the vault must keep an active owner"),
            "legal hold": _("the customer is under a legal hold"),
            "not owner": _("only an owner may restore a backup"),
        }[reason]
        return _("{action}: {reason}").format(action=what, reason=words)
    return what


def _role_word(role: str) -> str:
    return {"owner": _("Owner"), "manager": _("Manager"), "staff": _("Staff"), "auditor": _("Auditor")}.get(role, role)


def _method_word(method: str) -> str:
    return {
        "form": _("on a form at the counter"),
        "paper": _("on a signed paper form"),
        "verbal": _("told in person"),
        "import": _("from an imported file"),
        "request": _("to answer a privacy request"),
    }.get(method, method)
