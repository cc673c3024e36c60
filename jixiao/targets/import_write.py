"""Writing a target import (F5 import, the second half): the resolved plans of
``targets.imports.import_sheets`` into rows — new sheets set-based through ``core.bulk`` (sheets,
indicators, findings, tasks, project-timeline entries) and ``core.review.start_reviews`` (their
draft reviews), in the row layout of ``targets.layout`` that ``services.create_sheet`` and the demo
use too; editable sheets that differ replaced one by one, as the edit services do.

Audit (the choice, documented in ``targets.imports``): created sheets are logged one by one (sheet
and review) when a file creates at most ``PER_SHEET_LOG_LIMIT`` of them, else the file's summary
entry on the region stands for them; each updated sheet gets its before/after entry."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from operator import itemgetter

from jixiao.core import audit, bulk
from jixiao.core import config as region_config
from jixiao.core import review as review_machinery
from jixiao.core.actors import person, require_actor
from jixiao.core.roles import Role
from jixiao.core.scoping import assert_in_scope
from jixiao.projects import gates
from jixiao.projects import rules as project_rules
from jixiao.targets import layout, rules, services
from jixiao.targets.choices import SheetStatus, TargetEventKind, TargetKind
from jixiao.targets.import_read import ParsedSheet
from jixiao.targets.models import TargetFinding, TargetIndicator, TargetSheet, TargetTask

PER_SHEET_LOG_LIMIT = 50

#: What ``rules.check`` reads of a row (the attributes of ``rules.Row``), as a plain named tuple:
#: a frozen dataclass costs a few microseconds per instance, a million times at province scale.
_CheckRow = namedtuple("_CheckRow", [f.name for f in dataclass_fields(rules.Row)])


def _check_rows(indicators: list[dict]) -> tuple:
    return tuple(_CheckRow(pos, i["level1"], i["level2"], i["name"], i["operator"], i["value"], i["unit"],
                           i["weight"]) for pos, i in enumerate(indicators, start=1))


@dataclass
class Plan:
    parsed: ParsedSheet
    existing: TargetSheet | None = None
    project: dict | None = None
    agency: dict | None = None


def ranges(ids: list[int]) -> list:
    """Sheet ids as [first, last] runs (a bulk insert gives consecutive ids): short in the log."""
    out: list = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


class Trees:
    """The taxonomy trees an import uses, read once per import (``services.taxonomy_tree``)."""

    def __init__(self):
        self._lists: dict = {}
        self._sets: dict = {}

    def listed(self, version: str) -> dict:
        if version not in self._lists:
            self._lists[version] = services.taxonomy_tree(version)
        return self._lists[version]

    def sets(self, version: str) -> dict:
        if version not in self._sets:
            self._sets[version] = {k: set(v) for k, v in self.listed(version).items()}
        return self._sets[version]


def region_taxonomy(region_id, year) -> str:
    return region_config.get(region_id, year, "taxonomy")["version"]


def previous_goals(region_id: int, year: int) -> dict:
    """Last year's approved annual goal per object, for the "goal copied" check (one query)."""
    out: dict = {}
    for project_id, agency_id, kind, goal in (
            TargetSheet.objects.filter(region_id=region_id, year=year - 1,
                                       status__in=[SheetStatus.APPROVED, SheetStatus.SUPERSEDED])
            .order_by("number").values_list("project_id", "agency_id", "kind", "annual_goal")):
        out[("agency", agency_id) if kind == TargetKind.AGENCY else ("project", project_id)] = goal
    return out


def _check(pl: Plan, indicators: list[dict], annual_goal: str, taxonomy: str, trees: Trees, settings: dict,
           previous_goals: dict, actuals_by_project: dict) -> list[rules.Finding]:
    key = ("agency", pl.agency["id"]) if pl.parsed.kind == "agency" else ("project", pl.project["id"])
    actuals = actuals_by_project.get(pl.project["id"], {}) if pl.parsed.kind != "agency" else {}
    inp = rules.CheckInput(rows=_check_rows(indicators), annual_goal=annual_goal, taxonomy=trees.listed(taxonomy),
                           previous_goal=previous_goals.get(key, ""), last_actuals=actuals, **settings)
    return rules.check(inp)


