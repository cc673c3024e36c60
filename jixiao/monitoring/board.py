"""The warnings board (预警看板) of a monitoring round and the monitoring statistics (issue #13): the round's tables the user may see,
narrowed by agency, sector, tag and submission status in SQL, read set-based — ONE
``readings.read_tables`` call over the narrowed set, a fixed number of queries whatever its size —
then counted by light and narrowed by light and deviation in memory (lights are computed, never
stored, so a light filter cannot be SQL). The page, its Excel download and the API share
:func:`board`.

A round is one region's: the board reads at most one region's round at a time (a county's few
thousand tables), also for a province's or a city's performance division looking at a county below."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from jixiao.monitoring import rules
from jixiao.monitoring.choices import Light, TableStatus
from jixiao.monitoring.models import TABLE_EDITABLE, MonitoringTable
from jixiao.monitoring.readings import TableReading, read_tables
from jixiao.projects.choices import ProjectTag

#: which light the light filter reads
LIGHT_OF = (("budget", "执行进度灯"), ("goal", "目标灯"))
#: the light filter's values: the four lights and 无法判断 (no light could be computed)
LIGHTS = (*Light.choices, ("none", "无法判断"))
#: the deviation filter: beyond the threshold anywhere / beyond it with a written reason still missing
DEVIATIONS = (("beyond", "有超过阈值的偏差"), ("missing", "偏差说明未填写完整"), ("none", "无超过阈值的偏差"))
#: the submission filter: the table statuses and 逾期 (not submitted after the deadline)
STATUSES = (*TableStatus.choices, ("late", "逾期未提交"), ("unsubmitted", "未提交（待填报、已退回）"))


@dataclass(frozen=True)
class BoardFilter:
    """What the board is narrowed to; every field optional (empty: all)."""

    agency: int | None = None
    sector: int | None = None
    tag: str = ""
    status: str = ""
    light_of: str = "budget"
    light: str = ""
    deviation: str = ""

    def sql(self, qs, *, late: bool):
        """The part of the filter the database answers."""
        if self.agency:
            qs = qs.filter(agency_id=self.agency)
        if self.sector:
            qs = qs.filter(Q(project__sector_id=self.sector) | Q(project__isnull=True, agency__sector_id=self.sector))
        if self.tag:
            qs = qs.filter(project__tags__icontains=f'"{self.tag}"')
        if self.status in TableStatus.values:
            qs = qs.filter(status=self.status)
        elif self.status == "unsubmitted":
            qs = qs.filter(status__in=TABLE_EDITABLE)
        elif self.status == "late":
            qs = qs.filter(status__in=TABLE_EDITABLE) if late else qs.none()
        return qs

    def keeps(self, reading: TableReading) -> bool:
        """The part of the filter only the computed reading answers (light, deviation)."""
        if self.light:
            light = reading.goal_light if self.light_of == "goal" else reading.budget_light
            if (light or "none") != self.light:
                return False
        if self.deviation == "beyond" and not reading.deviations:
            return False
        if self.deviation == "none" and reading.deviations:
            return False
        if self.deviation == "missing" and not missing_reasons(reading):
            return False
        return True


def missing_reasons(reading: TableReading) -> bool:
    """A deviation beyond the threshold whose written reason is not complete (money row or any indicator)."""
    return bool(reading.budget_missing_reasons) or any(r.missing_reasons for r in reading.rows)


@dataclass
class LightCounts:
    """How many of the board's objects (after the SQL filters, before the light and deviation filters)
    show each light; ``blue_indicators`` counts indicators, the rest count objects."""

    objects: int = 0
    budget: Counter = field(default_factory=Counter)
    goal: Counter = field(default_factory=Counter)
    blue_indicators: int = 0
    deviating: int = 0
    missing: int = 0
    late: int = 0
    unsubmitted: int = 0

    def add(self, table, reading: TableReading, *, late: bool) -> None:
        self.objects += 1
        self.budget[reading.budget_light or "none"] += 1
        self.goal[(reading.goal_light or "none") if reading.rows else "no_rows"] += 1
        self.blue_indicators += reading.blue_count
        self.deviating += bool(reading.deviations)
        self.missing += missing_reasons(reading)
        if table.status in TABLE_EDITABLE:
            self.unsubmitted += 1
            self.late += late

    def as_dict(self) -> dict:
        return {"objects": self.objects, "budget": {k: self.budget.get(k, 0) for k in ("red", "yellow", "green", "none")},
                "goal": {k: self.goal.get(k, 0) for k in ("red", "yellow", "green", "blue", "none", "no_rows")},
                "blue_indicators": self.blue_indicators, "deviating": self.deviating, "missing_reasons": self.missing,
                "unsubmitted": self.unsubmitted, "late": self.late}


@dataclass
class Board:
    round: object
    late: bool  # the deadline has passed
    counts: LightCounts
    rows: list  # [(table, reading)] after every filter, in the board's order


def tables_of(user, rnd):
    """The round's tables ``user`` may see, with what the board shows of each (one query)."""
    return (MonitoringTable.objects.for_user(user, "view").joined_in_scope(user, "agency", "project")
            .filter(round=rnd).select_related("agency", "project")
            .order_by("agency__code", "project__code", "pk"))


