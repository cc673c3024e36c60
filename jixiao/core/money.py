"""Money and numbers (documents.md "Money and numbers"). Store yuan as Decimal with 2 places;
show 万元 with 2 decimals in tables, 亿元 in prose at 1 亿 and above. Never float."""

from __future__ import annotations

import decimal
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
    if not d.is_finite() or d.adjusted() > 30:  # quantizing 1e400 to the cent would overflow
        raise MoneyError(f"“{str(value)[:40]}”不是有效金额")
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def from_wan(value) -> Decimal:
    """An amount typed or imported in 万元 → yuan."""
    if isinstance(value, float):
        # Spreadsheet cells arrive as float; their shortest repr is what the user typed.
        value = repr(value)
    try:
        d = Decimal(str(value).replace(",", "").strip() or "0")
    except InvalidOperation:
        raise MoneyError(f"“{str(value)[:40]}”不是有效金额")
    if not d.is_finite() or abs(d.adjusted()) > 30:  # "1e400", NaN, Infinity: never an amount
        raise MoneyError(f"“{str(value)[:40]}”不是有效金额")
    return yuan(d * WAN)


def to_wan(amount) -> Decimal:
    return (yuan(amount) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)


def to_yi(amount) -> Decimal:
    return (yuan(amount) / YI).quantize(CENT, rounding=ROUND_HALF_UP)


def format_wan(amount, *, grouping: bool = True) -> str:
    """Table display in 万元: ``5505600`` → ``550.56``."""
    if amount is None:
        return ""
    try:
        value = to_wan(amount)
    except (MoneyError, ArithmeticError):
        return "金额异常"
    return f"{value:,.2f}" if grouping else f"{value:.2f}"


def format_amount(amount) -> str:
    """Prose display: ``1662000000`` → ``16.62 亿元``; ``5505600`` → ``550.56 万元``."""
    if amount is None:
        return ""
    try:
        y = yuan(amount)
    except (MoneyError, ArithmeticError):
        return "金额异常"
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


# --- the one money range ---------------------------------------------------------------------------
#
# Every stored amount is yuan with two decimals in a column of max_digits=18. The range:
#
#   0 ≤ amount ≤ MONEY_MAX = 999,999,999,999.99 yuan (just under 1 万亿 = 10^12 yuan).
#
# Why this maximum: the largest province's whole general-budget expenditure is about 2 万亿 a year, and a
# budget line (a project, an agency task, a medium-term total over three years) is a part of one budget,
# so a single amount of 1 万亿 or more is a typing error (万元 typed as 元, digits repeated), not a budget.
# It also keeps every amount exact where SQLite reads NUMERIC through an IEEE double (15 significant
# digits; 999999999999.99 has 14), and leaves room for sums of 10,000 such lines within 18 digits.
# Negative amounts are refused unless a field says otherwise (none does today).

MONEY_MAX = Decimal("999999999999.99")
#: what SQLite's decimal reads quantize in (``MoneyField.context``): a float column can hold up to ~1.8e308
_WIDE = decimal.Context(prec=320)
MONEY_MIN = Decimal("0")
#: the same maximum in 万元, as forms and imports take it
WAN_MAX = (MONEY_MAX / WAN).quantize(Decimal("0.000001"))


def range_error(amount, *, allow_negative: bool = False) -> str | None:
    """The Chinese reason ``amount`` (yuan) is out of the money range, or None."""
    if amount is None:
        return None
    try:
        d = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"“{str(amount)[:40]}”不是有效金额"
    if not d.is_finite():
        return "金额应为有限的数字"
    low = -MONEY_MAX if allow_negative else MONEY_MIN
    if d > MONEY_MAX:
        return f"金额过大：最多 {format_wan(MONEY_MAX)} 万元（{MONEY_MAX} 元）"
    if d < low:
        return "金额不能为负数" if not allow_negative else f"金额过小：最少 {low} 元"
    return None


def checked(amount, *, allow_negative: bool = False) -> Decimal:
    """Input yuan → Decimal yuan within the money range, else MoneyError (Chinese)."""
    d = yuan(amount)
    error = range_error(d, allow_negative=allow_negative)
    if error:
        raise MoneyError(error)
    return d


