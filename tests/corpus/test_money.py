"""One money type, one range (jixiao.core.money): every money column is a MoneyField, found by
introspection so a future one is covered; the boundary values go through the model (every service),
the database, the page form field, the API schema type and the import parser."""

from __future__ import annotations

import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.db import DataError, IntegrityError, connection, models, transaction
from ninja import Schema
from pydantic import TypeAdapter, ValidationError

from jixiao.core.errors import ValidationFailed
from jixiao.core.excel import parse_wan
from jixiao.core.money import MONEY_MAX, MoneyField, WanField
from jixiao.projects.models import Project
from jixiao.projects.tests.factories import make_project

APPS = ("core", "org", "library", "projects", "pools", "assessment", "targets")

#: (yuan value, accepted?) — through the model field and the API schema (both take yuan)
YUAN = [(MONEY_MAX, True), (Decimal(0), True), (Decimal("0.01"), True), (MONEY_MAX + Decimal("0.01"), False),
        (Decimal("-0.01"), False), (Decimal("1e16"), False), (Decimal("99999999999999999999") * 10_000, False)]
#: typed in 万元 — through the page form field and the import parser
WAN = [("99999999.999999", True), ("0", True), ("100000000", False), ("-0.01", False), ("1e16", False),
       ("99999999999999999999", False), ("1e400", False), ("NaN", False), ("Infinity", False), ("-Infinity", False),
       ("9" * 5000, False)]


def money_fields():
    return [(m, f) for m in apps.get_models() for f in m._meta.concrete_fields if isinstance(f, MoneyField)]


def test_every_money_column_is_a_money_field():
    found = money_fields()
    assert len(found) >= 14
    plain = [f"{m._meta.label}.{f.name}" for m in apps.get_models() for f in m._meta.concrete_fields
             if type(f) is models.DecimalField and f.decimal_places == 2 and f.max_digits >= 14]
    assert plain == [], "money columns must be MoneyField (jixiao.core.money)"


@pytest.mark.parametrize(("model", "field"), money_fields(), ids=lambda x: getattr(x, "name", str(x)))
def test_every_money_field_refuses_out_of_range_on_save(model, field):
    for value, ok in YUAN:
        if ok:
            assert field.get_db_prep_save(value, connection) is not None
        else:
            with pytest.raises(ValidationFailed) as info:
                field.get_db_prep_save(value, connection)
            assert field.name in info.value.errors and "金额" in info.value.errors[field.name][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "field"), money_fields(), ids=lambda x: getattr(x, "name", str(x)))
def test_every_money_column_has_its_database_check(model, field):
    """The CHECK exists in the real schema (SQLite: the table's SQL; PostgreSQL: pg_constraint)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [model._meta.db_table])
            sql = cursor.fetchone()[0]
            assert f'"{field.column}" >= 0 AND "{field.column}" <= {MONEY_MAX}' in sql
        else:
            cursor.execute("SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                           " WHERE t.relname = %s AND c.contype = 'c'", [model._meta.db_table])
            defs = " ".join(r[0] for r in cursor.fetchall())
            assert f"{field.column} <= 999999999999.99" in defs.replace('"', "")


def test_the_database_refuses_what_slips_past_the_orm(world):
    project = make_project(world)
    table = Project._meta.db_table
    for bad in ("1000000000000", "-1", "1e16"):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET requested_amount = {bad} WHERE id = %s", [project.pk])
    with pytest.raises(ValidationFailed):  # and the ORM path (services, QuerySet.update) says so in Chinese
        Project.objects.filter(pk=project.pk).update(requested_amount=Decimal("1e16"))


def _form_classes():
    for app in APPS:
        try:
            module = importlib.import_module(f"jixiao.{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_money_input_of_every_page_form_is_a_wan_field():
    money_inputs = [(cls.__name__, name, f) for cls in _form_classes() for name, f in cls.base_fields.items()
                    if "万元" in str(f.label or "")]
    assert len(money_inputs) >= 10
    assert [(c, n) for c, n, f in money_inputs if not isinstance(f, WanField)] == []


@pytest.mark.parametrize(("typed", "ok"), WAN)
def test_the_form_field_and_the_import_parser_hold_the_range(typed, ok):
    field = WanField(required=False)
    if ok:
        field.clean(typed)
    else:
        with pytest.raises(forms.ValidationError):
            field.clean(typed)
    value, error = parse_wan(typed)
    assert (error is None) is ok, (typed, error)
    if not ok:
        assert len(error) < 200 and ("金额" in error)


def _input_schemas():
    for app in APPS:
        try:
            module = importlib.import_module(f"jixiao.{app}.schemas")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__ and cls.__name__.endswith(("In", "Patch")):
                yield cls


def test_every_amount_of_every_api_body_is_money():
    amounts = [(cls, name, info) for cls in _input_schemas() for name, info in cls.model_fields.items()
               if "amount" in name]
    assert len(amounts) >= 15
    for cls, name, info in amounts:
        adapter = TypeAdapter(info.annotation if not info.metadata else
                              __import__("typing").Annotated[(info.annotation, *info.metadata)])
        for value, ok in YUAN + [("1e400", False), ("NaN", False), (float("inf"), False)]:
            if ok:
                adapter.validate_python(str(value))
            else:
                with pytest.raises(ValidationError):
                    adapter.validate_python(value if isinstance(value, float) else str(value))
                    raise AssertionError(f"{cls.__name__}.{name} accepted {value}")
