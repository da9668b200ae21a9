"""A customer's purchases as the shop's own system counted them (an import's Total Spent and Total Orders), for
the customer editor and the subject-access export.

The amount is stored as decimal text and shown through babel in the reader's language: with the shop's currency
when the import knew it, else as a plain number (the file named no currency, and none is made up).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from app.locale import _, ngettext
from app.locale.formatting import babel_locale, count, money, to_minor_units
from app.store.database import Connection


@dataclass(frozen=True)
class Purchases:
    total_spent: Decimal | None
    order_count: int | None
    currency: str | None
    source: str
    updated_at: str


def purchases_of(conn: Connection, contact_id: int) -> Purchases | None:
    row = conn.execute(
        "SELECT total_spent, order_count, currency, source, updated_at FROM contact_purchases WHERE contact_id = ?",
        (contact_id,),
    ).fetchone()
    if row is None:
        return None
    spent = Decimal(str(row[0])) if row[0] not in (None, "") else None
    orders = int(row[1]) if row[1] is not None else None
    return Purchases(spent, orders, str(row[2]) if row[2] else None, str(row[3]), str(row[4]))


def amount_text(amount: Decimal, currency: str | None, language: str | None = None) -> str:
    """1.529,90 € in German with the shop's currency; 1.529,90 without one."""
    if not currency:
        return str(format_decimal(amount, format="#,##0.00", locale=babel_locale(language)))
    return money(to_minor_units(amount, currency), currency, language)


def summary(purchases: Purchases, language: str | None = None) -> str:
    """One line for the editor: "12 orders, 1.529,90 € spent" (each part only where the file gave it)."""
    parts = []
    if purchases.order_count is not None:
        parts.append(
            ngettext("{n} order", "{n} orders", purchases.order_count).format(n=count(purchases.order_count, language))
        )
    if purchases.total_spent is not None:
        parts.append(
            _("{amount} spent").format(amount=amount_text(purchases.total_spent, purchases.currency, language))
        )
    return ", ".join(parts)
