"""Records of processing activities (GDPR Art. 30), generated from what the vault already knows.

Purposes, lawful bases, retention and security measures come from the configuration, so the record cannot drift
from how the shop really works; the facts only the shop knows (its address, a representative, recipients)
are editable settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.access.roles import Permission
from app.access.session import Session
from app.access.settings import SettingsService
from app.access.shop import PROFILE_SETTINGS, ShopService
from app.consent.ledger import ConsentService, lawful_basis_label
from app.errors import InvalidInput
from app.locale import N_, _
from app.locale.i18n import translator
from app.privacy.retention import CATEGORY_LABELS, RetentionService
from app.store import settings
from app.store.settings import Setting

EDITABLE = {
    "shop.name": N_("Shop name"),
    "shop.address": N_("Address"),
    "shop.contact": N_("Contact for privacy questions"),
    "shop.representative": N_("Representative in the EU/UK (if any)"),
    "shop.dpo": N_("Data protection officer (if any)"),
    "ropa.recipients": N_("Recipients of personal data (e.g. payment provider, accountant)"),
    "ropa.transfers": N_("Transfers to other countries and their safeguards"),
}

PROFILE_KEYS = {setting.key for setting in PROFILE_SETTINGS.values()}
FACT_SETTINGS: dict[str, Setting[str]] = {
    setting.key: setting
    for setting in (
        *PROFILE_SETTINGS.values(),
        settings.SHOP_REPRESENTATIVE,
        settings.ROPA_RECIPIENTS,
        settings.ROPA_TRANSFERS,
    )
}

SECURITY_MEASURES = [
    N_(
        "All customer data is kept in one database encrypted with AES-256 (SQLCipher 4), with every page authenticated."
    ),
    N_(
        "Each staff member has their own login; passwords are stretched with argon2id and, where the computer "
        "has one, combined with a secret in the operating system's keychain."
    ),
    N_("Roles limit who may see, export, erase and administer; the program enforces them for every action."),
    N_("An append-only, hash-chained audit log records reads of records, exports, erasures and changes."),
    N_("The app locks itself when idle, closing the database and forgetting the key."),
    N_("Deleted data is overwritten (secure delete) and removed from the search index."),
    N_("Encrypted backups with checksums, automatic rotation and regular restore drills."),
    N_("Retention policies are applied by a sweeper that deletes or anonymises data when it is no longer needed."),
]


@dataclass
class RopaData:
    language: str
    facts: dict[str, str]
    purposes: list[tuple[str, str, str]]  # name, lawful basis, consent expiry text
    data_categories: list[str]
    subject_categories: list[str]
    retention: list[tuple[str, str]]  # what, how long and what then
    security: list[str] = field(default_factory=list)


class RopaService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def facts(self) -> dict[str, str]:
        """What the record of processing says of the shop, by setting key (only those filled in)."""
        conn = self.session.conn
        found = dict(zip(FACT_SETTINGS, settings.read_all(conn, list(FACT_SETTINGS.values())), strict=True))
        found.update(
            {
                settings.ROPA_PURPOSE_RECIPIENTS.key + suffix: text
                for suffix, text in settings.read_family(conn, settings.ROPA_PURPOSE_RECIPIENTS).items()
            }
        )
        return {key: value for key, value in found.items() if value}

    def set_fact(self, key: str, value: str) -> None:
        self.session.require(Permission.MANAGE_POLICIES)
        if key not in EDITABLE:
            raise InvalidInput(_("{key} is not something the record of processing asks for.").format(key=key))
        profile_field = {setting.key: name for name, setting in PROFILE_SETTINGS.items()}.get(key)
        if profile_field is not None:  # the shop profile has one writer, which checks and audits it
            ShopService(self.session).update(**{profile_field: value})
            return
        SettingsService(self.session).set(
            FACT_SETTINGS[key], value.strip(), action="ropa.change", entity_id=key, summary=""
        )

    def gather(self, language: str) -> RopaData:
        self.session.require(Permission.MANAGE_POLICIES)
        _ = translator(language)
        purposes = []
        for purpose in ConsentService(self.session).purposes():
            expiry = (
                _("asked again after {days} days").format(days=purpose.expires_after_days)
                if purpose.lawful_basis == "consent" and purpose.expires_after_days
                else ""
            )
            purposes.append((_(purpose.name), lawful_basis_label(purpose.lawful_basis, _), expiry))
        retention = [
            (
                _(CATEGORY_LABELS[p.category]),
                (_("deleted after {days} days") if p.action == "delete" else _("anonymised after {days} days")).format(
                    days=p.period_days
                ),
            )
            for p in RetentionService(self.session).policies()
            if p.active
        ]
        return RopaData(
            language=language,
            facts=self.facts(),
            purposes=purposes,
            data_categories=[
                _("Identity (names)"),
                _("Contact details (email, phone, address)"),
                _("Purchases and quotes (deals)"),
                _("Appointments and follow-ups (activities)"),
                _("Notes written by staff"),
                _("Consent records and signatures"),
            ],
            subject_categories=[
                _("Customers"),
                _("Prospective customers (leads)"),
                _("Contacts at business customers"),
                _("Staff using the program (logins and audit log)"),
            ],
            retention=retention,
            security=[_(m) for m in SECURITY_MEASURES],
        )