def board(user, rnd, flt: BoardFilter, *, today) -> Board:
    """The board of round ``rnd`` for ``user`` narrowed by ``flt``: the tables (SQL filters), their
    readings (one ``read_tables``), the light counts of that set, then the light and deviation
    filters. A fixed number of queries whatever the number of tables."""
    late = rnd.deadline < today
    tables = list(flt.sql(tables_of(user, rnd), late=late))
    readings = read_tables(tables)
    counts = LightCounts()
    rows = []
    for t in tables:
        r = readings[t.pk]
        counts.add(t, r, late=late)
        if flt.keeps(r):
            rows.append((t, r))
    return Board(round=rnd, late=late, counts=counts, rows=rows)


def is_late(table, board: Board) -> bool:
    return board.late and table.status in TABLE_EDITABLE


def board_row(t, r, *, late: bool, sectors: dict, tags: dict) -> dict:
    """One row of the board as plain values (the Excel sheet and the API)."""
    sector_id = t.project.sector_id if t.project_id else t.agency.sector_id
    return {
        "table": t.pk, "agency_code": t.agency.code, "agency": t.agency.name,
        "project": t.project_id, "project_code": t.project.code if t.project_id else "", "subject": t.subject_name,
        "sector": sectors.get(sector_id, ""),
        "tags": "、".join(tags.get(c, c) for c in (t.project.tags if t.project_id else [])),
        "budget_adjusted": r.budget_adjusted, "executed": r.executed, "rate": r.rate,
        "expected": r.expectation.value, "basis": r.expectation.label,
        "budget_light": r.budget_light, "goal_light": r.goal_light if r.rows else None, "has_indicators": bool(r.rows),
        "blue_count": r.blue_count, "deviations": r.deviations, "missing_reasons": missing_reasons(r),
        "status": t.status, "status_display": t.get_status_display(), "late": late and t.status in TABLE_EDITABLE,
    }


def sector_names() -> dict[int, str]:
    from jixiao.org.models import Sector

    return dict(Sector.objects.values_list("pk", "name"))





def board_workbook(rows: list[dict], *, caption: str) -> bytes:
    """The filtered board as an .xlsx (``core.excel.write_styled``): one row per object, money in 万元."""
    from jixiao.core.excel import Column, SheetData, write_styled

    columns = [
        Column("agency", "单位", width=26), Column("project_code", "项目编码", width=18),
        Column("subject", "监控对象", width=32), Column("sector", "行业领域", width=14), Column("tags", "标签", width=12),
        Column("budget_adjusted", "调整后预算", money=True, width=14), Column("executed", "执行数", money=True, width=14),
        Column("rate", "执行率", width=10), Column("expected", "预期进度", width=10), Column("basis", "预期依据", width=16),
        Column("budget_light", "执行进度灯", width=10), Column("goal_light", "目标灯", width=10),
        Column("blue_count", "蓝灯指标数", width=10), Column("deviations", "超阈值偏差项数", width=12),
        Column("missing_reasons", "偏差说明未完整", width=12), Column("status", "填报状态", width=10),
        Column("late", "逾期", width=8),
    ]
    return write_styled([SheetData("预警看板", columns, (_sheet_row(r) for r in rows), caption=caption,
                                   note="金额单位：万元")])


