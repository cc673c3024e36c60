"""Excel import of target sheets (F5): the official layouts (项目支出绩效目标申报表 / 部门整体支出绩效目标表,
one object per worksheet, as ``exports.official_workbook`` writes them) and the flat list (one row per
indicator, as ``exports.flat_workbook`` and the import template write it), in any mix of worksheets.

All or nothing: every worksheet is read and every bad cell collected (sheet, row, column, in
Chinese) before anything is written; on any error ``ImportFailed`` carries the whole report and the
database is untouched.

Keys: a project's sheet by project code + year + version number (版本号, default 1), an agency's
whole-budget sheet by agency code + year + version. A form that states no code (as bureaus publish
them) is matched by its 项目名称 + 实施单位 (部门（单位）名称) among what the importer may edit
(``rules.match_by_name``; several matches are listed, none is reported); every sheet's stated names
and a project form's 年度资金总额 are checked against the project it resolves to. Re-importing the same file changes nothing. A
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
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jixiao.core import audit, bulk
from jixiao.core.actors import is_system
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

MAX_INDICATORS = rules.MAX_INDICATORS

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
    require(actor, TargetSheet, "create")
    if not is_system(actor) and actor.region_id != region_id:
        raise PermissionDenied("只能导入本区划的绩效目标。")
    report = ImportReport()
    raw = data if isinstance(data, (bytes, bytearray)) else data.read()
    sha256 = hashlib.sha256(raw).hexdigest()
    checks = import_checks(region_id, year)
    parsed, skipped = read_workbook(raw, year=year, report=report, name=name, checks=checks)
    if report.ok and not parsed:
        report.add(name, None, None, "文件中没有可识别的绩效目标表（绩效指标表头应含“一级指标、二级指标、三级指标、指标值”，"
                                     "项目表填“项目名称”“实施单位”或项目编码，部门整体表填“部门（单位）名称”；"
                                     "清单格式的表头行应含“项目编码/单位编码、三级指标、指标值”）")

    # lookups, once per file
    if not sees_own_agency_only(actor):
        agency_rows = Agency.objects.filter(region_id=region_id)
    else:
        agency_rows = Agency.objects.for_user(actor, "view").filter(region_id=region_id)
    agencies = {code: {"id": pk, "code": code, "name": nm} for pk, code, nm in
                agency_rows.values_list("pk", "code", "name")}
    agency_ids = {a["id"] for a in agencies.values()}
    agency_by_id = {a["id"]: a for a in agencies.values()}
    sheets = list(parsed.values())
    project_codes = {p.code for p in sheets if p.kind == "project" and p.code}
    by_name = any(p.kind == "project" and not p.code for p in sheets)
    projects = {}
    if project_codes or by_name:
        fields = ("pk", "code", "name", "agency_id", "kind", "stage", "budget_amount", "requested_amount",
                  "agency__code", "year")
        qs = Project.objects.filter(region_id=region_id)
        if len(project_codes) < 500 and not by_name:
            qs = qs.filter(code__in=project_codes)
        for row in qs.values_list(*fields):
            d = dict(zip(("id", "code", "name", "agency_id", "kind", "stage", "budget_amount", "requested_amount",
                          "agency_code", "year"), row, strict=True))
            if d["agency_id"] in agency_ids:
                projects[d["code"]] = d
    existing_by_key: dict = {}
    for sheet in (TargetSheet.objects.filter(region_id=region_id, year=year) if parsed else []):
        k = (("agency", sheet.agency_id) if sheet.kind == TargetKind.AGENCY else ("project", sheet.project_id),
             sheet.number)
        existing_by_key[k] = sheet

    # a form without a code: its project by 项目名称 + 实施单位, its agency by 部门（单位）名称
    _match_by_names(sheets, projects, agencies, agency_by_id, year, report)
    seen: dict = {}
    region_taxonomy = writing.region_taxonomy(region_id, year) if parsed else ""
    trees = writing.Trees()
    plans: list[writing.Plan] = []
    for p in sheets:
        if not p.code:
            continue  # reported by _match_by_names
        kind, code, number = p.kind, p.code, p.number
        label = "项目编码" if kind == "project" else "单位编码"
        if (kind, code, number) in seen:
            report.add(p.worksheet, p.row, p.key_column, f"{label} {code} 的目标表已在工作表“{seen[kind, code, number]}”"
                                                         "中出现，同一目标表只能出现一次", label)
            continue
        seen[kind, code, number] = p.worksheet
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
            agency = agency_by_id[project["agency_id"]]
            if not _names_agree(p, project["name"], agency["name"], code, report):
                continue
            plan = writing.Plan(p, existing, project=project, agency=agency)
        else:
            agency = agencies.get(code)
            if agency is None:
                report.add(p.worksheet, p.row, p.key_column, f"单位编码 {code} 不存在或不在您的权限范围内", label)
                continue
            if not _names_agree(p, agency["name"], "", code, report):
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
    _check_amounts([pl for pl in plans if pl.project and "amount" in pl.parsed.header], checks, report)
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



def import_checks(region_id, year: int):
    """The thresholds of the 元-under-万元 check, from configuration ``target_import_checks``."""
    from jixiao.core import config as region_config
    from jixiao.targets.import_read import ImportChecks

    values = region_config.get(region_id, year, "target_import_checks")
    return ImportChecks(amount_max_wan=values["amount_max_wan"], yuan_ratio=values["yuan_ratio"])


def _at(p, cell: str) -> tuple:
    return p.cells.get(cell) or (p.row, p.key_column)


def _match_by_names(sheets, projects: dict, agencies: dict, agency_by_id: dict, year: int,
                    report: ImportReport) -> None:
    """Give each code-less sheet the code of the one project (agency) its names match, in what the
    importer may edit (``projects``, ``agencies`` are already scoped); report a name that matches none,
    several (listing them) or a project of another unit."""
    pending = [p for p in sheets if not p.code]
    if not pending:
        return
    project_candidates = [
        rules.Candidate(key=d["code"], name=d["name"], unit=agency_by_id[d["agency_id"]]["name"], year=d["year"],
                        label=f"{d['code']} {d['name']}（{agency_by_id[d['agency_id']]['name']}，{d['year']} 年）")
        for d in projects.values()]
    agency_candidates = [rules.Candidate(key=a["code"], name=a["name"], label=f"{a['code']} {a['name']}")
                         for a in agencies.values()]
    for p in pending:
        row, col = _at(p, "name")
        if p.kind == "project":
            match = rules.match_by_name(p.name, p.unit, project_candidates, year=year)
            what, header = f"项目名称“{p.name}”", "项目名称"
        else:
            match = rules.match_by_name(p.name, "", agency_candidates)
            what, header = f"部门（单位）名称“{p.name}”", "部门（单位）名称"
        if len(match.found) == 1:
            p.code = match.found[0].key
            continue
        if len(match.found) > 1:
            listed = "；".join(c.label for c in match.found[:10])
            more = f" 等 {len(match.found)} 个" if len(match.found) > 10 else ""
            report.add(p.worksheet, row, col, f"{what}对应多个{'项目' if p.kind == 'project' else '单位'}：{listed}{more}。"
                                              f"请在表中填写{'项目编码' if p.kind == 'project' else '单位编码'}以区分", header)
        elif match.by_name:
            unit_row, unit_col = _at(p, "unit")
            units = "、".join(dict.fromkeys(c.unit for c in match.by_name))
            report.add(p.worksheet, unit_row, unit_col, f"实施单位“{p.unit}”与{what}的项目不符：该项目的实施单位是 {units}",
                       "实施单位")
        else:
            report.add(p.worksheet, row, col,
                       f"{what}在本区划{'您可编报的项目' if p.kind == 'project' else '您可编报的单位'}中找不到"
                       f"{'（按项目名称和实施单位查找）' if p.kind == 'project' else ''}；"
                       f"请核对名称，或在表中填写{'项目编码' if p.kind == 'project' else '单位编码'}", header)


def _names_agree(p, name: str, unit: str, code: str, report: ImportReport) -> bool:
    """The file's 项目名称 (部门名称) and 实施单位 name the project (agency) its code resolved to."""
    ok = True
    what = "项目" if p.kind == "project" else "单位"
    if p.name and not rules.same_name(p.name, name):
        row, col = _at(p, "name")
        report.add(p.worksheet, row, col, f"表中名称“{p.name}”与{what} {code}（{name}）不符，请核对是否放错了表",
                   "项目名称" if p.kind == "project" else "部门（单位）名称")
        ok = False
    if unit and p.unit and not rules.same_name(p.unit, unit):
        row, col = _at(p, "unit")
        report.add(p.worksheet, row, col, f"实施单位“{p.unit}”与项目 {code} 的实施单位“{unit}”不符", "实施单位")
        ok = False
    return ok


