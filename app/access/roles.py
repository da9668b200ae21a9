"""The permission table, in one place. Services call `Session.require(...)` with these before they act."""

from __future__ import annotations

from enum import StrEnum

from app.locale import _


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"
    AUDITOR = "auditor"

    def label(self) -> str:
        return {Role.OWNER: _("Owner"), Role.MANAGER: _("Manager"), Role.STAFF: _("Staff"), Role.AUDITOR: _("Auditor")}[
            self
        ]


class Permission(StrEnum):
    VIEW_CUSTOMERS = "view_customers"
    EDIT_CUSTOMERS = "edit_customers"
    CAPTURE_CONSENT = "capture_consent"
    EXPORT_BULK = "export_bulk"
    EXPORT_SUBJECT = "export_subject"
    REGISTER_REQUESTS = "register_requests"  # note a request made at the counter, so its deadline starts
    HANDLE_REQUESTS = "handle_requests"
    ERASE = "erase"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_POLICIES = "manage_policies"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_SECURITY = "manage_security"  # rekey, recovery kit, keychain binding
    BACKUP = "backup"
    VERIFY = "verify"
    MANAGE_BREACHES = "manage_breaches"
    REVIEW_PRIVACY = "review_privacy"  # record the yearly privacy review

    def label(self) -> str:
        return _PERMISSION_LABELS()[self]


def _PERMISSION_LABELS() -> dict[Permission, str]:  # noqa: N802 - a table, built when the language is known
    return {
        Permission.VIEW_CUSTOMERS: _("view customers"),
        Permission.EDIT_CUSTOMERS: _("edit customers and deals"),
        Permission.CAPTURE_CONSENT: _("record consent"),
        Permission.EXPORT_BULK: _("export customer lists"),
        Permission.EXPORT_SUBJECT: _("export a person's data"),
        Permission.REGISTER_REQUESTS: _("register privacy requests"),
        Permission.HANDLE_REQUESTS: _("handle privacy requests"),
        Permission.ERASE: _("erase people"),
        Permission.VIEW_AUDIT: _("read the audit log"),
        Permission.EXPORT_AUDIT: _("export the audit log"),
        Permission.MANAGE_USERS: _("manage users"),
        Permission.MANAGE_POLICIES: _("change privacy policies"),
        Permission.MANAGE_SETTINGS: _("change settings"),
        Permission.MANAGE_SECURITY: _("change security settings"),
        Permission.BACKUP: _("make and restore backups"),
        Permission.VERIFY: _("check the vault"),
        Permission.MANAGE_BREACHES: _("handle data breaches"),
        Permission.REVIEW_PRIVACY: _("record the yearly privacy review"),
    }


_CUSTOMER_WORK = {
    Permission.VIEW_CUSTOMERS,
    Permission.EDIT_CUSTOMERS,
    Permission.CAPTURE_CONSENT,
    Permission.REGISTER_REQUESTS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.MANAGER: frozenset(
        _CUSTOMER_WORK
        | {
            Permission.EXPORT_BULK,
            Permission.EXPORT_SUBJECT,
            Permission.HANDLE_REQUESTS,
            Permission.ERASE,
            Permission.VERIFY,
            Permission.MANAGE_BREACHES,
            Permission.REVIEW_PRIVACY,
        }
    ),
    Role.STAFF: frozenset(_CUSTOMER_WORK),
    Role.AUDITOR: frozenset(
        {Permission.VIEW_CUSTOMERS, Permission.VIEW_AUDIT, Permission.EXPORT_AUDIT, Permission.VERIFY}
    ),
}


# How many customers one read may return. Listing more than a screenful is an export in all but name: the CLI
# records it with its count. One call hands someone without EXPORT_BULK at most a page (the customer list's own
# page, read as it scrolls); more at once is refused, so a whole-shop list needs the export permission.
SCREENFUL = 50
PAGE_ROWS = 256


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
