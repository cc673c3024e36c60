"""Facts that later apps add to the project page (四个同步: the project's target sheet beside its
budget; later its monitoring and evaluations), as a registry those apps fill in their
``AppConfig.ready`` — the project library cannot import them.

A provider is ``fn(project, user) -> list[dict]``, each ``{"label", "value", "url"}`` (``url`` may be
empty), and must read only what ``user`` may see (the app's ``for_user`` querysets)."""

from __future__ import annotations

from collections.abc import Callable

from jixiao.core.registry import Registry

Provider = Callable[[object, object], list]

providers = Registry("projects.panels.facts")
register_facts = providers.register


def facts(project, user) -> list[dict]:
    out: list[dict] = []
    for fn in providers:
        out.extend(fn(project, user) or [])
    return out
