"""Facts that later apps add to the agency page (the agency's whole budget: its execution data, later
its monitoring and evaluation), as a registry those apps fill in their ``AppConfig.ready`` — org
cannot import them. A provider is ``fn(agency, user) -> list[dict]``, each ``{"label", "value", "url"}``
(``url`` may be empty), reading only what ``user`` may see (as ``projects.panels``)."""

from __future__ import annotations

from jixiao.core.registry import Registry

providers = Registry("org.panels.agency_facts")
register_agency_facts = providers.register


def agency_facts(agency, user) -> list[dict]:
    out: list[dict] = []
    for fn in providers:
        out.extend(fn(agency, user) or [])
    return out
