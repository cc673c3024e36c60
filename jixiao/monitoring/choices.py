"""Kinds and statuses of in-year monitoring (绩效运行监控, domain-rules §5; issue #13): the enums the rules
return and the models store, each an English value with the Chinese label the page shows."""

from django.db import models


class Light(models.TextChoices):
    """A monitoring signal (预警灯). ``blue`` is over-running (进度超前: the target was probably set too low);
    only indicators turn blue, the budget light has no blue."""

    RED = "red", "红灯"
    YELLOW = "yellow", "黄灯"
    GREEN = "green", "绿灯"
    BLUE = "blue", "蓝灯"


class ExpectationBasis(models.TextChoices):
    """What an expected execution share at the checkpoint was read from, in the order they are tried."""

    SPENDING_PLAN = "spending_plan", "用款计划"
    SPENDING_PROFILE = "spending_profile", "地区支出进度曲线"
    TIME_PROGRESS = "time_progress", "时间进度"


class Achievement(models.TextChoices):
    """How far a qualitative (定性) indicator has got at the checkpoint."""

    ACHIEVED = "achieved", "达成"
    PARTIAL = "partial", "部分达成"
    NOT_ACHIEVED = "not_achieved", "未达成"


class IndicatorKind(models.TextChoices):
    """How an indicator is monitored, from its operator (and, for =, its target)."""

    POSITIVE = "positive", "正向指标"
    REVERSE = "reverse", "反向指标"
    QUALITATIVE = "qualitative", "定性指标"


class EntryKind(models.TextChoices):
    """How a monthly execution or spending-plan figure got in: from a file (the treasury payment system's
    export) or typed on the page by an agency without the export."""

    IMPORTED = "imported", "文件导入"
    MANUAL = "manual", "手工录入"


class RoundScope(models.TextChoices):
    """Which objects a monitoring round (监控批次) covers: one table is opened per object."""

    ALL_PROJECTS = "all_projects", "全部预算项目"
    TAG = "tag", "按项目标签"
    AGENCY_BUDGETS = "agency_budgets", "部门整体支出"
    PICKED = "picked", "指定项目"


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class TableStatus(models.TextChoices):
    """A monitoring table's state; the last three mirror its review (``core.Review``, chain ``monitoring``)."""

    DRAFT = "draft", "待填报"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核"


class CauseCategory(models.TextChoices):
    """The cause category of a deviation (偏差原因类别, domain-rules §5)."""

    FUNDING = "funding", "经费保障"
    RULES = "rules", "制度保障"
    STAFFING = "staffing", "人员保障"
    EQUIPMENT = "equipment", "硬件保障"
    OTHER = "other", "其他"


class Likelihood(models.TextChoices):
    """How likely the goal is still reached by year end (完成目标可能性, domain-rules §5)."""

    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "完全不可能"


class DecisionKind(models.TextChoices):
    """What finance decides about a monitored project (监控结果应用, domain-rules §5). ``cut`` and
    ``recover`` carry an amount the annual report quotes; ``suspend`` stays in force until lifted."""

    CONTINUE = "continue", "继续执行"
    ADJUST_TARGET = "adjust_target", "调整绩效目标"
    SUSPEND = "suspend", "暂缓拨付"
    STOP = "stop", "停止拨付"
    CUT = "cut", "调减预算"
    RECOVER = "recover", "收回资金"


class MonitoringEventKind(models.TextChoices):
    """Project timeline entries this app writes (``projects.services.record_event``)."""

    DECISION = "monitoring_decision", "监控结果应用"
