"""A simple, honest password strength estimate: length times the kinds of characters used.

It cannot know whether a password is a famous quote or a pet's name, so the wording says 'estimate' and
the advice is always the same: longer is better, and a phrase of several unrelated words is easy to type.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from app.locale import _
from app.vault.vault import MIN_PASSWORD_LENGTH

_CLASSES = (
    (string.ascii_lowercase, 26),
    (string.ascii_uppercase, 26),
    (string.digits, 10),
    (string.punctuation + " ", 33),
)
LEVELS = (40, 60, 80)  # bits: below the first is weak, then fair, good, strong


@dataclass(frozen=True)
class Strength:
    bits: int
    level: int  # 0 weak, 1 fair, 2 good, 3 strong
    label: str


def estimate_bits(password: str) -> int:
    if not password:
        return 0
    pool = sum(size for chars, size in _CLASSES if any(c in chars for c in password))
    if any(ord(c) > 127 for c in password):
        pool += 100
    # Repeats add little: 'aaaaaaaaaa' is not ten characters' worth of guessing.
    distinct_runs = 1 + sum(1 for a, b in zip(password, password[1:], strict=False) if a != b)
    effective = min(len(password), distinct_runs + (len(password) - distinct_runs) // 4)
    return int(effective * math.log2(max(pool, 2)))


def estimate(password: str) -> Strength:
    bits = estimate_bits(password)
    level = 0 if len(password) < MIN_PASSWORD_LENGTH else sum(1 for threshold in LEVELS if bits >= threshold)
    return Strength(bits, level, strength_labels()[level])


def strength_labels() -> tuple[str, str, str, str]:
    return _("weak"), _("fair"), _("good"), _("strong")
