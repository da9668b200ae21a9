"""The export layouts Counterpart recognises, as header maps, and how a file's headers pick one.

Header names are the ones each product writes (Shopify customers export, Google Contacts CSV in its 2024 and
older form, Outlook's CSV, HubSpot contacts export, Mailchimp audience export, Square customer directory
export). Headers are compared case-insensitively with spaces and underscores folded, and a header a layout
does not name falls back to the generic names (name, first name, email, phone…), so merge fields and custom
columns still land somewhere sensible.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.crm.importing.model import EMAIL_MARKETING, SMS_MARKETING

# Headers that are a given name beside a family-name column, and the whole name in a file without one.
AMBIGUOUS_GIVEN = frozenset({"nombre", "nome"})

# What a column can fill (the names a caller uses to override the mapping).
FIELDS = (
    "name",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "phone",
    "organisation",
    "job_title",
    "note",
    "tags",
    "address",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "birth_date",
    "total_spent",
    "order_count",
)
ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")


@dataclass(frozen=True)
class Target:
    field: str  # one of FIELDS, or "label" (the label of a numbered group) or "consent"
    label: str = ""  # for email/phone/address: home, work, mobile…
    group: str = ""  # numbered or named group (Google "E-mail 2", Outlook "Home" address); consent: purpose
    rule: str = ""  # consent: how to read the cell (yes_no, opt_out, status, granted_at, withdrawn_at, dated)
    identifies: bool = True  # a phone or email that is the person's own (matched on); False for a delivery phone


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    detect: Callable[[set[str]], bool]
    exact: dict[str, Target] = field(default_factory=dict)
    patterns: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Target]], ...] = ()
    tag_separator: str = r"[,;]"
    multi_value: str | None = None  # separator of several values in one cell
    ignored_tags: frozenset[str] = frozenset()


def fold(header: str) -> str:
    return " ".join(header.replace("_", " ").strip().strip('"').split()).casefold()


def _t(field_name: str, label: str = "", group: str = "") -> Target:
    return Target(field_name, label, group)


def _consent(purpose: str, rule: str) -> Target:
    return Target("consent", group=purpose, rule=rule)


def _source(kind: str) -> Target:
    """The id the source tool gives a person: kept, so that the next export of the same shop matches exactly."""
    return Target("source_id", group=kind)


def _address(prefix: str, group: str, label: str, parts: dict[str, str]) -> dict[str, Target]:
    return {f"{prefix}{suffix}": Target(part, label, group) for suffix, part in parts.items()}


GENERIC: dict[str, Target] = {
    # A person's whole name, under whatever heading a tool gives it (a loyalty app's "Crm Name", a POS's
    # "Client Name"). "Nombre" and "Nome" mean the whole name too when the file has no family-name column
    # (AMBIGUOUS_GIVEN, settled in mapping).
    **dict.fromkeys(
        (
            "name",
            "full name",
            "fullname",
            "contact name",
            "customer name",
            "display name",
            "contact",
            "nom complet",
            "nombre completo",
            "crm name",
            "client name",
            "member name",
            "person name",
            "guest name",
            "patient name",
            "buyer name",
            "subscriber name",
            "recipient name",
            "customer full name",
            "name (full)",
            "full names",
            "nombre y apellidos",
            "nombre del cliente",
            "nombre cliente",
            "nome completo",
            "nome do cliente",
            "nom du client",
            "kundenname",
            "vollständiger name",
            "姓名",
            "氏名",
            "お名前",
            "ชื่อ-นามสกุล",
            "ชื่อ - นามสกุล",
            "ชื่อลูกค้า",
        ),
        _t("name"),
    ),
    **dict.fromkeys(
        ("first name", "firstname", "first", "given name", "forename", "vorname", "prénom", "prenom", "nombre", "nome"),
        _t("given_name"),
    ),
    **dict.fromkeys(("middle name", "additional name"), _t("middle_name")),
    **dict.fromkeys(
        (
            "last name",
            "lastname",
            "last",
            "surname",
            "family name",
            "nachname",
            "nom",
            "nom de famille",
            "apellido",
            "apellidos",
            "sobrenome",
            "cognome",
        ),
        _t("family_name"),
    ),
    **dict.fromkeys(
        (
            "email",
            "e-mail",
            "email address",
            "e-mail address",
            "mail",
            "e-mail-adresse",
            "courriel",
            "correo",
            "correo electrónico",
            "อีเมล",
            "邮箱",
            "电子邮件",
            "電子郵件",
            "メールアドレス",
        ),
        _t("email"),
    ),
    **dict.fromkeys(
        (
            "phone",
            "phone number",
            "telephone",
            "telephone number",
            "tel",
            "tel.",
            "telefon",
            "telefonnummer",
            "téléphone",
            "teléfono",
            "phone 1",
            "telefone",
            "เบอร์โทร",
            "เบอร์โทรศัพท์",
            "โทรศัพท์",
            "电话",
            "電話",
            "電話番号",
        ),
        _t("phone"),
    ),
    **dict.fromkeys(
        (
            "mobile",
            "mobile phone",
            "mobile number",
            "cell",
            "cell phone",
            "handy",
            "mobil",
            "portable",
            "móvil",
            "celular",
            "telemóvel",
            "มือถือ",
            "手机",
            "携帯電話",
        ),
        _t("phone", "mobile"),
    ),
    **dict.fromkeys(
        (
            "company",
            "company name",
            "organisation",
            "organization",
            "organisation name",
            "organization name",
            "business",
            "firma",
            "unternehmen",
            "société",
            "entreprise",
            "empresa",
        ),
        _t("organisation"),
    ),
    **dict.fromkeys(("job title", "jobtitle", "position", "role"), _t("job_title")),
    **dict.fromkeys(
        ("note", "notes", "comment", "comments", "memo", "remarks", "notiz", "notizen", "bemerkung"), _t("note")
    ),
    **dict.fromkeys(("tags", "tag", "labels", "groups", "categories", "segments"), _t("tags")),
    **dict.fromkeys(("address", "full address", "adresse", "dirección", "postal address"), _t("address")),
    **dict.fromkeys(
        (
            "street",
            "street address",
            "address 1",
            "address1",
            "address line 1",
            "address 2",
            "address2",
            "address line 2",
            "straße",
            "strasse",
        ),
        _t("street"),
    ),
    **dict.fromkeys(("city", "town", "ort", "stadt", "ville", "ciudad"), _t("city")),
    **dict.fromkeys(("state", "region", "province", "county", "state/region", "bundesland"), _t("region")),
    **dict.fromkeys(("zip", "zip code", "postcode", "post code", "postal code", "plz", "code postal"), _t("postcode")),
    **dict.fromkeys(
        ("country", "country/region", "country code", "country/region code", "land", "pays", "país", "código de país"),
        _t("country"),
    ),
    **dict.fromkeys(
        ("accepts email marketing", "accepts marketing", "email marketing consent", "email opt-in", "email opt in"),
        _consent(EMAIL_MARKETING, "yes_no"),
    ),
    **dict.fromkeys(
        (
            "birthday",
            "birth date",
            "date of birth",
            "dob",
            "geburtstag",
            "geburtsdatum",
            "fecha de nacimiento",
            "cumpleaños",
            "date de naissance",
            "anniversaire",
            "data de nascimento",
            "data di nascita",
        ),
        _t("birth_date"),
    ),
    **dict.fromkeys(
        ("total spent", "total spend", "amount spent", "lifetime value", "gesamtumsatz"), _t("total_spent")
    ),
    **dict.fromkeys(
        ("orders", "total orders", "order count", "number of orders", "orders count", "bestellungen", "pedidos"),
        _t("order_count"),
    ),
    **dict.fromkeys(
        ("accepts sms marketing", "sms marketing consent", "sms opt-in", "sms opt in"),
        _consent(SMS_MARKETING, "yes_no"),
    ),
}

_SHOPIFY_ADDRESS = {
    "address1": "street",
    "address2": "street",
    "city": "city",
    "province code": "region",
    "country code": "country",
    "zip": "postcode",
}

SHOPIFY = Layout(
    "shopify",
    "Shopify",
    detect=lambda h: (
        ("accepts email marketing" in h and "first name" in h) or {"accepts marketing", "total spent"} <= h
    ),
    exact={
        "first name": _t("given_name"),
        "last name": _t("family_name"),
        "email": _t("email"),
        # The default address's phone is the delivery address's (a shop, an office, a family's landline): kept
        # with the person, never taken to be theirs when looking for duplicates or matches.
        "phone": _t("phone"),
        "default address phone": Target("phone", identifies=False),
        "customer id": _source("shopify"),
        "default address company": _t("organisation"),
        "company": _t("organisation"),
        **_address("default address ", "default", "", _SHOPIFY_ADDRESS),
        # the older export (before 2023): plain address columns, province name and code side by side
        **_address(
            "",
            "default",
            "",
            {
                "address1": "street",
                "address2": "street",
                "city": "city",
                "province": "region",
                "country": "country",
                "zip": "postcode",
            },
        ),
        "province code": Target("ignored"),
        "country code": Target("ignored"),
        "note": _t("note"),
        "tags": _t("tags"),
        "total spent": _t("total_spent"),  # the shop's running totals, replaced by each newer export
        "total orders": _t("order_count"),
        "accepts email marketing": _consent(EMAIL_MARKETING, "yes_no"),
        "accepts marketing": _consent(EMAIL_MARKETING, "yes_no"),
        "accepts sms marketing": _consent(SMS_MARKETING, "yes_no"),
        # when the choice was last changed, in exports that carry it (the Admin API's consent_updated_at)
        **dict.fromkeys(
            ("email marketing consent updated at", "accepts email marketing updated at"),
            _consent(EMAIL_MARKETING, "dated"),
        ),
        **dict.fromkeys(
            ("sms marketing consent updated at", "accepts sms marketing updated at"), _consent(SMS_MARKETING, "dated")
        ),
    },
    tag_separator=",",
)


_GOOGLE_ADDRESS_PARTS = {
    "formatted": "address",
    "street": "street",
    "extended address": "street",
    "po box": "street",
    "city": "city",
    "region": "region",
    "postal code": "postcode",
    "country": "country",
}

GOOGLE = Layout(
    "google",
    "Google Contacts",
    detect=lambda h: any(re.match(r"^(e-mail|phone) \d+ - value$", header) for header in h),
    exact={
        "first name": _t("given_name"),
        "given name": _t("given_name"),
        "middle name": _t("middle_name"),
        "additional name": _t("middle_name"),
        "last name": _t("family_name"),
        "family name": _t("family_name"),
        "name": _t("name"),
        "organization name": _t("organisation"),
        "organization 1 - name": _t("organisation"),
        "organization title": _t("job_title"),
        "organization 1 - title": _t("job_title"),
        "notes": _t("note"),
        "labels": _t("tags"),
        "group membership": _t("tags"),
        "birthday": _t("birth_date"),  # "1990-07-14", or "--07-14" without a year
        "nickname": Target("ignored"),
        "file as": Target("ignored"),
    },
    patterns=(
        (re.compile(r"^(e-mail) (\d+) - value$"), lambda m: Target("email", group=f"e{m.group(2)}")),
        (re.compile(r"^(phone) (\d+) - value$"), lambda m: Target("phone", group=f"p{m.group(2)}")),
        (
            re.compile(r"^(e-mail|phone|address) (\d+) - (?:label|type)$"),
            lambda m: Target("label", group=f"{m.group(1)[0]}{m.group(2)}"),
        ),
        (
            re.compile(r"^address (\d+) - (formatted|street|extended address|po box|city|region|postal code|country)$"),
            lambda m: Target(_GOOGLE_ADDRESS_PARTS[m.group(2)], group=f"a{m.group(1)}"),
        ),
    ),
    tag_separator=r"\s*:::\s*",
    multi_value=" ::: ",
    ignored_tags=frozenset({"mycontacts"}),
)

_OUTLOOK_ADDRESS = {
    "street": "street",
    "street 2": "street",
    "street 3": "street",
    "city": "city",
    "state": "region",
    "postal code": "postcode",
    "country/region": "country",
}

OUTLOOK = Layout(
    "outlook",
    "Outlook",
    detect=lambda h: (
        "e-mail address" in h and bool(h & {"business phone", "mobile phone", "home phone", "e-mail display name"})
    ),
    exact={
        "first name": _t("given_name"),
        "middle name": _t("middle_name"),
        "last name": _t("family_name"),
        "company": _t("organisation"),
        "job title": _t("job_title"),
        "notes": _t("note"),
        "categories": _t("tags"),
        "e-mail address": _t("email"),
        "e-mail 2 address": _t("email"),
        "e-mail 3 address": _t("email"),
        "primary phone": _t("phone"),
        "mobile phone": _t("phone", "mobile"),
        "business phone": _t("phone", "work"),
        "business phone 2": _t("phone", "work"),
        "company main phone": _t("phone", "work"),
        "home phone": _t("phone", "home"),
        "home phone 2": _t("phone", "home"),
        "other phone": _t("phone", "other"),
        "car phone": _t("phone", "car"),
        "business fax": _t("phone", "fax"),
        "home fax": _t("phone", "fax"),
        **_address("business ", "work", "work", _OUTLOOK_ADDRESS),
        **_address("home ", "home", "home", _OUTLOOK_ADDRESS),
        **_address("other ", "other", "other", _OUTLOOK_ADDRESS),
        "title": Target("ignored"),  # Mr., Dr.: the job is "Job Title"
    },
    tag_separator=";",
)

HUBSPOT = Layout(
    "hubspot",
    "HubSpot",
    detect=lambda h: (
        "unsubscribed from all email" in h
        or (bool(h & {"record id", "contact id"}) and bool(h & {"lifecycle stage", "contact owner", "create date"}))
    ),
    exact={
        "first name": _t("given_name"),
        "last name": _t("family_name"),
        "email": _t("email"),
        "phone number": _t("phone"),
        "mobile phone number": _t("phone", "mobile"),
        "company name": _t("organisation"),
        "job title": _t("job_title"),
        **_address(
            "",
            "default",
            "",
            {
                "street address": "street",
                "city": "city",
                "state/region": "region",
                "postal code": "postcode",
                "country/region": "country",
            },
        ),
        "unsubscribed from all email": _consent(EMAIL_MARKETING, "opt_out"),
        "record id": _source("hubspot"),  # the portal's id for the contact (older exports: "Contact ID")
        "contact id": _source("hubspot"),
    },
    patterns=((re.compile(r"^opted out of email: .*marketing"), lambda m: _consent(EMAIL_MARKETING, "opt_out")),),
)

MAILCHIMP = Layout(
    "mailchimp",
    "Mailchimp",
    detect=lambda h: (
        "email address" in h and bool(h & {"member rating", "optin time", "confirm time", "leid", "euid", "clean time"})
    ),
    exact={
        "email address": _t("email"),
        "first name": _t("given_name"),
        "last name": _t("family_name"),
        "address": _t("address"),
        "phone number": _t("phone"),
        "notes": _t("note"),
        "tags": _t("tags"),
        "optin time": _consent(EMAIL_MARKETING, "granted_at"),
        "confirm time": _consent(EMAIL_MARKETING, "granted_at"),
        "unsub time": _consent(EMAIL_MARKETING, "withdrawn_at"),
        "clean time": _consent(EMAIL_MARKETING, "withdrawn_at"),  # the cleaned export: the address bounced
        # EUID is the member's id across the account; LEID is per audience, so two audiences may share one.
        "euid": _source("mailchimp"),
        "birthday": _t("birth_date"),  # Mailchimp's birthday merge field: "07/14", no year
        "region": Target("ignored"),
        "cc": Target("ignored"),  # derived from the sign-up IP, not the address
    },
    tag_separator=",",
)

SQUARE = Layout(
    "square",
    "Square",
    detect=lambda h: "square customer id" in h or {"surname", "email address"} <= h or "email subscription status" in h,
    exact={
        "first name": _t("given_name"),
        "surname": _t("family_name"),
        "last name": _t("family_name"),
        "email address": _t("email"),
        "phone number": _t("phone"),
        "company name": _t("organisation"),
        **_address(
            "",
            "default",
            "",
            {
                "street address 1": "street",
                "street address 2": "street",
                "city": "city",
                "state": "region",
                "postal code": "postcode",
            },
        ),
        "memo": _t("note"),
        "groups": _t("tags"),
        "birthday": _t("birth_date"),
        "transaction count": _t("order_count"),
        "total spend": _t("total_spent"),
        "nickname": Target("ignored"),
        "email subscription status": _consent(EMAIL_MARKETING, "status"),
        "email unsubscribed": _consent(EMAIL_MARKETING, "opt_out"),
        # Square's own id; "Reference ID" is the seller's, free text that two customers may share
        "square customer id": _source("square"),
    },
    tag_separator=",",
)

GENERIC_LAYOUT = Layout("generic", "CSV", detect=lambda h: True)

PRODUCTS: tuple[Layout, ...] = (SHOPIFY, GOOGLE, OUTLOOK, HUBSPOT, MAILCHIMP, SQUARE)
BY_KEY: dict[str, Layout] = {layout.key: layout for layout in (*PRODUCTS, GENERIC_LAYOUT)}


def detect(headers: list[str]) -> Layout:
    """The first product layout whose signature columns are all there; otherwise the generic one."""
    folded = {fold(h) for h in headers}
    return next((layout for layout in PRODUCTS if layout.detect(folded)), GENERIC_LAYOUT)


def target_for(layout: Layout, header: str) -> Target | None:
    key = fold(header)
    if key in layout.exact:
        found = layout.exact[key]
        return None if found.field == "ignored" else found
    for pattern, make in layout.patterns:
        match = pattern.match(key)
        if match:
            return make(match)
    return GENERIC.get(key)