def _sheet_row(row: dict) -> dict:
    from jixiao.core.money import format_percent

    labels = dict(LIGHTS)
    goal = labels[row["goal_light"] or "none"] if row["has_indicators"] else "无指标"
    return {**row, "rate": format_percent(row["rate"]), "expected": format_percent(row["expected"]),
            "budget_light": labels[row["budget_light"] or "none"], "goal_light": goal,
            "missing_reasons": "是" if row["missing_reasons"] else "", "status": row["status_display"],
            "late": "逾期" if row["late"] else ""}


# --- the statistics the annual report quotes (domain-rules §13) -----------------------------------------

@dataclass
class RoundFigures:
    round: object
    total: rules.Tally
    by_tag: dict  # tag code → rules.Tally
    sentence: str
    tag_sentences: dict  # tag code → the sentence

    @property
    def rows(self) -> list[tuple[str, dict]]:
        """(label, :func:`tally_row`) of the total and of each tag, for the page."""
        labels = dict(ProjectTag.choices)
        return [("合计", tally_row(self.total)),
                *((f"其中：{labels.get(tag, tag)}", tally_row(t)) for tag, t in self.by_tag.items())]


@dataclass
class Statistics:
    year: int
    rounds: list  # [RoundFigures]
    decisions: rules.Tally  # every decision of the year in scope, with a round or without
    unlinked: int  # decisions of the year not linked to a round's table


def statistics(user, year: int) -> Statistics:
    """Per round of ``year`` the user sees, and per project tag within it: objects and agencies
    monitored, the budget monitored (年初预算; 部门整体支出: the approved sheet's amount), objects deviating
    beyond the threshold, objects per budget and goal light, blue indicators, decisions by kind with the
    amounts cut and recovered (``rules.tally``). The lights are computed by the database round by round
    (``tallies.monitored``, the same lights as the tables' readings): a fixed number of queries per
    round, whatever its size — a province's performance division reads every county's rounds; the
    decisions in one query for the year."""
    from jixiao.monitoring.choices import RoundScope
    from jixiao.monitoring.models import Decision, MonitoringRound

    rounds = list(MonitoringRound.objects.for_user(user, "view").filter(year=year).select_related("region")
                  .order_by("region__code", "month", "pk"))
    decided: dict = {}
    year_decisions = []
    unlinked = 0
    for round_id, project_id, tags, kind, amount in (
            Decision.objects.for_user(user, "view").filter(year=year)
            .values_list("table__round_id", "project_id", "project__tags", "kind", "amount")):
        d = rules.Decided(project=project_id, kind=kind, amount=amount, tags=tuple(tags or ()))
        year_decisions.append(d)
        if round_id is None:
            unlinked += 1
        else:
            decided.setdefault(round_id, []).append(d)
    order = [c for c, _ in ProjectTag.choices]
    labels = dict(ProjectTag.choices)
    out = []
    for rnd in rounds:
        objects = monitored(user, rnd)
        mine = decided.get(rnd.pk, [])
        total = rules.tally(objects, mine)
        by_tag = rules.tally_by_tag(objects, mine, order)
        whole = rnd.scope_kind == RoundScope.AGENCY_BUDGETS
        out.append(RoundFigures(
            round=rnd, total=total, by_tag=by_tag, sentence=rules.monitoring_sentence(total, whole_budget=whole),
            tag_sentences={t: rules.monitoring_sentence(x, what=f"{labels.get(t, t)}资金") for t, x in by_tag.items()}))
    return Statistics(year=year, rounds=out, decisions=rules.tally((), year_decisions), unlinked=unlinked)


def monitored(user, rnd) -> list:
    """The round's tables the user sees as ``rules.Monitored``, their lights computed by the database
    (``tallies.monitored``: two statements per 5,000 tables)."""
    from jixiao.monitoring import tallies

    mine = MonitoringTable.objects.for_user(user, "view").filter(round=rnd)
    # the tags only of the tables whose project has any (most have none: no JSON decoded for them)
    tags = dict(mine.filter(project__isnull=False).exclude(project__tags=[]).values_list("pk", "project__tags"))
    tables = [(pk, agency, project, tags.get(pk, ())) for pk, agency, project in
              mine.order_by("pk").values_list("pk", "agency_id", "project_id")]
    return tallies.monitored(rnd, tables)