def _check_amounts(plans, checks, report: ImportReport) -> None:
    """A project form's 年度资金总额: not 元 under a 万元 header (``checks.yuan_ratio`` times the
    project's amount), and for the declared version one of the amounts it may be — the project's
    budget or requested amount, the amount a sheet without one defaults to (capped by an ex-ante
    supported amount), the stored sheet's. The ceilings are read once for the file."""
    from jixiao.projects import gates
    from jixiao.projects import rules as project_rules

    ceilings = gates.ceilings([pl.project["id"] for pl in plans]) if plans else {}
    zero = Decimal("0")
    for pl in plans:
        p, project, existing = pl.parsed, pl.project, pl.existing
        amount = p.header["amount"]
        budget, requested = project["budget_amount"] or zero, project["requested_amount"] or zero
        cap = ceilings.get(project["id"])
        default = project_rules.default_budget(budget_amount=budget, requested_amount=requested,
                                               ceiling=cap[0] if cap else None)
        row, col = _at(p, "amount")
        problem = rules.yuan_suspect(amount, reference=budget or requested, amount_max_wan=checks.amount_max_wan,
                                     ratio=checks.yuan_ratio)
        if problem is None and p.number == 1:
            problem = rules.amount_problem(amount, [default, budget, requested,
                                                    existing.amount if existing is not None else None])
        if problem:
            report.add(p.worksheet, row, col, problem, "年度资金总额")
