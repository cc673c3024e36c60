"""What a monitoring table shows, computed for MANY tables at once (issue #13): the one read the table
page, the submit check, the API and — later — the warnings board and the province benchmark share.

:func:`read_tables` takes a list of tables and bulk-reads everything their figures need, a fixed
number of queries per chunk of tables whatever their count: the budgets (``services.budgets``: 年初,
调整后 after 调减预算 decisions), the monthly execution up to each table's checkpoint, the spending plans,
the indicator rows with their target indicators, the approved agency sheets' amounts (部门整体支出),
each region's thresholds and spending profiles (once per region and year). It returns a
:class:`TableReading` per table: the figures, the expectation and its basis, the forecast, every
light (``rules``), and what still blocks a submit — in Chinese, naming the row.

Lights are computed here when asked, never stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.library.choices import Operator
from jixiao.monitoring import rules
from jixiao.monitoring.choices import ExpectationBasis, IndicatorKind, Light
from jixiao.monitoring.configuration import AGENCY_KIND, parse_profile

#: tables per chunk of the bulk reads (ids per ``IN (…)`` list)
CHUNK = 5000
#: the four written parts of a deviation (domain-rules §5), by field, with the label an error names
REASON_FIELDS = (("cause", "偏差原因类别"), ("explanation", "偏差原因说明"), ("likelihood", "完成目标可能性"),
                 ("measures", "纠偏措施"))
MISSING = "未填报"


@dataclass(frozen=True)
class RowReading:
    """One indicator row of a table: the target indicator as approved, what the agency stated, the
    signal (``rules.indicator_signal``), whether a written reason is required and which of its parts
    are missing."""

    row_id: int
    position: int
    level1: str
    name: str
    operator: str
    target: str  # the annual target as written ("≥95%")
    unit: str
    value_to_date: str
    year_end: str
    achievement: str
    signal: rules.IndicatorSignal
    reasons: dict
    required: bool
    missing_reasons: tuple[str, ...]
    level2: str = ""
    #: the agency's own expectation for the checkpoint as written ("" when not stated)
    stated_expected: str = ""
    month: int = 12

    @property
    def expected_basis(self) -> str:
        """Which expectation the signal used, in Chinese: the agency's stated one, else the default
        (target × m ÷ 12 for a positive indicator, the annual target as the limit for a reverse one);
        "" for a qualitative indicator or when there is none."""
        if self.qualitative or self.signal.expected is None:
            return ""
        if self.stated_expected:
            return "单位填报的截至本期预期值"
        if self.signal.kind == IndicatorKind.POSITIVE:
            return f"年度指标值 × {self.month} ÷ 12"
        return "年度指标值（上限）"

    @property
    def qualitative(self) -> bool:
        return self.signal.kind == IndicatorKind.QUALITATIVE

    @property
    def light(self) -> Light | None:
        return self.signal.light

    def problems(self) -> list[str]:
        """What blocks a submit on this row, in Chinese, naming it."""
        where = f"第 {self.position} 项指标“{self.name}”"
        out = []
        if self.qualitative:
            if not self.achievement:
                out.append(f"{where}：完成情况{MISSING}")
        else:
            if not self.value_to_date:
                out.append(f"{where}：截至目前完成值{MISSING}")
            if not self.year_end:
                out.append(f"{where}：预计全年完成值{MISSING}")
        if self.missing_reasons:
            out.append(f"{where}偏差超过阈值，须填写{'、'.join(self.missing_reasons)}")
        return out


@dataclass(frozen=True)
class TableReading:
    """Everything a table shows at its checkpoint. Money in yuan (Decimal). ``budget_initial`` /
    ``budget_adjusted`` are None when unknown (an agency whole budget without an approved sheet):
    then there is no budget signal. ``forecast`` is None before month 8 (``rules.FORECAST_FROM_MONTH``)."""

    table_id: int
    month: int
    budget_initial: Decimal | None
    budget_adjusted: Decimal | None
    executed: Decimal
    expectation: rules.Expectation
    budget: rules.BudgetSignal | None
    estimate: Decimal | None
    forecast: Decimal | None
    forecast_disagrees: bool | None
    rows: list[RowReading]
    goal_light: Light | None
    blue_count: int
    budget_required: bool
    budget_missing_reasons: tuple[str, ...]
    threshold: Decimal
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return self.budget.rate if self.budget else None

    @property
    def budget_light(self) -> Light | None:
        return self.budget.light if self.budget else None

    @property
    def expected_amount(self) -> Decimal | None:
        """The execution expected by the checkpoint in yuan: the adjusted budget × the expected share."""
        if self.budget_adjusted is None:
            return None
        return (self.budget_adjusted * self.expectation.value).quantize(rules.CENT)

    @property
    def deviations(self) -> int:
        """How many items (the money and the indicators) deviate beyond the threshold."""
        return int(self.budget_required) + sum(1 for r in self.rows if r.required)

    def problems(self) -> list[str]:
        """Everything that blocks a submit, in Chinese, each naming its row: the money row's figures
        and reasons first, then every indicator row."""
        out = []
        if self.estimate is None:
            out.append(f"预算执行：预计全年执行数{MISSING}")
        if self.budget_missing_reasons:
            out.append(f"预算执行偏差超过阈值（{_percent(self.threshold)}），须填写{'、'.join(self.budget_missing_reasons)}")
        for row in self.rows:
            out.extend(row.problems())
        return out


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _missing(values: dict) -> tuple[str, ...]:
    return tuple(label for name, label in REASON_FIELDS if not (values.get(name) or "").strip())


def _chunks(seq: Sequence, size: int = CHUNK):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


class _RegionSettings:
    """The thresholds and profiles of each (region, year), read once per pair."""

    def __init__(self):
        self._cache: dict = {}

    def get(self, region_id: int, year: int):
        key = (region_id, year)
        if key not in self._cache:
            self._cache[key] = region_settings(region_id, year)
        return self._cache[key]


def region_settings(region_id: int, year: int) -> tuple[rules.Thresholds, dict]:
    """(the region's thresholds, {project kind: its 12 cumulative shares or None}) for ``year``."""
    from jixiao.core import config

    thresholds = rules.Thresholds.from_config(config.get(region_id, year, "monitoring_signals"),
                                              config.get(region_id, year, "deviation"))
    raw = config.get(region_id, year, "spending_profiles")
    return thresholds, {kind: parse_profile(text)[0] for kind, text in raw.items()}


def read_tables(tables: Iterable) -> dict[int, TableReading]:
    """{table id: :class:`TableReading`} for ``tables`` (``MonitoringTable`` instances; their round is
    read once per distinct round). Set-based: a fixed number of queries per :data:`CHUNK` tables."""
    from jixiao.monitoring.models import MonitoringRound, MonitoringRow, MonthlyExecution, SpendingPlan
    from jixiao.monitoring.services import budgets
    from jixiao.projects.models import Project
    from jixiao.targets.models import TargetSheet

    tables = list(tables)
    if not tables:
        return {}
    round_ids = sorted({t.round_id for t in tables})
    rounds = {pk: (year, month) for pk, year, month in
              MonitoringRound.objects.filter(pk__in=round_ids).values_list("pk", "year", "month")}
    settings = _RegionSettings()
    out: dict[int, TableReading] = {}
    for part in _chunks(tables):
        project_ids = sorted({t.project_id for t in part if t.project_id})
        whole_agencies = sorted({t.agency_id for t in part if not t.project_id})
        years = sorted({rounds[t.round_id][0] for t in part})
        last_month = max(rounds[t.round_id][1] for t in part)
        money = budgets(project_ids)
        kinds = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "kind")) if project_ids else {}
        executed: dict[tuple, dict[int, Decimal]] = {}
        plans: dict[tuple, dict[int, Decimal]] = {}
        if project_ids:
            for pid, year, month, amount in (MonthlyExecution.objects.filter(
                    project_id__in=project_ids, year__in=years, month__lte=last_month)
                    .values_list("project_id", "year", "month", "amount")):
                series = executed.setdefault(("p", pid, year), {})
                series[month] = series.get(month, Decimal(0)) + amount
            for pid, year, month, amount in (SpendingPlan.objects.filter(project_id__in=project_ids, year__in=years)
                                             .values_list("project_id", "year", "month", "amount")):
                series = plans.setdefault((pid, year), {})
                series[month] = series.get(month, Decimal(0)) + amount
        whole_budget: dict[int, Decimal] = {}
        if whole_agencies:
            for aid, year, month, amount in (MonthlyExecution.objects.filter(
                    project__isnull=True, agency_id__in=whole_agencies, year__in=years, month__lte=last_month)
                    .values_list("agency_id", "year", "month", "amount")):
                series = executed.setdefault(("a", aid, year), {})
                series[month] = series.get(month, Decimal(0)) + amount
            sheet_ids = [t.sheet_id for t in part if not t.project_id and t.sheet_id]
            whole_budget = dict(TargetSheet.objects.filter(pk__in=sheet_ids).values_list("pk", "amount"))
        rows: dict[int, list] = {}
        for values in (MonitoringRow.objects.filter(table_id__in=[t.pk for t in part]).order_by("table_id", "position")
                       .values_list("table_id", "pk", "position", "indicator__level1", "indicator__name",
                                    "indicator__operator", "indicator__value", "indicator__number", "indicator__unit",
                                    "value_to_date", "number_to_date", "year_end", "achievement", "cause",
                                    "explanation", "likelihood", "measures", "indicator__level2", "stated_expected",
                                    "number_stated_expected")):
            rows.setdefault(values[0], []).append(values)
        for t in part:
            year, month = rounds[t.round_id]
            thresholds, profiles = settings.get(t.region_id, year)
            if t.project_id:
                initial, adjusted = money.get(t.project_id, (None, None))
                series = {m: a for m, a in executed.get(("p", t.project_id, year), {}).items() if m <= month}
                plan = plans.get((t.project_id, year))
                profile = profiles.get(kinds.get(t.project_id, ""))
            else:
                initial = adjusted = whole_budget.get(t.sheet_id) if t.sheet_id else None
                series = {m: a for m, a in executed.get(("a", t.agency_id, year), {}).items() if m <= month}
                plan = None
                profile = profiles.get(AGENCY_KIND)
            out[t.pk] = _reading(t, month, thresholds, initial, adjusted, series, plan, profile, rows.get(t.pk, []))
    return out


