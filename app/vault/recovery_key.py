"""The recovery key is the data key itself, written for people: 64 hex digits in 8 groups of 8.

Being the raw SQLCipher key, it also opens the database in the stock SQLCipher 4 shell, the shop's way out
if this program is ever gone.
"""

from __future__ import annotations

import re

from app.errors import InvalidInput
from app.locale import _

_GROUP = 8


def format_recovery_key(data_key: bytes) -> str:
    digits = data_key.hex()
    return "-".join(digits[i : i + _GROUP] for i in range(0, len(digits), _GROUP))


def parse_recovery_key(text: str) -> bytes:
    """Accept the key as printed, with any spacing, dashes or case a person may type it in."""
    digits = re.sub(r"[\s\-]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise InvalidInput(_("A recovery key is 64 letters and digits (0-9, a-f), in 8 groups of 8; this one is not."))
    return bytes.fromhex(digits)
