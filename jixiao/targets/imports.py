"""Excel import of target sheets (F5): the official layouts (项目支出绩效目标申报表 / 部门整体支出绩效目标表,
one object per worksheet, as ``exports.official_workbook`` writes them) and the flat list (one row per
indicator, as ``exports.flat_workbook`` and the import template write it), in any mix of worksheets.

All or nothing: every worksheet is read and every bad cell collected (sheet, row, column, in
Chinese) before anything is written; on any error ``ImportFailed`` carries the whole report and the
database is untouched.

Keys: a project's sheet by project code + year + version number (版本号, default 1), an agency's
whole-budget sheet by agency code + year + version. Re-importing the same file changes nothing. A
sheet that exists and is editable (draft/returned) with different content gets its header (the
fields the layout carries) and indicators replaced; a sheet in review or approved whose content
differs is refused.

Three modules: ``import_read`` reads the workbook into plain parsed sheets (no database);
this one, the service :func:`import_sheets`, resolves them against the database (scope, keys,
taxonomy, what is stored) and decides what to create, update or leave; ``import_write`` writes.
Province scale is set-based: the lookups (projects, agencies, existing sheets and their indicators,
last year's goals) are read once per file, the quality check runs in memory per sheet, and the new
rows go in through ``core.bulk`` and ``core.review.start_reviews`` — never a query per row. See
docs/performance.md for the measured figures.

Audit (the choice, documented): every import writes one security event (``import``) and one
change-log entry on the region summarising the file (file name, sha256, counts, the created
sheets' ids). Each *updated* sheet gets its own change-log entry with the before/after of header and
indicators, like the edit services. Created sheets are additionally logged one by one (sheet and
review, as ``create_sheet`` does) when a file creates at most ``import_write.PER_SHEET_LOG_LIMIT`` of them; above
that the region entry stands for them — the change log is one serialised hash chain, and a
province file of 100,000 sheets typed by nobody one by one is honestly "one import"."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jixiao.core import audit, bulk
from jixiao.core.actors import is_system, require_actor
from jixiao.core.choices import ChangeAction, SecurityEventCode
from jixiao.core.excel import ImportFailed, ImportReport
from jixiao.core.roles import sees_own_agency_only
from jixiao.core.scoping import can
from jixiao.core.services import service
from jixiao.core.viewkit import require
from jixiao.org.models import Agency
from jixiao.projects.models import Project
from jixiao.targets import import_write as writing
from jixiao.targets import rules, services
from jixiao.targets.choices import TargetKind
from jixiao.targets.import_read import (  # noqa: F401  (re-exported: exports, views and tests read them here)
    AGENCY_TITLE,
    FLAT_HEADERS,
    LEVEL1_LABELS,
    LEVEL2_LABELS,
    PROJECT_TITLE,
    canonical_value,
    display_value,
    read_workbook,
)
from jixiao.targets.models import TargetIndicator, TargetSheet, TargetTask

MAX_INDICATORS = 200

# --- resolving against the database -------------------------------------------------------------


def _sheet_content(header: dict, indicators: Iterable[dict], carried: frozenset, tasks) -> tuple:
    """What the file says about a sheet, in a form that compares with the stored sheet."""
    rows = tuple(
        tuple((f, canonical_value(i["operator"], i["value"], i["unit"]) if f == "value" else i.get(f))
              for f in sorted(carried - {"operator", "unit", "number"}))
        for i in indicators)
    task_rows = None if tasks is None else tuple(
        (t["name"], t["content"], t["amount"], t["fiscal_amount"], t["other_amount"]) for t in tasks)
    return tuple(sorted(header.items())), rows, task_rows



@service
def import_sheets(*, actor, region, year: int, data, name: str = "文件", ip: str = "") -> dict:
    """Create or update the target sheets a workbook states (both layouts, any mix of worksheets),
    for ``region`` and ``year``. A preparer imports only their own agency's sheets; the performance
    section the whole region; :data:`~jixiao.core.actors.SYSTEM` is the command line (every region). Returns a
    summary: counts created / updated / unchanged, indicator rows written, worksheets skipped."""
    region_id = getattr(region, "pk", region)
    require_actor(actor, "targets.import_sheets")
    require(actor, TargetSheet, "create")
    if not is_system(actor) and actor.region_id != region_id:
        raise PermissionDenied("只能导入本区划的绩效目标。")
    report = ImportReport()
    raw = data if isinstance(data, (bytes, bytearray)) else data.read()
    sha256 = hashlib.sha256(raw).hexdigest()
    parsed, skipped = read_workbook(raw, year=year, report=report, name=name)
    if report.ok and not parsed:
        report.add(name, None, None, f"文件中没有可识别的绩效目标表（工作表标题应含“{PROJECT_TITLE}”或“{AGENCY_TITLE}”，"
                                     "或有含“项目编码/单位编码、三级指标、指标值”的表头行）")

    # lookups, once per file
    if not sees_own_agency_only(actor):
        agency_rows = Agency.objects.filter(region_id=region_id)
    else:
        agency_rows = Agency.objects.for_user(actor, "view").filter(region_id=region_id)
    agencies = {code: {"id": pk, "code": code, "name": nm} for pk, code, nm in
                agency_rows.values_list("pk", "code", "name")}
    agency_ids = {a["id"] for a in agencies.values()}
    project_codes = {p.code for p in parsed.values() if p.kind == "project"}
    projects = {}
    if project_codes:
        fields = ("pk", "code", "name", "agency_id", "kind", "stage", "budget_amount", "requested_amount",
                  "agency__code")
        qs = Project.objects.filter(region_id=region_id)
        if len(project_codes) < 500:
            qs = qs.filter(code__in=project_codes)
        for row in qs.values_list(*fields):
            d = dict(zip(("id", "code", "name", "agency_id", "kind", "stage", "budget_amount", "requested_amount",
                          "agency_code"), row, strict=True))
            if d["agency_id"] in agency_ids:
                projects[d["code"]] = d
    existing_by_key: dict = {}
    for sheet in (TargetSheet.objects.filter(region_id=region_id, year=year) if parsed else []):
        k = (("agency", sheet.agency_id) if sheet.kind == TargetKind.AGENCY else ("project", sheet.project_id),
             sheet.number)
        existing_by_key[k] = sheet
    agency_by_id = {a["id"]: a for a in agencies.values()}

    region_taxonomy = writing.region_taxonomy(region_id, year) if parsed else ""
    trees = writing.Trees()
    plans: list[writing.Plan] = []
    for key, p in parsed.items():
        kind, code, _, number = key
        label = "项目编码" if kind == "project" else "单位编码"
        if kind == "project":
            project = projects.get(code)
            if project is None:
                report.add(p.worksheet, p.row, p.key_column, f"项目编码 {code} 不存在或不在您的权限范围内", label)
                continue
            if p.agency_code and p.agency_code != project["agency_code"]:
                report.add(p.worksheet, p.agency_cell[0], p.agency_cell[1],
                           f"项目 {code} 属于单位 {project['agency_code']}，与填写的单位编码 {p.agency_code} 不符", "单位编码")
                continue
            existing = existing_by_key.get((("project", project["id"]), number))
            plan = writing.Plan(p, existing, project=project, agency=agency_by_id[project["agency_id"]])
        else:
            agency = agencies.get(code)
            if agency is None:
                report.add(p.worksheet, p.row, p.key_column, f"单位编码 {code} 不存在或不在您的权限范围内", label)
                continue
            existing = existing_by_key.get((("agency", agency["id"]), number))
            plan = writing.Plan(p, existing, agency=agency)
        if existing is None and number != 1:
            report.add(p.worksheet, p.row, p.key_column,
                       f"{label} {code} 的第 {number} 版目标表不存在；年中调整请先在系统中对已批复的目标表发起调整", label)
            continue
        if existing is None and kind == "project" and plan.project["stage"] not in services.OPEN_PROJECT_STAGES:
            report.add(p.worksheet, p.row, p.key_column, f"项目 {code} 已结束或终止，不能再编报绩效目标", label)
            continue
        if len(p.indicators) > MAX_INDICATORS:
            report.add(p.worksheet, p.row, p.key_column, f"一张目标表最多 {MAX_INDICATORS} 项指标（现有 {len(p.indicators)} 项）",
                       label)
            continue
        # level 2 under its level 1, in the taxonomy the sheet uses
        plan_taxonomy = existing.taxonomy if existing is not None else region_taxonomy
        tree = trees.sets(plan_taxonomy)
        for i in p.indicators:
            if i["level2"] not in tree.get(i["level1"], ()):
                report.add(p.worksheet, i["_row"], i["_letters"].get("level2"),
                           f"二级指标“{LEVEL2_LABELS[i['level2']]}”不属于一级指标“{LEVEL1_LABELS[i['level1']]}”"
                           f"（本年度指标体系：{_tree_text(tree)}）", "二级指标")
                p.bad = True
        if not p.bad:
            plans.append(plan)
    if not report.ok:
        raise ImportFailed(report)

    # compare with what is stored
    existing_ids = [pl.existing.pk for pl in plans if pl.existing is not None]
    stored_indicators: dict[int, list] = {}
    stored_tasks: dict[int, list] = {}
    for chunk in bulk.chunks(existing_ids, 900):
        for row in (TargetIndicator.objects.filter(sheet_id__in=chunk).order_by("sheet_id", "position")
                    .values("sheet_id", *services.INDICATOR_FIELDS, "number")):
            stored_indicators.setdefault(row["sheet_id"], []).append(row)
        for row in (TargetTask.objects.filter(sheet_id__in=chunk).order_by("sheet_id", "position")
                    .values("sheet_id", "name", "content", "amount", "fiscal_amount", "other_amount")):
            stored_tasks.setdefault(row["sheet_id"], []).append(row)
    to_create: list[writing.Plan] = []
    to_update: list[writing.Plan] = []
    unchanged = 0
    for pl in plans:
        p = pl.parsed
        if pl.existing is None:
            to_create.append(pl)
            continue
        sheet = pl.existing
        stored = stored_indicators.get(sheet.pk, [])
        mine = _sheet_content(p.header, p.indicators, p.carried, p.tasks)
        theirs = _sheet_content({k: getattr(sheet, k) for k in p.header}, stored, p.carried,
                                None if p.tasks is None else stored_tasks.get(sheet.pk, []))
        if mine == theirs:
            unchanged += 1
            continue
        if not sheet.is_editable:
            report.add(p.worksheet, p.row, p.key_column,
                       f"{sheet.title}（第 {sheet.number} 版）{sheet.get_status_display()}：已提交审核/已批复的目标表"
                       "不能通过导入修改，请先退回或调整", "项目编码" if p.kind == "project" else "单位编码")
            continue
        if not can(actor, TargetSheet, "edit"):
            raise PermissionDenied(TargetSheet.scope.declared("edit").denied)
        # fields the layout does not carry keep their stored values (matched by indicator name)
        by_name = {rules.normalise_name(r["name"]): r for r in stored}
        for i in p.indicators:
            old = by_name.get(rules.normalise_name(i["name"]))
            for f in ("scoring_standard", "explanation", "value_basis", "template"):
                if f not in p.carried:
                    i[f] = old[f] if old else ("plan" if f == "value_basis" else ("" if f != "template" else None))
            if "template" not in i:
                i["template"] = old["template"] if old else None
        to_update.append(pl)
    if not report.ok:
        raise ImportFailed(report)

    settings = services.quality_settings(region_id, year)
    previous_goals = writing.previous_goals(region_id, year)
    # last year's actual values of every project in the file, in one call (the providers are set-based)
    actuals = services.last_actuals([pl.project["id"] for pl in (*to_create, *to_update) if pl.project], year - 1)
    now = timezone.now()
    created_ids = writing.create(actor, region_id, year, to_create, trees, settings, previous_goals, actuals, now)
    for pl in to_update:
        writing.update(actor, pl, trees, settings, previous_goals, actuals)
    indicators = sum(len(pl.parsed.indicators) for pl in (*to_create, *to_update))
    summary = {
        "file": name, "sha256": sha256, "year": year, "created": len(to_create), "updated": len(to_update),
        "unchanged": unchanged, "indicators": indicators, "skipped_worksheets": skipped,
    }
    if to_create or to_update:
        from jixiao.org.models import Region

        region_obj = region if isinstance(region, Region) else Region.objects.get(pk=region_id)
        audit.record_change(actor=actor, obj=region_obj, action=ChangeAction.UPDATE, before={},
                            after={"target_import": {**summary, "created_sheet_ids": writing.ranges(created_ids)}})
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, region_id=region_id, ip=ip,
                         detail={"what": "targets", **{k: v for k, v in summary.items() if k != "skipped_worksheets"}})
    return summary



def _tree_text(tree: dict) -> str:
    return "；".join(f"{LEVEL1_LABELS[k]}：{'、'.join(LEVEL2_LABELS[x] for x in sorted(v))}" for k, v in tree.items())