#: The sheet columns that differ between the sheets of one file; the rest of ``layout.sheet_row``
#: is the same for every sheet of the file and goes in as constants.
SHEET_VARYING = ("id", "agency_id", "project_id", "kind", "title", "annual_goal", "medium_goal", "medium_amount",
                 "medium_fiscal", "medium_other", "amount", "fiscal_amount", "other_amount", "error_count",
                 "warning_count")
_sheet_varying = itemgetter(*SHEET_VARYING)


class _Subject(namedtuple("_Subject", "pk region_id agency_id")):
    """A sheet just inserted set-based, as ``start_reviews`` reads it."""


def create(actor, region_id: int, year: int, plans: list[Plan], trees: Trees, settings: dict,
           previous_goals: dict, actuals: dict, now) -> list[int]:
    """The new sheets, set-based: checked in memory, then sheets, reviews, indicators, findings,
    tasks and timeline entries inserted in chunks (a handful of statements per 5,000 rows)."""
    if not plans:
        return []
    taxonomy = region_taxonomy(region_id, year)
    require_actor(actor, "targets.import_write.create")
    created_by = getattr(person(actor), "pk", None)
    zero = layout.ZERO
    ids = bulk.reserve_ids(TargetSheet, len(plans))
    # the amount a sheet without one defaults to is capped by the supported amount (one ask for all)
    ceilings = gates.ceilings([pl.project["id"] for pl in plans if pl.project])
    sheet_rows, indicator_rows, finding_rows, task_rows, subjects, titles = [], [], [], [], [], []
    constants = None
    for sheet_id, pl in zip(ids, plans, strict=True):
        p = pl.parsed
        header = p.header
        if p.kind == "agency":
            kind = TargetKind.AGENCY
            title = layout.sheet_title(kind, year, agency_name=pl.agency["name"])
            amounts = {}
            if p.tasks is not None:
                amounts = {"amount": sum((t["amount"] for t in p.tasks), zero),
                           "fiscal_amount": sum((t["fiscal_amount"] for t in p.tasks), zero),
                           "other_amount": sum((t["other_amount"] for t in p.tasks), zero)}
        else:
            kind = TargetKind.POLICY if pl.project["kind"] == "policy" else TargetKind.PROJECT
            title = layout.sheet_title(kind, year, project_name=pl.project["name"])
            amounts = {f: header[f] for f in services.MONEY_FIELDS if f in header}
            if "amount" not in header:
                cap = ceilings.get(pl.project["id"])
                default = project_rules.default_budget(
                    budget_amount=pl.project["budget_amount"] or zero,
                    requested_amount=pl.project["requested_amount"] or zero, ceiling=cap[0] if cap else None)
                amounts.update(amount=default, fiscal_amount=default, other_amount=zero)
        goal = header.get("annual_goal", "")
        findings = _check(pl, p.indicators, goal, taxonomy, trees, settings, previous_goals, actuals)
        errors = sum(1 for f in findings if f.severity == "error")
        row = layout.sheet_row(
            id=sheet_id, region_id=region_id, agency_id=pl.agency["id"],
            project_id=pl.project["id"] if pl.project else None, kind=kind, year=year, taxonomy=taxonomy,
            title=title, annual_goal=goal, medium_goal=header.get("medium_goal", ""), created_by_id=created_by,
            error_count=errors, warning_count=len(findings) - errors, **amounts)
        if constants is None:
            constants = {k: v for k, v in row.items() if k not in SHEET_VARYING}
        sheet_rows.append(_sheet_varying(row))
        subjects.append(_Subject(sheet_id, region_id, pl.agency["id"]))
        titles.append(row["title"])
        indicator_rows.extend(layout.indicator_tuples(region_id, sheet_id, p.indicators))
        finding_rows.extend(layout.finding_tuples(region_id, sheet_id, findings))
        if p.tasks:
            task_rows.extend(layout.task_tuples(region_id, sheet_id, p.tasks))
    bulk.insert(TargetSheet, SHEET_VARYING, sheet_rows, constants, with_id=True, now=now)
    sheet_rows = None
    log_each = len(plans) <= PER_SHEET_LOG_LIMIT
    if log_each:
        for sheet in TargetSheet.objects.filter(pk__in=ids).order_by("pk"):
            audit.log_create(actor=actor, obj=sheet)
    review_machinery.start_reviews(actor=actor, objs=subjects, model=TargetSheet, chain=services.CHAIN, year=year,
                                   titles=titles, submit_roles=[Role.AGENCY_PREPARER], log_each=log_each)
    bulk.insert(TargetIndicator, layout.INDICATOR_COLUMNS, indicator_rows)
    bulk.insert(TargetFinding, layout.FINDING_COLUMNS, finding_rows)
    bulk.insert(TargetTask, layout.TASK_COLUMNS, task_rows)
    _timeline(actor, region_id, [(pl, sheet_id) for pl, sheet_id in zip(plans, ids, strict=True) if pl.project], now)
    return ids


