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

#: Sections of their own on the project page (monitoring's finance decisions: history, state, buttons):
#: ``fn(project, user) -> dict | None``, ``{"template", "context", "order"}``; the template is included
#: with ``panel`` = the context. Read within ``user``'s scope, as the facts.
sections = Registry("projects.panels.sections")
register_section = sections.register


def facts(project, user) -> list[dict]:
    out: list[dict] = []
    for fn in providers:
        out.extend(fn(project, user) or [])
    return out


def sections_for(project, user) -> list[dict]:
    out = [s for s in (fn(project, user) for fn in sections) if s]
    return sorted(out, key=lambda s: s.get("order", 100))


def home_figures(user, year: int) -> dict | None:
    """The home page's project card (org.home): the year's projects the user sees — how many, the
    amounts asked and budgeted in 万元, how many in each stage — with links to the filtered library."""
    from django.db.models import Count, Sum
    from django.urls import reverse

    from jixiao.core.money import format_wan
    from jixiao.core.scoping import can
    from jixiao.projects.choices import ProjectStage
    from jixiao.projects.models import Project

    if not can(user, Project, "view"):
        return None
    qs = Project.objects.for_user(user, "view").filter(year=year)
    totals = qs.aggregate(n=Count("pk"), requested=Sum("requested_amount"), budget=Sum("budget_amount"))
    by_stage = dict(qs.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    base = f"{reverse('projects:project_list')}?year={year}"
    figures = [
        {"label": "项目（政策）", "value": totals["n"], "unit": "个", "url": base},
        {"label": "申报金额", "value": format_wan(totals["requested"] or 0), "unit": "万元", "url": ""},
        {"label": "预算金额", "value": format_wan(totals["budget"] or 0), "unit": "万元", "url": ""},
    ]
    figures += [{"label": f"　{stage.label}", "value": by_stage[stage.value], "unit": "个",
                 "url": f"{base}&stage={stage.value}"} for stage in ProjectStage if by_stage.get(stage.value)]
    return {"order": 10, "title": "项目库", "icon": "folder2-open", "figures": figures,
            "links": [{"label": "项目库", "url": base}]}
