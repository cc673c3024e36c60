"""Scoping by construction (architecture.md, house style 3).

Every region- or agency-owned model declares a :class:`ScopeRule` and uses :class:`ScopedQuerySet`
as its manager. ``Model.objects.for_user(user, action)`` is the one way to ask "which rows may this
user see / change"; single objects come only from :func:`get_for_user`, which answers the same 404
for "missing" and "not yours"; services call :func:`assert_in_scope` after saving, inside their
transaction, so a write that would move a record out of the actor's reach is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from jixiao.core.roles import AGENCY_ROLES, ASSIGNED_ROLES, REGION_ROLES, SUBTREE_ROLES, Role

ACTIONS = ("view", "create", "change", "delete")


@dataclass(frozen=True)
class ScopeRule:
    """How a model is owned and who may do what with it.

    region: lookup path from the model to its region id (e.g. ``"region"`` or ``"agency__region"``).
    agency: lookup path to the owning Agency, ``"self"`` for the Agency model, ``None`` when the
        model is not owned by an agency (agency-level users then see none of it), or ``"*"`` for
        region-wide reference rows every user of the region may see (e.g. the Region itself).
    assigned: lookup path to a user for rows assigned to experts/firms; ``None`` = they see none;
        ``"*"`` = they see the region's rows like everyone else.
    roles: action → roles allowed that action at all; scope narrows it further.
    """

    region: str | None = "region"
    agency: str | None = "agency"
    assigned: str | None = None
    roles: dict[str, frozenset[str]] = field(default_factory=dict)

    def allows(self, role: str, action: str) -> bool:
        return role in self.roles.get(action, frozenset())


def roles(*items: Iterable[str] | str) -> frozenset[str]:
    out: set[str] = set()
    for item in items:
        if isinstance(item, str):
            out.add(item)
        else:
            out.update(item)
    return frozenset(out)


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view") -> ScopedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        rule: ScopeRule = self.model.scope
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        role = getattr(user, "role", "")
        if not role or not rule.allows(role, action):
            return self.none()
        qs = self
        if rule.region is not None:
            if not user.region_id:
                return self.none()
            qs = qs.filter(**{f"{rule.region}_id" if rule.region != "pk" else "pk": user.region_id})
        if role in REGION_ROLES:
            return qs
        if role in AGENCY_ROLES or role in SUBTREE_ROLES:
            if rule.agency == "*":
                return qs
            if rule.agency is None or not user.agency_id:
                return self.none()
            if role in AGENCY_ROLES:
                key = "pk" if rule.agency == "self" else f"{rule.agency}_id"
                return qs.filter(**{key: user.agency_id})
            prefix = "" if rule.agency == "self" else f"{rule.agency}__"
            return qs.filter(**{f"{prefix}path__startswith": user.agency.path})
        if role in ASSIGNED_ROLES:
            if rule.assigned == "*":
                return qs
            if rule.assigned is None:
                return self.none()
            return qs.filter(**{rule.assigned: user}).distinct()
        return self.none()


def scope_rule(*, region="region", agency="agency", assigned=None, **actions) -> ScopeRule:
    return ScopeRule(
        region=region,
        agency=agency,
        assigned=assigned,
        roles={action: roles(*value) if isinstance(value, (list, tuple, set, frozenset)) else roles(value)
               for action, value in actions.items()},
    )


def get_for_user(queryset_or_model, user, action: str = "view", **lookup):
    """The single-object fetch: the same 404 whether the row is missing or out of the user's scope."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs.objects.all()
    try:
        return qs.for_user(user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在或您无权访问。")


def in_scope(obj, user, action: str) -> bool:
    return type(obj).objects.for_user(user, action).filter(pk=obj.pk).exists()


def assert_in_scope(obj, user, action: str = "change") -> None:
    """Re-check after a save, inside the service's transaction: raising rolls the write back."""
    if not in_scope(obj, user, action):
        raise PermissionDenied("该操作超出了您的数据权限范围。")


def can(user, model, action: str) -> bool:
    """Whether the user's role may do ``action`` on ``model`` at all (before row scope)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return model.scope.allows(getattr(user, "role", ""), action)


__all__ = [
    "ScopeRule",
    "ScopedQuerySet",
    "scope_rule",
    "get_for_user",
    "assert_in_scope",
    "in_scope",
    "can",
    "Role",
]
