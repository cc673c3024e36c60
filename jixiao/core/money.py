"""Money and numbers (documents.md "Money and numbers"). Store yuan as Decimal with 2 places;
show 万元 with 2 decimals in tables, 亿元 in prose at 1 亿 and above. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


class MoneyError(ValueError):
    pass


def yuan(value) -> Decimal:
    """Any exact number (Decimal, int, numeric text) → Decimal yuan rounded half-up to the cent.
    Floats are refused: they cannot hold money exactly."""
    if isinstance(value, float):
        raise MoneyError("金额不能使用浮点数")
    if isinstance(value, Decimal):
        d = value
    else:
        try:
            d = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            raise MoneyError(f"“{value}”不是有效金额")
    if not d.is_finite():
        raise MoneyError(f"“{value}”不是有效金额")
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def from_wan(value) -> Decimal:
    """An amount typed or imported in 万元 → yuan."""
    if isinstance(value, float):
        # Spreadsheet cells arrive as float; their shortest repr is what the user typed.
        value = repr(value)
    return yuan(Decimal(str(value).replace(",", "").strip() or "0") * WAN)


def to_wan(amount) -> Decimal:
    return (yuan(amount) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def to_yi(amount) -> Decimal:
    return (yuan(amount) / YI).quantize(CENT, rounding=ROUND_HALF_UP)


def format_wan(amount, *, grouping: bool = True) -> str:
    """Table display in 万元: ``5505600`` → ``550.56``."""
    if amount is None:
        return ""
    value = to_wan(amount)
    return f"{value:,.2f}" if grouping else f"{value:.2f}"


def format_amount(amount) -> str:
    """Prose display: ``1662000000`` → ``16.62 亿元``; ``5505600`` → ``550.56 万元``."""
    if amount is None:
        return ""
    y = yuan(amount)
    if abs(y) >= YI:
        return f"{to_yi(y):,.2f} 亿元"
    return f"{to_wan(y):,.2f} 万元"


def format_rate(numerator, denominator) -> str:
    """``87.44%``; an undefined rate (zero denominator) shows as ``—``."""
    if denominator in (None, 0) or Decimal(denominator) == 0:
        return "—"
    rate = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{rate}%"


def format_percent(value) -> str:
    """A ratio already computed (0.8744) → ``87.44%``."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def format_score(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)} 分"