STATISTICS_COLUMNS = (
    ("region", "地区", 12), ("round", "监控批次", 26), ("month", "截至月份", 8), ("tag", "范围", 12),
    ("agencies", "单位数", 8), ("objects", "监控对象数", 10), ("amount", "监控金额", 14),
    ("amount_unknown", "预算数未知", 10), ("deviating", "偏离超过阈值", 12),
    ("budget_red", "执行红灯", 8), ("budget_yellow", "执行黄灯", 8), ("budget_green", "执行绿灯", 8),
    ("budget_none", "执行无法判断", 10), ("goal_red", "目标红灯", 8), ("goal_yellow", "目标黄灯", 8),
    ("goal_green", "目标绿灯", 8), ("goal_blue", "目标蓝灯", 8), ("goal_none", "目标无法判断", 10),
    ("blue_indicators", "蓝灯指标数", 10), ("decisions", "处理决定", 30), ("cut", "调减预算", 14),
    ("recovered", "收回资金", 14),
)
MONEY_KEYS = {"amount", "cut", "recovered"}


def tally_row(t: rules.Tally) -> dict:
    """A tally's figures as one flat row (the Excel sheet, the API)."""
    from jixiao.monitoring.choices import DecisionKind

    labels = dict(DecisionKind.choices)
    return {"agencies": t.agencies, "objects": t.objects, "amount": t.amount, "amount_unknown": t.amount_unknown,
            "deviating": t.deviating, **{f"budget_{k}": v for k, v in t.budget_lights.items()},
            **{f"goal_{k}": v for k, v in t.goal_lights.items()}, "blue_indicators": t.blue_indicators,
            "decisions": "；".join(f"{labels.get(k, k)} {n} 项（{t.decided_projects[k]} 个项目）"
                                  for k, n in sorted(t.decisions.items(), key=lambda kv: DecisionKind.values.index(kv[0])
                                                     if kv[0] in DecisionKind.values else 99)),
            "cut": t.cut, "recovered": t.recovered}


def statistics_rows(stats: Statistics) -> list[dict]:
    """Each round's total row, then a row per tag within it."""
    labels = dict(ProjectTag.choices)
    out = []
    for f in stats.rounds:
        head = {"region": f.round.region.name, "round": f.round.title, "month": f.round.month}
        out.append({**head, "tag": f.round.get_scope_kind_display(), **tally_row(f.total)})
        for tag, t in f.by_tag.items():
            out.append({**head, "tag": f"其中：{labels.get(tag, tag)}", **tally_row(t)})
    return out


def statistics_workbook(stats: Statistics, *, caption: str) -> bytes:
    from jixiao.core.excel import Column, SheetData, write_styled

    columns = [Column(k, h, width=w, money=k in MONEY_KEYS) for k, h, w in STATISTICS_COLUMNS]
    return write_styled([SheetData("运行监控统计", columns, statistics_rows(stats), caption=caption,
                                   note="金额单位：万元；一个项目有多个标签时在每个标签下各计一次")])


# --- the project page's monitoring fact (projects.panels) -----------------------------------------------

def monitoring_facts(project, user) -> list[dict]:
    """The project page's monitoring fact: its table in the latest round the user sees — the round, the
    table's status (逾期 after the deadline), the budget and goal lights, blue indicators and
    deviations — linking to the table. Nothing when the project was never monitored (or the user sees
    none of its tables). A fixed number of queries (one table, one ``read_tables``)."""
    from jixiao.core.dates import local_date
    from jixiao.core.scoping import can

    if not can(user, MonitoringTable, "view"):
        return []
    table = (MonitoringTable.objects.for_user(user, "view").filter(project=project).select_related("round")
             .order_by("-round__year", "-round__month", "-round_id").first())
    if table is None:
        return []
    r = read_tables([table])[table.pk]
    labels = dict(LIGHTS)
    rnd = table.round
    status = table.get_status_display()
    if table.status in TABLE_EDITABLE and rnd.deadline < local_date(None, None):
        status += "，已逾期"
    parts = [f"执行进度{labels[r.budget_light or 'none']}"]
    parts.append(f"目标{labels[r.goal_light or 'none']}" if r.rows else "无指标")
    if r.blue_count:
        parts.append(f"蓝灯指标 {r.blue_count} 个")
    parts.append(f"超过阈值的偏差 {r.deviations} 项" if r.deviations else "无超过阈值的偏差")
    return [{"label": "绩效运行监控",
             "value": f"{rnd.title}（截至 {rnd.month} 月末，{status}）：{'、'.join(parts)}",
             "url": table.get_absolute_url()}]
