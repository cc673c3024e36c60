"""Scoping by construction (architecture.md, house style 3).

Every region- or agency-owned model declares a :class:`ScopeRule` and uses :class:`ScopedQuerySet`
as its manager. ``Model.objects.for_user(user, action)`` is the one way to ask "which rows may this
user see / change"; single objects come only from :func:`get_for_user`, which answers the same 404
for "missing" and "not yours"; services call :func:`assert_in_scope` after saving, inside their
transaction, so a write that would move a record out of the actor's reach is rolled back.

The region tree (issue #12): a user sees their own region; a supervising role
(``roles.SUPERVISING_ROLES``, the performance division) of a province or a city also *views* every
region below it (:func:`region_ids`, the ``Region.path`` prefix) — never changes it: create, change,
delete and every declared action stay in the user's own region. A county has nothing below it.

Actions as data (issue #8): beyond the CRUD four a model declares the actions it supports —
``actions=[action("submit", "提交审核", roles=[...], states=[...]), ...]`` in its ``scope_rule`` —
each with who may do it, in which states of the object, and any further condition. That one
declaration is read by :func:`can` (the role may do it at all: menus, the API's ``auth=``, 403),
:func:`permits` (this user, this object, now: buttons in templates via ``actions_for``),
:func:`check` (the guard at the top of a service) and ``for_user(user, "<action>")`` (the rows the
user may do it to). ``user.role`` is compared nowhere else.

:data:`jixiao.core.actors.SYSTEM` (the command line, demo, jobs) passes every role and scope test;
the state test of a declared action still applies to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from jixiao.core.actors import SYSTEM
from jixiao.core.roles import (
    AGENCY_ROLES,
    ASSIGNED_ROLES,
    REGION_ROLES,
    SUBTREE_ROLES,
    SUPERVISING_ROLES,
    Role,
)

ACTIONS = ("view", "create", "change", "delete")


@dataclass(frozen=True)
class Action:
    """One declared action of a model beyond the CRUD four.

    name: the code name (``"submit"``), used by views, templates, the API and services.
    label: what a user reads (``"提交审核"``), also in refusals.
    roles: the roles that may do it at all (403 for the others).
    states: the values of the rule's ``state_field`` the object must be in (``None`` = any state);
        applied by ``permits``/``check`` and, as a filter, by ``for_user(user, name)``.
    scope: which row scope the object must be in for the user (``"change"`` or ``"view"``).
    test: a further condition ``test(user, obj) -> bool`` (e.g. "the sheet includes an expert
        panel and none is drawn yet", "the user holds the current review step"); checked by
        ``permits``/``check`` on the object, not by ``for_user``. For SYSTEM it is checked with
        the SYSTEM actor too, so it must accept it.
    denied: the refusal when the role may not (default: "您的角色无权<label>。").
    state_message: the refusal when the object's state does not allow it (``{state}`` is replaced by
        the state's label).
    test_message: the refusal when ``test`` fails (``{state}`` as in ``state_message``).
    state_code, test_code: the error codes of those refusals (clients read them; default
        ``<model>.<action>.state`` / ``.condition``).
    test_refusal: what a failed ``test`` raises, ``test_refusal(test_message)`` (default a
        ``TransitionError``): e.g. ``PermissionDenied`` when the test is about who the object is
        (an administrator's account), not about its state.
    state_refusals: for a state that needs its own words, ``{state: (message, code)}`` in place of
        ``state_message``/``state_code`` (an assessment "已出结论" is refused differently from one
        "待抽取专家").
    """

    name: str
    label: str
    roles: frozenset[str]
    states: frozenset[str] | None = None
    scope: str = "change"
    test: Callable | None = None
    denied: str = ""
    state_message: str = ""
    test_message: str = ""
    state_code: str = ""
    test_code: str = ""
    test_refusal: Callable | None = None
    state_refusals: tuple[tuple[str, str, str], ...] = ()

    def role_allows(self, role: str) -> bool:
        return role in self.roles

    def state_allows(self, obj, state_field: str) -> bool:
        return self.states is None or getattr(obj, state_field) in self.states


def action(name: str, label: str, *, roles, states=None, scope: str = "change", test=None, denied: str = "",
           state_message: str = "", test_message: str = "", state_code: str = "", test_code: str = "",
           test_refusal: Callable | None = None, state_refusals: dict | None = None) -> Action:
    if name in ACTIONS:
        raise ValueError(f"{name!r} is one of the CRUD actions; declare it with view=/create=/change=/delete=")
    if scope not in ACTIONS:
        raise ValueError(f"unknown scope action {scope!r}")
    return Action(name=name, label=label, roles=_roles(roles), states=None if states is None else
                  frozenset(str(s) for s in states), scope=scope, test=test, denied=denied,
                  state_message=state_message, test_message=test_message,
                  state_code=state_code, test_code=test_code, test_refusal=test_refusal,
                  state_refusals=tuple((str(k), m, c) for k, (m, c) in (state_refusals or {}).items()))


def _roles(value) -> frozenset[str]:
    return roles(*value) if isinstance(value, (list, tuple, set, frozenset)) else roles(value)


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
    actions: the declared actions beyond CRUD, by name (see :class:`Action`).
    state_field: the field the declared actions' ``states`` refer to.
    """

    region: str | None = "region"
    agency: str | None = "agency"
    assigned: str | None = None
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    state_field: str = "status"

    def allows(self, role: str, action: str) -> bool:
        if action in ACTIONS:
            return role in self.roles.get(action, frozenset())
        return self.declared(action).role_allows(role)

    def declared(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise ValueError(f"unknown action {name!r} (declared: {', '.join(self.actions) or 'none'})") from None

    def row_action(self, action: str) -> str:
        """The CRUD action whose row scope a (declared or CRUD) action uses."""
        return action if action in ACTIONS else self.declared(action).scope


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
        """The rows ``user`` may ``action`` (a CRUD action or a declared one: then its role test, its
        ``states`` as a filter and the row scope of its ``scope`` action)."""
        rule: ScopeRule = self.model.scope
        if action not in ACTIONS:
            declared = rule.declared(action)
            qs = self
            if declared.states is not None:
                qs = qs.filter(**{f"{rule.state_field}__in": declared.states})
            if user is not SYSTEM and not declared.role_allows(getattr(user, "role", "") or ""):
                return self.none()
            return qs._rows_for(user, declared.scope, rule)
        return self._rows_for(user, action, rule)

    def joined_in_scope(self, user, *relations: str, action: str = "view") -> ScopedQuerySet:
        """Restrict the rows of the joined ``relations`` (region-owned foreign keys the list selects
        or orders by, e.g. a sheet's ``agency`` and ``project``) to the regions of the user's scope
        too. The related row is always in the same region as the row, so the result is the same; but
        the database now reads the joined table through its region index instead of joining the whole
        province (PostgreSQL hash-joined every project and agency of the province to a county's 600
        sheets, issue #12). A nullable relation keeps its empty rows (``isnull``) and is then probed
        by primary key per row of the county."""
        if user is SYSTEM or not getattr(user, "region_id", None):
            return self
        rule: ScopeRule = self.model.scope
        role = getattr(user, "role", "")
        regions = region_ids(user) if rule.row_action(action) == "view" and role in SUPERVISING_ROLES \
            else (user.region_id,)
        qs = self
        for name in relations:
            field = self.model._meta.get_field(name)
            restrict = models.Q(**{f"{name}__region_id__in": regions})
            qs = qs.filter(restrict | models.Q(**{f"{name}__isnull": True}) if field.null else restrict)
        return qs

    def _rows_for(self, user, action: str, rule: ScopeRule) -> ScopedQuerySet:
        if user is SYSTEM:
            return self
        if user is None:
            raise TypeError("for_user(None): pass the user, or jixiao.core.actors.SYSTEM for the command line")
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        role = getattr(user, "role", "")
        if not role or not rule.allows(role, action):
            return self.none()
        qs = self
        if rule.region is not None:
            if not user.region_id:
                return self.none()
            key = f"{rule.region}_id" if rule.region != "pk" else "pk"
            regions = region_ids(user) if action == "view" and role in SUPERVISING_ROLES else (user.region_id,)
            if len(regions) == 1:
                qs = qs.filter(**{key: regions[0]})
            else:
                qs = qs.filter(**{f"{key}__in": regions})
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


def region_ids(user) -> tuple[int, ...]:
    """The user's region and every region below it in the region tree (``Region.path`` prefix), own
    region first: one small query, kept on the user object for the rest of the request. A county's
    answer is its own id alone, so a county user's lists filter on ``region_id = …`` exactly as
    before. (Region is reached through ``user.region``: core imports no domain app.)"""
    cached = getattr(user, "_jixiao_region_ids", None)
    if cached is not None:
        return cached
    path = user.region.path
    ids = []
    if path:  # a region without its path (never written by the services) sees itself only
        ids = [pk for pk in type(user.region).objects.filter(path__startswith=path).order_by("path")
               .values_list("pk", flat=True) if pk != user.region_id]
    user._jixiao_region_ids = cached = (user.region_id, *ids)
    return cached


def scope_rule(*, region="region", agency="agency", assigned=None, actions: Iterable[Action] = (),
               state_field: str = "status", **crud) -> ScopeRule:
    unknown = set(crud) - set(ACTIONS)
    if unknown:
        raise ValueError(f"unknown CRUD action(s) {sorted(unknown)}; declare others with actions=[action(...)]")
    declared = {a.name: a for a in actions}
    return ScopeRule(
        region=region,
        agency=agency,
        assigned=assigned,
        roles={name: _roles(value) for name, value in crud.items()},
        actions=declared,
        state_field=state_field,
    )


def get_for_user(queryset_or_model, user, action: str = "view", **lookup):
    """The single-object fetch: the same 404 whether the row is missing or out of the user's scope."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs.objects.all()
    qs = qs.for_user(user, action)
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("记录不存在或您无权访问。")


def in_scope(obj, user, action: str) -> bool:
    """The object is within the user's row scope for ``action`` (a declared action: its ``scope``)."""
    if user is SYSTEM:
        return True
    model = type(obj)
    return model.objects.all()._rows_for(user, model.scope.row_action(action), model.scope).filter(
        pk=obj.pk).exists()


def assert_in_scope(obj, user, action: str = "change") -> None:
    """Re-check after a save, inside the service's transaction: raising rolls the write back."""
    if not in_scope(obj, user, action):
        raise PermissionDenied("该操作超出了您的数据权限范围。")


def can(user, model, action: str) -> bool:
    """Whether the user's role may do ``action`` (CRUD or declared) on ``model`` at all (before row
    scope and state): what menus, list buttons, the API's ``auth=`` and ``viewkit.require`` ask."""
    if user is SYSTEM:
        model.scope.row_action(action)  # an unknown action is a programming error, also for SYSTEM
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return model.scope.allows(getattr(user, "role", ""), action)


def refusal(user, obj, action: str) -> Exception | None:
    """Why ``user`` may not do the declared ``action`` to ``obj`` now, as the exception a service
    raises (``PermissionDenied`` for role and scope, ``TransitionError`` for state), or ``None``."""
    from jixiao.core.errors import TransitionError

    rule: ScopeRule = type(obj).scope
    declared = rule.declared(action)
    if user is not SYSTEM:
        if user is None:
            raise TypeError(f"check({action!r}) without an actor: pass the user, or SYSTEM")
        if not declared.role_allows(getattr(user, "role", "") or ""):
            return PermissionDenied(declared.denied or f"您的角色无权{declared.label}。")
        if not in_scope(obj, user, declared.scope):
            return PermissionDenied("该操作超出了您的数据权限范围。")
    if not declared.state_allows(obj, rule.state_field):
        current = str(getattr(obj, rule.state_field))
        for value, message, code in declared.state_refusals:
            if value == current:
                return TransitionError(message, code=code or f"{obj._meta.model_name}.{action}.state")
        state = getattr(obj, f"get_{rule.state_field}_display", lambda: getattr(obj, rule.state_field))()
        message = declared.state_message.format(state=state) if declared.state_message else \
            f"当前状态为“{state}”，不能{declared.label}。"
        return TransitionError(message, code=declared.state_code or f"{obj._meta.model_name}.{action}.state")
    if declared.test is not None and not declared.test(user, obj):
        message = declared.test_message or f"当前不能{declared.label}。"
        if "{state}" in message:  # only a model with a state field names it
            message = message.format(state=getattr(obj, f"get_{rule.state_field}_display")())
        if declared.test_refusal is not None:
            return declared.test_refusal(message)
        return TransitionError(message, code=declared.test_code or f"{obj._meta.model_name}.{action}.condition")
    return None


def permits(user, obj, action: str) -> bool:
    """This user may do the declared ``action`` to this object now (role, row scope, state, test):
    what decides whether a button shows."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return refusal(user, obj, action) is None


def check(user, obj, action: str) -> None:
    """The guard at the top of a service: raise the refusal of :func:`refusal`, if any."""
    exc = refusal(user, obj, action)
    if exc is not None:
        raise exc


def actions_for(user, obj) -> dict[str, bool]:
    """Every declared action of the object's model → whether ``user`` may do it now; views put it
    in the context (``acts``) and templates show a button when ``acts.<name>`` is true."""
    return {name: permits(user, obj, name) for name in type(obj).scope.actions}


def declared_actions(model) -> dict[str, Action]:
    return dict(model.scope.actions)


__all__ = [
    "Action",
    "region_ids",
    "action",
    "check",
    "permits",
    "refusal",
    "actions_for",
    "declared_actions",
    "ScopeRule",
    "ScopedQuerySet",
    "scope_rule",
    "get_for_user",
    "assert_in_scope",
    "in_scope",
    "can",
    "Role",
]
