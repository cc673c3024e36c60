"""API schemas of budget execution data (monitoring.api_execution)."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Schema

from jixiao.core.apikit import optional_related


class ExecutionOut(Schema):
    id: int
    year: int
    month: int
    project: int | None = Field(alias="project_id", description="项目 id；部门整体支出为空")
    project_code: str = Field("", description="项目编码（部门整体支出为空）")
    agency: int = Field(alias="agency_id")
    agency_code: str = Field(alias="agency.code")
    fund_source: str = Field(description="资金来源代码：higher_transfer 上级转移支付、own 本级安排 …")
    fund_source_label: str = Field(alias="get_fund_source_display")
    amount: Decimal = Field(description="支付金额（元）")
    entry: str = Field(description="imported 导入 / manual 手工录入")
    version: int

    resolve_project_code = optional_related("project.code")


class ProjectExecutionOut(Schema):
    """A project's execution figures, derived when asked from its monthly rows (never stored)."""

    project: int
    code: str
    name: str
    agency: int
    agency_code: str
    year: int
    month: int | None = Field(description="截至月份：所问月份，未指定时为最后一个有数据的月份；无数据为空")
    executed: Decimal | None = Field(description="截至该月的执行数（元）；无数据为空（不以 0 代替）")
    budget: Decimal = Field(description="年初预算（元）")
    adjusted_budget: Decimal = Field(description="调整后预算（元）：年初预算减调减预算决定")
    rate: Decimal | None = Field(description="执行率 = 执行数 ÷ 调整后预算（比例，四位小数）；预算为 0 或无数据为空")
    time_progress: Decimal | None = Field(description="时间进度 = 月份 ÷ 12（比例，四位小数）")
    months_with_data: int = Field(description="有执行数据的月份数")


# --- monitoring rounds and tables (monitoring.api) ----------------------------------------------------

from datetime import date, datetime  # noqa: E402

from jixiao.core.apikit import Money  # noqa: E402
from jixiao.monitoring.choices import (  # noqa: E402
    Achievement,
    CauseCategory,
    Likelihood,
    RoundScope,
    RoundStatus,
    TableStatus,
)


class RoundOut(Schema):
    id: int
    region: int = Field(alias="region_id")
    year: int
    month: int = Field(description="监控截至月份（监控 1 月至该月末）")
    title: str
    deadline: date = Field(description="填报截止日期（当日有效）")
    scope_kind: RoundScope
    scope_label: str = Field(alias="get_scope_kind_display")
    tag: str = Field(description="按项目标签监控时的标签代码")
    status: RoundStatus
    status_display: str = Field(alias="get_status_display")
    opened_at: datetime
    closed_at: datetime | None
    version: int


class TableOut(Schema):
    """A table with its computed figures and lights (computed when read, never stored). Money in yuan;
    rates and shares as ratios (0.4167 = 41.67%); lights red/yellow/green/blue or null (无法判断)."""

    id: int
    round: int
    agency: int
    agency_code: str
    agency_name: str
    project: int | None
    project_code: str
    subject: str = Field(description="监控对象：项目名称，或“单位（部门整体支出）”")
    sheet: int | None = Field(description="已批复的绩效目标表 id；空：只监控预算执行")
    status: TableStatus
    status_display: str
    version: int
    budget_initial: Decimal | None = Field(description="年初预算（元）；部门整体支出无已批复目标时为空")
    budget_adjusted: Decimal | None = Field(description="调整后预算（元）：年初预算减调减预算决定")
    executed: Decimal = Field(description="截至监控月末执行数（元）")
    rate: Decimal | None = Field(description="预算执行率")
    expected: Decimal = Field(description="预期执行进度")
    expected_basis: str = Field(description="spending_plan 用款计划 / spending_profile 地区支出进度曲线 / time_progress 时间进度")
    expected_basis_label: str
    budget_light: str | None
    goal_light: str | None = Field(description="总体目标信号：最差指标的信号")
    blue_count: int
    deviations: int = Field(description="超过偏差阈值的项数（预算执行及各指标）")


class RowOut(Schema):
    position: int
    name: str
    level1: str
    operator: str
    target: str = Field(description="年度指标值（如 ≥95%）")
    kind: str = Field(description="positive 正向 / reverse 反向 / qualitative 定性")
    value_to_date: str
    year_end: str
    achievement: str
    stated_expected: str = Field(description="单位填报的截至本期预期值（可选；空：按年度指标值 × 月份 ÷ 12）")
    expected: Decimal | None = Field(description="截至监控月末的预期值（反向指标为上限）：单位填报的截至本期预期值，"
                                                 "未填时正向指标为年度指标值 × 月份 ÷ 12、反向指标为年度指标值")
    expected_basis: str = Field(description="预期值的依据（单位填报的截至本期预期值 / 年度指标值 × 月份 ÷ 12 / 年度指标值（上限））")
    progress: Decimal | None
    light: str | None
    note: str
    reason_required: bool
    cause: str
    explanation: str
    likelihood: str
    measures: str


class TableDetailOut(TableOut):
    estimate: Decimal | None = Field(description="单位预计全年执行数（元）")
    forecast: Decimal | None = Field(description="全年执行预测（元）：8 月起按本项目各月支付的线性趋势")
    forecast_disagrees: bool | None = Field(description="预测与单位预计相差超过偏差阈值")
    goal_progress: str
    cause: str
    explanation: str
    likelihood: str
    measures: str
    budget_reason_required: bool
    threshold: Decimal
    notes: list[str]
    problems: list[str] = Field(description="提交前须完成的事项（未填报的数、缺少的偏差说明），逐行列出")
    rows: list[RowOut]


