"""What looks like sensitive data in a free-text note: an identity document or national ID number, a payment card
number (Luhn-valid), or a health word in one of the languages we ship (en, de, fr, es, zh_CN).

A note is the place where data nobody needs collects (seed 002: collect only what is needed), so a note is checked
when it is saved. Detection is deliberately simple and errs towards asking: a finding is a question to the person
writing ("move it, or keep it with a reason"), never a silent change. It lives in the crm floor because the
service that saves notes (app.crm.contacts) must enforce it; app.privacy.sensitive_notes lists what was kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.errors import InvalidInput
from app.locale import N_, _

KINDS = {
    "card": N_("a payment card number"),
    "national_id": N_("a national ID number"),
    "passport": N_("a passport or ID document number"),
    "health": N_("health information"),
}


@dataclass(frozen=True)
class Finding:
    """One thing that looks sensitive, by where it is in the text (never a copy of it)."""

    kind: str  # a key of KINDS
    start: int
    end: int


def _fold(text: str) -> str:
    """Lower case without accents, one character for each character of `text` (so positions stay valid)."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).casefold()[:1] or c for c in text)


# --- payment cards --------------------------------------------------------------------------------------------

_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _cards(text: str) -> list[Finding]:
    found = []
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits):
            found.append(Finding("card", match.start(), match.end()))
    return found


# --- national IDs that check themselves, and numbers named as IDs or passports -------------------------------

