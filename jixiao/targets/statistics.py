"""Read queries of target management's statistics: coverage (domain-rules §13: agencies and projects
under target management, amounts, coverage rates) and review statistics (share of sheets returned,
returns per step, most frequent quality findings, sheets by status) — the figures the annual report
quotes ("69个部门共 580个项目全部设置绩效目标", "整体绩效覆盖率达 100%").

Every function takes the caller's scoped querysets (``for_user``), so finance users and the viewer
count their region, a department reviewer its subtree and an agency user its own agency, a province's
or a city's performance division every region below it. Every figure comes from a join aggregate
(GROUP BY) over the rows; nothing is read project by project, no correlated subquery runs per row and
no id list is passed through ``IN (SELECT …)`` (issue #12: within 3× the raw aggregate, bench/).

Definitions (also shown on the pages):

* **under target management** = the object's current version for the year is approved
  (status ``approved``; a superseded version does not count twice);
* **projects counted** = the projects and policies of the year in 已入库 / 已纳入预算 / 执行中 / 已完结;
  their amount is the budget amount, or the requested amount while no budget amount is set (0);
* **by fund source**: a project with several sources counts under each, so the rows add up to more
  than the total;
* **agencies** = the active agencies in scope (预算部门, 预算单位 and 乡镇); an agency is covered when its
  whole-budget (部门整体) sheet is approved; the amount covered is the sum of those sheets' amounts
  (no agency budget total exists to divide by, so there is no amount rate for agencies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, FilteredRelation, Q, Sum, When

from jixiao.core.choices import ReviewAction
from jixiao.core.money import yuan
from jixiao.core.years import latest_year
from jixiao.projects.choices import BudgetBook, FundSource, ProjectKind, ProjectStage
from jixiao.targets import rules
from jixiao.targets.choices import FindingCode, SheetStatus, TargetKind
from jixiao.targets.models import TargetSheet
from jixiao.targets.services import CHAIN

#: Projects counted in the total: admitted to the library and later (domain-rules §13).
COUNTED_STAGES = (ProjectStage.ADMITTED, ProjectStage.BUDGETED, ProjectStage.EXECUTING, ProjectStage.COMPLETED)

ZERO = Decimal("0.00")
AMOUNT_FIELD = DecimalField(max_digits=18, decimal_places=2)


@dataclass(frozen=True)
class CoverageRow:
    key: str
    label: str
    coverage: rules.Coverage

    def as_dict(self) -> dict:
        c = self.coverage
        return {"key": self.key, "label": self.label, "total_count": c.total_count, "covered_count": c.covered_count,
                "total_amount": c.total_amount, "covered_amount": c.covered_amount, "count_rate": c.count_rate,
                "amount_rate": c.amount_rate}


@dataclass
class CoverageReport:
    year: int
    projects: CoverageRow
    by_kind: list[CoverageRow]
    by_budget_book: list[CoverageRow]
    by_fund_source: list[CoverageRow]
    agencies_total: int
    agencies_covered: int
    agencies_amount: Decimal
    agencies_with_projects: int  # agencies with at least one approved project sheet
    definitions: list[str] = field(default_factory=list)

    @property
    def agency_rate(self) -> Decimal:
        return rules.percent(self.agencies_covered, self.agencies_total)

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "projects": self.projects.as_dict(),
            "by_kind": [r.as_dict() for r in self.by_kind],
            "by_budget_book": [r.as_dict() for r in self.by_budget_book],
            "by_fund_source": [r.as_dict() for r in self.by_fund_source],
            "agencies": {"total_count": self.agencies_total, "covered_count": self.agencies_covered,
                         "covered_amount": self.agencies_amount, "count_rate": self.agency_rate,
                         "with_project_targets": self.agencies_with_projects},
            "definitions": self.definitions,
        }


DEFINITIONS = [
    "纳入绩效目标管理：该项目（政策）或单位本年度的现行绩效目标表已批复（调整后以最新批复版本为准，不重复计算）。",
    "项目总数：本年度处于已入库、已纳入预算、执行中、已完结阶段的项目和政策；金额取预算金额，尚未确定预算金额（为 0）的取申报金额。",
    "按资金来源统计时，有多个资金来源的项目在每个来源下各计一次，各行之和可能大于合计。",
    "单位覆盖率 = 部门整体绩效目标已批复的单位数 ÷ 在用的预算部门、预算单位和乡镇（街道）数；"
    "单位涉及资金为已批复部门整体绩效目标表的年度资金合计。",
]


def default_year(user) -> int:
    """The latest year with target sheets the user can see, else this year."""
    return latest_year(TargetSheet.objects.for_user(user, "view"))


def project_amount():
    """预算金额, or 申报金额 while the budget amount is still 0."""
    return Case(When(budget_amount=0, then=F("requested_amount")), default=F("budget_amount"),
                output_field=AMOUNT_FIELD)


def _approved(relation: str, year: int, **extra) -> FilteredRelation:
    """The approved sheet of the year as a LEFT JOIN (one per project or agency: approving an
    adjustment supersedes the earlier version in the same transaction), so "covered" is one join
    aggregate over the rows, not a correlated EXISTS per row (issue #12)."""
    return FilteredRelation(relation, condition=Q(**{f"{relation}__year": year,
                                                      f"{relation}__status": SheetStatus.APPROVED,
                                                      **{f"{relation}__{k}": v for k, v in extra.items()}}))


def _aggregates() -> dict:
    amount = project_amount()
    covered = Q(approved__isnull=False)
    return {
        "total_count": Count("pk"),
        "covered_count": Count("approved"),
        "total_amount": Sum(amount),
        "covered_amount": Sum(amount, filter=covered),
    }


def _coverage(row: dict) -> rules.Coverage:
    return rules.Coverage(total_count=row["total_count"] or 0, covered_count=row["covered_count"] or 0,
                          total_amount=yuan(row["total_amount"] or 0), covered_amount=yuan(row["covered_amount"] or 0))


def _rows(found: dict[str, rules.Coverage], choices) -> list[CoverageRow]:
    """One row per choice in its order (zero rows included), then any unknown code."""
    found = dict(found)
    empty = rules.Coverage(0, 0, ZERO, ZERO)
    out = [CoverageRow(code, label, found.pop(code, empty)) for code, label in choices]
    out.extend(CoverageRow(str(code), str(code), c) for code, c in found.items())
    return out


def _add(a: rules.Coverage, b: rules.Coverage) -> rules.Coverage:
    return rules.Coverage(a.total_count + b.total_count, a.covered_count + b.covered_count,
                          a.total_amount + b.total_amount, a.covered_amount + b.covered_amount)


def _credit(into: dict, key, c: rules.Coverage) -> None:
    into[key] = _add(into[key], c) if key in into else c


def coverage(*, projects, agencies, sheets, year: int) -> CoverageReport:
    """Coverage for ``year`` over the caller's scoped ``projects`` (Project), ``agencies`` (Agency)
    and ``sheets`` (TargetSheet) querysets. Three aggregate queries whatever the size of the region
    (issue #12: each one pass over its rows): the projects joined to their approved sheet, grouped
    by (kind, budget book, fund sources) — a few dozen groups, from which the total and the three
    breakdowns are added up here; the agencies joined to their approved whole-budget sheet; the
    approved sheets (the agencies' amount, the agencies with an approved project sheet)."""
    grouped = (projects.filter(year=year, stage__in=COUNTED_STAGES).order_by()
               .annotate(approved=_approved("target_sheets", year))
               .values("kind", "budget_book", "fund_sources").annotate(**_aggregates()))
    total = rules.Coverage(0, 0, ZERO, ZERO)
    per_kind: dict[str, rules.Coverage] = {}
    per_book: dict[str, rules.Coverage] = {}
    # fund_sources is a JSON list: grouped by the list itself (a handful of combinations), each
    # combination is credited to every source it names.
    per_source: dict[str, rules.Coverage] = {}
    for r in grouped:
        c = _coverage(r)
        total = _add(total, c)
        _credit(per_kind, r["kind"], c)
        _credit(per_book, r["budget_book"], c)
        for code in dict.fromkeys(r["fund_sources"] or ["other"]):
            _credit(per_source, code, c)

    agency_counts = (agencies.filter(active=True).order_by()
                     .annotate(approved=_approved("target_sheets", year, kind=TargetKind.AGENCY))
                     .aggregate(n_total=Count("pk"), n_covered=Count("approved")))
    approved = (sheets.filter(year=year, status=SheetStatus.APPROVED).order_by()
                .aggregate(amount=Sum("amount", filter=Q(kind=TargetKind.AGENCY)),
                           with_projects=Count("agency", distinct=True,
                                               filter=~Q(kind=TargetKind.AGENCY)
                                               & Q(project__stage__in=COUNTED_STAGES))))
    return CoverageReport(
        year=year, projects=CoverageRow("all", "合计", total), by_kind=_rows(per_kind, ProjectKind.choices),
        by_budget_book=_rows(per_book, BudgetBook.choices), by_fund_source=_rows(per_source, FundSource.choices),
        agencies_total=agency_counts["n_total"] or 0, agencies_covered=agency_counts["n_covered"] or 0,
        agencies_amount=yuan(approved["amount"] or 0), agencies_with_projects=approved["with_projects"] or 0,
        definitions=DEFINITIONS,
    )


def coverage_for(user, year: int) -> CoverageReport:
    from jixiao.org.models import Agency
    from jixiao.projects.models import Project

    return coverage(projects=Project.objects.for_user(user, "view"), agencies=Agency.objects.for_user(user, "view"),
                    sheets=TargetSheet.objects.for_user(user, "view"), year=year)


# --- review statistics ----------------------------------------------------------------------------

@dataclass
class ReviewReport:
    year: int
    sheets: int
    submitted: int
    returned: int
    returns: int  # return events in all
    by_status: list[dict]
    by_kind: list[dict]
    by_step: list[dict]
    findings: list[dict]

    @property
    def returned_rate(self) -> Decimal:
        return rules.percent(self.returned, self.submitted)

    def as_dict(self) -> dict:
        return {"year": self.year, "sheets": self.sheets, "submitted": self.submitted, "returned": self.returned,
                "returned_rate": self.returned_rate, "returns": self.returns, "by_status": self.by_status,
                "by_kind": self.by_kind, "by_step": self.by_step, "findings": self.findings}


def review(*, sheets, year: int, region=None, findings_limit: int = 10) -> ReviewReport:
    """Review statistics for ``year`` over the caller's scoped ``sheets`` (every version counts as a
    sheet: an adjustment is reviewed again). A sheet is *submitted* once it has left the draft state
    (``submitted_at`` set); *returned* when it was returned at least once (``return_count`` > 0).
    Returns per step come from the review history (ReviewEvent ``return`` on chain ``target``, by
    the step it was returned from, in the region's chain order); findings are the current quality
    findings of the sheets, most frequent first (by the number of sheets carrying them)."""
    qs = sheets.filter(year=year).order_by()
    # one pass over the sheets, grouped by (status, kind): the head figures, by status and by kind
    head = {"sheets": 0, "submitted": 0, "returned": 0, "returns": 0}
    status_counts: dict[str, int] = {}
    kinds: dict[str, dict] = {}
    for r in qs.values("status", "kind").annotate(
            sheets=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            returned=Count("pk", filter=Q(return_count__gt=0)), returns=Sum("return_count")):
        for k in head:
            head[k] += r[k] or 0
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + r["sheets"]
        k = kinds.setdefault(r["kind"], {"count": 0, "submitted": 0, "returned": 0})
        k["count"] += r["sheets"]
        k["submitted"] += r["submitted"]
        k["returned"] += r["returned"]
    by_status = [{"status": code, "label": label, "count": status_counts.get(code, 0)}
                 for code, label in SheetStatus.choices]
    by_kind = []
    for code, label in TargetKind.choices:
        r = kinds.get(code, {"count": 0, "submitted": 0, "returned": 0})
        by_kind.append({"kind": code, "label": label, "count": r["count"], "submitted": r["submitted"],
                        "returned": r["returned"], "returned_rate": rules.percent(r["returned"], r["submitted"])})

    # the sheets joined to their review's return events (one filter(): one join of each)
    events = (qs.filter(reviews__chain=CHAIN, reviews__events__action=ReviewAction.RETURN)
              .values(step=F("reviews__events__from_step"))
              .annotate(returns=Count("reviews__events"), sheets=Count("pk", distinct=True)))
    steps = {r["step"]: r for r in events}
    order = []
    if region is not None:
        from jixiao.core import config

        order = [s["name"] for s in config.review_steps(region, year, CHAIN, include_optional=True)]
    by_step = [{"step": name, "returns": steps[name]["returns"], "sheets": steps[name]["sheets"]}
               for name in order if name in steps]
    by_step += [{"step": name, "returns": r["returns"], "sheets": r["sheets"]}
                for name, r in sorted(steps.items()) if name not in order]
    by_step = [{**s, "share": rules.percent(s["returns"], head["returns"] or 0)} for s in by_step]

    labels = dict(FindingCode.choices)
    top = (qs.filter(findings__isnull=False).values(finding=F("findings__code"))
           .annotate(findings=Count("findings"), sheets=Count("pk", distinct=True))
           .order_by("-sheets", "-findings", "finding")[:findings_limit])
    findings = [{"code": r["finding"], "label": labels.get(r["finding"], r["finding"]), "sheets": r["sheets"],
                 "findings": r["findings"], "share": rules.percent(r["sheets"], head["sheets"] or 0)} for r in top]
    return ReviewReport(year=year, sheets=head["sheets"] or 0, submitted=head["submitted"] or 0,
                        returned=head["returned"] or 0, returns=head["returns"] or 0, by_status=by_status,
                        by_kind=by_kind, by_step=by_step, findings=findings)


def review_for(user, year: int) -> ReviewReport:
    return review(sheets=TargetSheet.objects.for_user(user, "view"), year=year, region=user.region_id)


# --- workbooks (styled: bureaus print them) ---------------------------------------------------------

def _coverage_columns(first: str):
    from jixiao.core.excel import Column

    return [Column("label", first, width=20), Column("total_count", "项目个数", width=10),
            Column("covered_count", "纳入目标管理个数", width=14), Column("count_rate", "个数覆盖率（%）", width=14),
            Column("total_amount", "项目金额", money=True, width=16),
            Column("covered_amount", "纳入目标管理金额", money=True, width=18),
            Column("amount_rate", "金额覆盖率（%）", width=14)]


def coverage_workbook(report: CoverageReport, *, region_name: str) -> bytes:
    """The coverage tables in one sheet each (按对象类型 / 按预算类型 / 按资金来源 / 单位), amounts in 万元."""
    from jixiao.core.excel import Column, SheetData, write_styled

    caption = f"{region_name}{report.year}年度绩效目标覆盖情况"
    note = "金额单位：万元"
    kinds = [r.as_dict() for r in report.by_kind] + [report.projects.as_dict()]
    books = [r.as_dict() for r in report.by_budget_book] + [report.projects.as_dict()]
    sources = [r.as_dict() for r in report.by_fund_source]
    agencies = [{"label": "部门整体绩效目标", "total": report.agencies_total, "covered": report.agencies_covered,
                 "rate": report.agency_rate, "amount": report.agencies_amount,
                 "with_projects": report.agencies_with_projects}]
    agency_columns = [Column("label", "项目", width=20), Column("total", "单位总数", width=10),
                      Column("covered", "已批复部门整体目标单位数", width=18), Column("rate", "单位覆盖率（%）", width=14),
                      Column("amount", "部门整体目标资金", money=True, width=18),
                      Column("with_projects", "有已批复项目目标的单位数", width=18)]
    definitions = [{"text": d} for d in report.definitions]
    return write_styled([
        SheetData("按对象类型", _coverage_columns("对象类型"), kinds, caption=caption, note=note),
        SheetData("按预算类型", _coverage_columns("预算类型"), books, caption=caption, note=note),
        SheetData("按资金来源", _coverage_columns("资金来源"), sources, caption=caption,
                  note="金额单位：万元（多个资金来源的项目在每个来源下各计一次）"),
        SheetData("单位", agency_columns, agencies, caption=caption, note=note),
        SheetData("口径说明", [Column("text", "统计口径", width=100)], definitions),
    ])


def review_workbook(report: ReviewReport, *, region_name: str) -> bytes:
    """Review statistics: the summary, sheets by status and kind, returns per step, top findings."""
    from jixiao.core.excel import Column, SheetData, write_styled

    caption = f"{region_name}{report.year}年度绩效目标审核情况"
    summary = [
        {"label": "目标表（含调整版本）", "value": report.sheets},
        {"label": "已提交审核", "value": report.submitted},
        {"label": "审核中被退回过的目标表", "value": report.returned},
        {"label": "退回率（%）", "value": report.returned_rate},
        {"label": "退回次数", "value": report.returns},
    ]
    return write_styled([
        SheetData("概况", [Column("label", "项目", width=28), Column("value", "数值", width=14)], summary,
                  caption=caption),
        SheetData("按状态", [Column("label", "状态", width=16), Column("count", "目标表数", width=12)],
                  report.by_status, caption=caption),
        SheetData("按对象类型", [Column("label", "对象类型", width=16), Column("count", "目标表数", width=12),
                            Column("submitted", "已提交", width=10), Column("returned", "被退回过", width=10),
                            Column("returned_rate", "退回率（%）", width=12)], report.by_kind, caption=caption),
        SheetData("按审核步骤退回", [Column("step", "审核步骤", width=18), Column("returns", "退回次数", width=12),
                              Column("sheets", "涉及目标表", width=12), Column("share", "占退回次数（%）", width=16)],
                  report.by_step, caption=caption),
        SheetData("常见问题", [Column("label", "检查项", width=30), Column("sheets", "涉及目标表", width=12),
                           Column("findings", "出现次数", width=12), Column("share", "占目标表（%）", width=14)],
                  report.findings, caption=caption),
    ])