def _timeline(actor, region_id: int, pairs: list, now) -> None:
    """The project timeline entry ``create_sheet`` writes, for each imported project sheet."""
    from django.urls import reverse

    from jixiao.projects import services as project_services

    url = reverse("targets:sheet_detail", args=[987654321])
    project_services.record_events(actor=actor, region_id=region_id, entries=[
        {"project_id": pl.project["id"], "kind": TargetEventKind.TARGETS, "title": "编报绩效目标（Excel 导入）",
         "data": {"url": url.replace("987654321", str(sheet_id)), "sheet": sheet_id, "number": 1}, "created_at": now}
        for pl, sheet_id in pairs])


def update(actor, pl: Plan, trees: Trees, settings: dict, previous_goals: dict, actuals: dict) -> None:
    """Replace an editable sheet's header fields (those the file carries) and indicators (and an
    agency sheet's tasks), bump its version, log before/after, and rerun the check."""
    from jixiao.core.concurrency import bump

    require_actor(actor, "targets.import_write.update")
    p = pl.parsed
    sheet = TargetSheet.objects.select_for_update().get(pk=pl.existing.pk)
    before = audit.snapshot(sheet)  # with every field of every indicator and task (audit_parent)
    for k, v in p.header.items():
        setattr(sheet, k, v)
    if p.tasks is not None:
        TargetTask.objects.filter(sheet=sheet).delete()
        TargetTask.objects.bulk_create([TargetTask(region_id=sheet.region_id, sheet=sheet, position=n, **t)
                                        for n, t in enumerate(p.tasks, start=1)])
        sheet.amount = sum((t["amount"] for t in p.tasks), Decimal("0"))
        sheet.fiscal_amount = sum((t["fiscal_amount"] for t in p.tasks), Decimal("0"))
        sheet.other_amount = sum((t["other_amount"] for t in p.tasks), Decimal("0"))
    TargetIndicator.objects.filter(sheet=sheet).delete()
    bulk.insert(TargetIndicator, layout.INDICATOR_COLUMNS, layout.indicator_tuples(sheet.region_id, sheet.pk,
                                                                                    p.indicators))
    findings = _check(pl, p.indicators, sheet.annual_goal, sheet.taxonomy, trees, settings, previous_goals, actuals)
    bump(sheet)
    sheet.save()
    services.store_findings(sheet, findings)
    audit.log_update(actor=actor, obj=sheet, before=before)
    assert_in_scope(sheet, actor, "change")  # SYSTEM (the command line) has every region