_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _cn_resident_id(value: str) -> bool:
    """China's 18-character resident ID: its last character is a checksum of the 17 digits before it."""
    total = sum(int(d) * w for d, w in zip(value[:17], _CN_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


def _es_dni(value: str) -> bool:
    """Spain's DNI (8 digits) or NIE (X/Y/Z and 7 digits) and its check letter."""
    number = value[:-1].upper().replace("X", "0").replace("Y", "1").replace("Z", "2")
    return "TRWAGMYFPDXBNJZSQVHLCKE"[int(number) % 23] == value[-1].upper()


def _fr_nir(value: str) -> bool:
    """France's social security number (NIR): 13 characters and a key of 97 minus their remainder mod 97."""
    digits = re.sub(r"\s", "", value)
    body = digits[:13].upper().replace("2A", "19").replace("2B", "18")
    return body.isdigit() and 97 - int(body) % 97 == int(digits[13:])


_CHECKED_IDS = (
    (re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"), _cn_resident_id),
    (re.compile(r"(?<![\dA-Za-z])(?:\d{8}|[XYZxyz]\d{7})[A-Za-z](?![\dA-Za-z])"), _es_dni),
    (
        re.compile(r"(?<![\dA-Za-z])[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}(?![\dA-Za-z])"),
        _fr_nir,
    ),
)
# Shapes that are IDs whatever the words around them: a US social security number, a UK National Insurance number.
_SHAPED_IDS = (
    re.compile(r"(?<!\d)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)"),
    re.compile(r"\b(?![DFIQUV])[A-Z](?![DFIOQUV])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"),
)
# A number named as an ID or a passport, in each language: the name, then within a few words a token of 6-18
# letters, digits and dashes with at least 4 digits (the text is folded to lower case first).
_NAMED_NUMBER = r"[^\n\d]{0,24}?(?P<number>(?=(?:[a-z-]*\d){4})[a-z0-9][a-z0-9-]{4,16}[a-z0-9])(?![a-z0-9])"
_NAMED = (
    ("passport", re.compile(r"(?:\bpass(?:port|eport|e?ports?)\b|\breisepass|\bpasaporte|护照)" + _NAMED_NUMBER)),
    (
        "national_id",
        re.compile(
            r"(?:\bsocial security\b|\bssn\b|\bnational (?:id|insurance)\b|\bid card\b|\bid number\b"
            r"|\bpersonalausweis|\bausweis|\bsteuer-?id\b|\bsozialversicherungsnummer"
            r"|\bcarte d'identite\b|\bnumero de securite sociale\b|\bsecu\b|\bnir\b"
            r"|\bdni\b|\bnie\b|\bdocumento de identidad\b|\bseguridad social\b"
            r"|身份证|社保号|社会保障号)" + _NAMED_NUMBER
        ),
    ),
)


def _identity_numbers(text: str, folded: str) -> list[Finding]:
    found = []
    for pattern, valid in _CHECKED_IDS:
        found += [Finding("national_id", m.start(), m.end()) for m in pattern.finditer(text) if valid(m.group())]
    for pattern in _SHAPED_IDS:
        found += [Finding("national_id", m.start(), m.end()) for m in pattern.finditer(text)]
    for kind, pattern in _NAMED:
        found += [Finding(kind, m.start("number"), m.end("number")) for m in pattern.finditer(folded)]
    return found


# --- health words ---------------------------------------------------------------------------------------------

# Whole words, matched without case or accents (a plural ending is allowed); Chinese terms anywhere in the text.
HEALTH_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "diabetes",
        "diabetic",
        "cancer",
        "tumour",
        "tumor",
        "pregnant",
        "pregnancy",
        "allergy",
        "allergic",
        "asthma",
        "hiv",
        "depression",
        "depressed",
        "medication",
        "surgery",
        "disability",
        "disabled",
        "illness",
        "diagnosis",
        "diagnosed",
        "therapy",
        "epilepsy",
        "dementia",
        "hospital",
        "wheelchair",
        "prescription",
        "blood pressure",
        "heart attack",
        "mental health",
        "chemotherapy",
    ),
    "de": (
        "diabetes",
        "diabetiker",
        "krebs",
        "tumor",
        "schwanger",
        "schwangerschaft",
        "allergie",
        "allergisch",
        "asthma",
        "hiv",
        "depression",
        "depressiv",
        "medikament",
        "medikamente",
        "behinderung",
        "behindert",
        "krankheit",
        "erkrankung",
        "krank",
        "diagnose",
        "therapie",
        "epilepsie",
        "demenz",
        "krankenhaus",
        "rollstuhl",
        "blutdruck",
        "herzinfarkt",
        "chemotherapie",
    ),
    "fr": (
        "diabete",
        "diabetique",
        "cancer",
        "tumeur",
        "enceinte",
        "grossesse",
        "allergie",
        "allergique",
        "asthme",
        "vih",
        "sida",
        "depression",
        "medicament",
        "chirurgie",
        "handicap",
        "handicape",
        "maladie",
        "malade",
        "diagnostic",
        "therapie",
        "epilepsie",
        "demence",
        "hopital",
        "fauteuil roulant",
        "tension arterielle",
        "crise cardiaque",
        "chimiotherapie",
    ),
    "es": (
        "diabetes",
        "diabetico",
        "diabetica",
        "cancer",
        "tumor",
        "embarazada",
        "embarazo",
        "alergia",
        "alergico",
        "alergica",
        "asma",
        "vih",
        "sida",
        "depresion",
        "medicamento",
        "cirugia",
        "discapacidad",
        "discapacitado",
        "enfermedad",
        "enfermo",
        "enferma",
        "diagnostico",
        "terapia",
        "epilepsia",
        "demencia",
        "hospital",
        "silla de ruedas",
        "presion arterial",
        "infarto",
        "quimioterapia",
    ),
    "zh_CN": (
        "糖尿病",
        "癌症",
        "肿瘤",
        "怀孕",
        "孕妇",
        "过敏",
        "哮喘",
        "艾滋病",
        "抑郁",
        "药物",
        "手术",
        "残疾",
        "疾病",
        "诊断",
        "治疗",
        "癫痫",
        "痴呆",
        "医院",
        "轮椅",
        "处方",
        "高血压",
        "心脏病",
        "化疗",
    ),
}

_LATIN_HEALTH = re.compile(
    r"\b(?:"
    + "|".join(
        sorted(
            {re.escape(word) for language, words in HEALTH_WORDS.items() if language != "zh_CN" for word in words},
            key=len,
            reverse=True,
        )
    )
    + r")(?:s|es|e|en|n|in|innen)?\b"  # plurals; German feminine -in/-innen (Diabetikerin)
)
_CHINESE_HEALTH = re.compile("|".join(HEALTH_WORDS["zh_CN"]))


def _health(folded: str) -> list[Finding]:
    return [
        Finding("health", m.start(), m.end())
        for pattern in (_LATIN_HEALTH, _CHINESE_HEALTH)
        for m in pattern.finditer(folded)
    ]


# --- together ---------------------------------------------------------------------------------------------------


def find_sensitive(text: str) -> list[Finding]:
    """Everything in `text` that looks sensitive, in reading order; a span found twice is reported once."""
    folded = _fold(text)
    found = _cards(text) + _identity_numbers(text, folded) + _health(folded)
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -f.end)):
        if not any(k.start <= finding.start and finding.end <= k.end for k in kept):
            kept.append(finding)
    return kept


def kinds_of(findings: list[Finding]) -> list[str]:
    """The kinds found, each once, in KINDS order (what a warning or an audit entry names)."""
    return [kind for kind in KINDS if any(f.kind == kind for f in findings)]


def described(findings: list[Finding]) -> str:
    """What was found, in words, for a message ("a payment card number, health information")."""
    return ", ".join(_(KINDS[kind]) for kind in kinds_of(findings))


class SensitiveTextFound(InvalidInput):
    """A note was not saved: it looks like it holds sensitive data, and no reason to keep it was given."""

    def __init__(self, findings: list[Finding], message: str | None = None) -> None:
        self.findings = findings
        template = message or _(
            "This note seems to contain {what}. Take it out of the note, or keep it with a reason "
            "(the reason is recorded)."
        )
        super().__init__(template.format(what=described(findings)))


class SensitiveFirstNote(SensitiveTextFound):
    """The first note typed with a new customer looks sensitive: the form has no place for a reason, so it says
    where there is one (the Notes tab keeps a note with its reason)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(
            findings,
            _(
                "The note seems to contain {what}. Take it out, or save the customer without it and add it on the "
                "Notes tab, where it can be kept with a reason."
            ),
        )
