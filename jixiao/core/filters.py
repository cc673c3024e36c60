"""One filter class per list, used by both the HTML list and the API list (architecture.md).

A :class:`FilterSet` declares its filters once; ``form(data)`` renders and validates them for the
page, ``schema()`` gives the typed query model for django-ninja (so OpenAPI documents them), and
``apply(qs, cleaned)`` narrows an already scoped queryset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.db.models import Q
from pydantic import create_model


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    kind: str = "text"  # text | choice | bool | int
    lookups: tuple[str, ...] = ()  # several lookups are OR-ed (free-text search)
    choices: tuple[tuple[str, str], ...] = ()


class FilterSet:
    filters: ClassVar[tuple[Filter, ...]] = ()

    @classmethod
    def form(cls, data=None, *, choices: dict[str, Any] | None = None) -> forms.Form:
        fields = {}
        for f in cls.filters:
            if f.kind == "choice":
                opts = list((choices or {}).get(f.name, f.choices))
                fields[f.name] = forms.ChoiceField(label=f.label, required=False, choices=[("", "全部"), *opts])
            elif f.kind == "bool":
                fields[f.name] = forms.NullBooleanField(
                    label=f.label, required=False,
                    widget=forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")]),
                )
            elif f.kind == "int":
                fields[f.name] = forms.IntegerField(label=f.label, required=False)
            else:
                fields[f.name] = forms.CharField(label=f.label, required=False, max_length=100)
        form_cls = type(f"{cls.__name__}Form", (forms.Form,), fields)
        form = form_cls(data or None)
        for field in form.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
        return form

    @classmethod
    def schema(cls):
        types = {"text": str, "choice": str, "bool": bool, "int": int}
        fields = {f.name: (types[f.kind] | None, None) for f in cls.filters}
        return create_model(f"{cls.__name__}Query", **fields)

    @classmethod
    def apply(cls, qs, cleaned: dict[str, Any]):
        for f in cls.filters:
            value = cleaned.get(f.name)
            if value in (None, ""):
                continue
            lookups = f.lookups or (f.name,)
            if f.kind == "text" and len(lookups) > 1:
                q = Q()
                for lk in lookups:
                    q |= Q(**{lk: value.strip()})
                qs = qs.filter(q)
            else:
                qs = qs.filter(**{lookups[0]: value.strip() if isinstance(value, str) else value})
        return qs

    @classmethod
    def filter_request(cls, qs, data, *, choices=None):
        """For views: validate the GET parameters and apply them; invalid values are ignored."""
        form = cls.form(data, choices=choices)
        cleaned = form.cleaned_data if form.is_valid() else {}
        return cls.apply(qs, cleaned), form