class RowIn(Schema):
    position: int = Field(ge=1, le=10000)
    value_to_date: str | None = Field(None, max_length=128)
    year_end: str | None = Field(None, max_length=128)
    stated_expected: str | None = Field(None, max_length=128, description="截至本期预期值（可选，只填数字；"
                                        "空字符串清除，按年度指标值 × 月份 ÷ 12）；定性指标不填")
    achievement: Achievement | None = None
    cause: CauseCategory | None = None
    explanation: str | None = Field(None, max_length=5000)
    likelihood: Likelihood | None = None
    measures: str | None = Field(None, max_length=5000)


class TableIn(Schema):
    """Only the fields given change; ``estimate: null`` clears the estimate."""

    estimate: Money | None = Field(None, description="预计全年执行数（元）")
    goal_progress: str | None = Field(None, max_length=5000)
    cause: CauseCategory | None = None
    explanation: str | None = Field(None, max_length=5000)
    likelihood: Likelihood | None = None
    measures: str | None = Field(None, max_length=5000)
    rows: list[RowIn] = Field(default_factory=list, max_length=10000)


class TableOpinionIn(Schema):
    opinion: str = Field("", max_length=2000)


class TableReturnIn(Schema):
    opinion: str = Field(min_length=1, max_length=2000, description="退回意见（必填）")


# --- the warnings board and the statistics (monitoring.api_board) --------------------------------------

class BoardFilterIn(Schema):
    agency: int | None = Field(None, description="单位 id")
    sector: int | None = Field(None, description="行业领域 id（项目的；部门整体支出为单位的）")
    tag: str | None = Field(None, description="项目标签：poverty 扶贫、ppp、government_debt 政府债务")
    status: str | None = Field(None, description="填报状态：draft、returned、in_review、approved，late 逾期未提交，"
                                                 "unsubmitted 未提交")
    light_of: str | None = Field(None, description="按哪个灯筛选：budget 执行进度灯（默认）、goal 目标灯")
    light: str | None = Field(None, description="灯色：red、yellow、green、blue，none 无法判断")
    deviation: str | None = Field(None, description="偏差：beyond 有超过阈值的偏差、missing 偏差说明未填写完整、none 无")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(50, ge=1, le=500)


class BoardCountsOut(Schema):
    objects: int = Field(description="按单位、行业、标签、状态筛选后的对象数（灯色和偏差筛选之前）")
    budget: dict[str, int] = Field(description="执行进度灯：red、yellow、green、none（无法判断）各多少个对象")
    goal: dict[str, int] = Field(description="目标灯：red、yellow、green、blue、none（未填报或无法判断）、no_rows（无指标）")
    blue_indicators: int = Field(description="蓝灯指标个数")
    deviating: int = Field(description="有超过阈值偏差的对象数")
    missing_reasons: int = Field(description="偏差说明未填写完整的对象数")
    unsubmitted: int
    late: int = Field(description="截止日期已过仍未提交的监控表数")


class BoardRowOut(Schema):
    table: int
    agency_code: str
    agency: str
    project: int | None
    project_code: str
    subject: str
    sector: str
    tags: str
    budget_adjusted: Decimal | None = Field(description="调整后预算（元）；未知为空")
    executed: Decimal = Field(description="截至监控月末执行数（元）")
    rate: Decimal | None
    expected: Decimal
    basis: str = Field(description="预期进度的依据")
    budget_light: str | None
    goal_light: str | None
    has_indicators: bool
    blue_count: int
    deviations: int
    missing_reasons: bool
    status: str
    status_display: str
    late: bool


class BoardOut(Schema):
    round: int
    late: bool = Field(description="截止日期已过")
    counts: BoardCountsOut
    count: int = Field(description="全部筛选后的对象数")
    items: list[BoardRowOut]


class TallyOut(Schema):
    objects: int
    agencies: int
    amount: Decimal = Field(description="监控金额（元）：年初预算之和（部门整体支出为已批复的部门整体目标金额）")
    amount_unknown: int = Field(description="预算数未知、未计入金额的对象数")
    deviating: int = Field(description="偏离超过阈值的对象数")
    budget_lights: dict[str, int]
    goal_lights: dict[str, int]
    blue_indicators: int
    decisions: dict[str, int] = Field(description="处理方式 → 决定数")
    decided_projects: dict[str, int] = Field(description="处理方式 → 项目数")
    cut: Decimal = Field(description="调减预算（元）")
    recovered: Decimal = Field(description="收回资金（元）")


class TagFiguresOut(TallyOut):
    tag: str
    label: str
    sentence: str


class RoundFiguresOut(Schema):
    round: int
    title: str
    region: str
    month: int
    scope_kind: str
    sentence: str = Field(description="年度报告的表述")
    total: TallyOut
    by_tag: list[TagFiguresOut]


class MonitoringStatisticsOut(Schema):
    year: int
    rounds: list[RoundFiguresOut]
    decisions: TallyOut = Field(description="本年度全部监控结果应用决定（含未关联批次的）；对象数等为 0")
    unlinked: int = Field(description="未关联监控批次的决定数")


class TablesImportOut(Schema):
    """What an import of the fill-in workbook did (``imports.TablesImport``)."""

    round: str
    sheets: int
    updated: int
    unchanged: int
    skipped: list[str]
    incomplete: list[str] = Field(description="保存或未变、但提交前仍需补充（未填报的数或偏差说明）的监控表")
    summary: str