def _reading(t, month, thresholds, initial, adjusted, series, plan, profile, rows) -> TableReading:
    expectation = rules.expected_progress(month=month, plan=plan, profile=profile)
    executed = rules.execution_to_date(series, month)
    notes = []
    budget = None
    if adjusted is None:
        notes.append("没有已批复的部门整体绩效目标，预算数未知，无法计算执行率")
    else:
        budget = rules.budget_signal(executed=executed, budget=adjusted, expected=expectation, thresholds=thresholds)
        if budget.note:
            notes.append(budget.note)
    if not series:
        notes.append(f"1—{month} 月尚无执行数据（未导入或未录入），执行数按 0 计")
    if expectation.basis == ExpectationBasis.SPENDING_PLAN:
        notes.append("预期执行进度按本项目用款计划计算")
    forecast = rules.forecast_year_end(monthly=series, month=month, budget=adjusted)
    disagrees = rules.forecast_disagrees(forecast=forecast, estimate=t.estimate, thresholds=thresholds)
    signals = []
    for (_tid, _pk, position, _l1, _name, operator, _value, number, _unit, _to_date, number_to_date, _year_end,
         achievement, *_reasons, _stated, number_stated) in rows:
        signal = rules.indicator_signal(
            rules.IndicatorProgress(key=position, operator=operator, target=number, actual=number_to_date,
                                    expected=number_stated if operator != Operator.QUALITATIVE else None,
                                    achievement=achievement or None),
            month=month, thresholds=thresholds)
        signals.append(signal)
    required = set(rules.reasons_required(budget=budget, indicators=signals))
    read_rows = []
    for (_tid, pk, position, level1, name, operator, value, _number, unit, to_date, _n, year_end, achievement, cause,
         explanation, likelihood, measures, level2, stated, number_stated), signal in zip(rows, signals, strict=True):
        reasons = {"cause": cause, "explanation": explanation, "likelihood": likelihood, "measures": measures}
        target = value if operator == Operator.QUALITATIVE else f"{Operator(operator).label}{value}{unit}"
        read_rows.append(RowReading(
            row_id=pk, position=position, level1=level1, name=name, operator=operator, target=target, unit=unit,
            value_to_date=to_date, year_end=year_end, achievement=achievement, signal=signal, reasons=reasons,
            required=position in required, missing_reasons=_missing(reasons) if position in required else (),
            level2=level2, stated_expected=stated if number_stated is not None and operator != Operator.QUALITATIVE else "",
            month=month))
    lights = [r.signal.light for r in read_rows]
    budget_required = rules.BUDGET in required
    table_reasons = {"cause": t.cause, "explanation": t.explanation, "likelihood": t.likelihood,
                     "measures": t.measures}
    return TableReading(
        table_id=t.pk, month=month, budget_initial=initial, budget_adjusted=adjusted, executed=executed,
        expectation=expectation, budget=budget, estimate=t.estimate, forecast=forecast, forecast_disagrees=disagrees,
        rows=read_rows, goal_light=rules.goal_light(lights), blue_count=rules.blue_count(lights),
        budget_required=budget_required,
        budget_missing_reasons=_missing(table_reasons) if budget_required else (),
        threshold=thresholds.deviation, notes=notes)


def read_table(table) -> TableReading:
    """The reading of one table: :func:`read_tables` of one."""
    return read_tables([table])[table.pk]