def from_wan_checked(value, *, allow_negative: bool = False) -> Decimal:
    """An amount typed or imported in 万元 → yuan within the money range (MoneyError otherwise)."""
    if isinstance(value, str) and len(value.strip()) > 40:
        raise MoneyError(f"“{value.strip()[:20]}…”不是有效金额")
    try:
        d = from_wan(value)
    except InvalidOperation:
        raise MoneyError(f"“{str(value)[:40]}”不是有效金额")
    return checked(d, allow_negative=allow_negative)


# --- the one model field ---------------------------------------------------------------------------

from django.db import models  # noqa: E402


class MoneyField(models.DecimalField):
    """Every money column: yuan, ``max_digits=18, decimal_places=2``, within the money range.

    - The database refuses anything outside the range: a column CHECK constraint (``db_check``), created
      by the migrations on SQLite and PostgreSQL alike.
    - Saving through the ORM (every service, ``bulk_create``, ``QuerySet.update``) refuses it first with
      a field error in Chinese (``ValidationFailed``), so a service never meets an IntegrityError.
    - Reading never fails: a row that somehow holds an out-of-range value (written before the constraint,
      or by hand) reads as that value instead of raising, so one bad row cannot 500 a whole list."""

    def __init__(self, *args, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        kwargs["max_digits"] = 18
        kwargs["decimal_places"] = 2
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        if self.allow_negative:
            kwargs["allow_negative"] = True
        return name, path, args, kwargs

    @property
    def context(self):
        # Django quantizes what SQLite returns within max_digits and raises past it; read wide instead.
        # One context for every read (Django asks for it per value: a million rows read a million
        # times); the reads only set its flags, and no trap is changed.
        return _WIDE

    def db_check(self, connection):
        column = connection.ops.quote_name(self.column)
        low = -MONEY_MAX if self.allow_negative else MONEY_MIN
        return f"{column} >= {low} AND {column} <= {MONEY_MAX}"

    def get_db_prep_save(self, value, connection):
        if value is not None and not hasattr(value, "resolve_expression"):
            try:
                error = range_error(self.to_python(value), allow_negative=self.allow_negative)
            except Exception:  # noqa: BLE001 — to_python's own ValidationError, in Chinese below
                error = f"“{str(value)[:40]}”不是有效金额"
            if error:
                from jixiao.core.errors import ValidationFailed

                raise ValidationFailed({self.name: [f"{self.verbose_name}：{error}"]})
        return super().get_db_prep_save(value, connection)


# --- the one form field ----------------------------------------------------------------------------

from django import forms  # noqa: E402


class WanField(forms.DecimalField):
    """An amount typed in 万元 (six decimals: to the cent) within the money range; the cleaned value is
    万元 (convert with :func:`from_wan`). Every money input of every page form is one of these."""

    def __init__(self, *, allow_negative: bool = False, **kwargs):
        kwargs.update(max_digits=14, decimal_places=6, max_value=WAN_MAX,
                      min_value=-WAN_MAX if allow_negative else Decimal(0))
        super().__init__(**kwargs)
        self.error_messages = {**self.error_messages, "invalid": "请输入金额（万元），例如 12.5",
                               "max_value": f"金额过大：最多 {format_wan(MONEY_MAX)} 万元",
                               "min_value": "金额不能为负数",
                               "max_digits": f"金额过大：最多 {format_wan(MONEY_MAX)} 万元",
                               "max_whole_digits": f"金额过大：最多 {format_wan(MONEY_MAX)} 万元",
                               "max_decimal_places": "金额（万元）最多 6 位小数（精确到分）"}


def add_money_checks(app_label: str):
    """A migration step: the CHECK of every MoneyField of ``app_label`` where altering a column to a
    MoneyField did not create it. (Django's ALTER path reads column checks from the backend's table of
    internal types, not from ``Field.db_check``; CREATE TABLE, ADD COLUMN and SQLite's table rebuild do.)"""
    from django.db import migrations

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor == "sqlite":
            return  # the AlterField rebuilt the table with the column's CHECK
        for model in apps.get_app_config(app_label).get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if not isinstance(field, MoneyField):
                    continue
                name = schema_editor._create_index_name(table, [field.column], suffix="_money_check")
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
                    if cursor.fetchone():
                        continue
                schema_editor.execute(schema_editor._create_check_sql(model, name, field.db_check(connection)))

    return migrations.RunPython(forwards, migrations.RunPython.noop)
