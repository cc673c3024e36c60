"""The home page's key figures (issue #10: the leader's home page offers something real), as a registry
the later apps fill in their ``AppConfig.ready`` — org cannot import them.

A provider is ``fn(user, year) -> dict | None``: one card ``{"order", "title", "figures": [{"label",
"value", "unit", "url"}], "links": [{"label", "url"}]}`` built only from what ``user`` may see (the app's
``for_user`` querysets), or None when the user reads none of it. Shown to the roles that read a whole
region or department (:data:`FIGURE_ROLES`); an agency's own users and the administrators keep the
plain home page."""

from __future__ import annotations

from collections.abc import Callable

from jixiao.core.registry import Registry
from jixiao.core.roles import Role, has_role

Provider = Callable[[object, int], dict | None]

providers = Registry("org.home.figures")
register_home_figures = providers.register

#: who gets the figures: the leader (只读), the finance sections, a department's reviewer
FIGURE_ROLES = frozenset({Role.VIEWER, Role.PERFORMANCE_SECTION, Role.SECTION_REVIEWER, Role.DEPARTMENT_REVIEWER})


def cards(user, year: int) -> list[dict]:
    if not has_role(user, FIGURE_ROLES):
        return []
    out = [card for fn in providers if (card := fn(user, year))]
    return sorted(out, key=lambda c: c.get("order", 0))
