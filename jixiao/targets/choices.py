"""Kinds and statuses of target management (spec glossary "Targets")."""

from django.db import models


class TargetKind(models.TextChoices):
    """The object a target sheet is for: a project, a policy (专项资金/政策), or an agency's whole budget."""

    PROJECT = "project", "项目"
    POLICY = "policy", "政策"
    AGENCY = "agency", "部门整体"


class SheetStatus(models.TextChoices):
    """A sheet version's state. The first four mirror its review (``core.Review``); ``superseded``
    marks an approved version replaced by an approved in-year adjustment."""

    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"
    SUPERSEDED = "superseded", "已被调整"


class Severity(models.TextChoices):
    """A quality-check finding either warns (shown, submit allowed) or blocks submitting."""

    WARNING = "warning", "提示"
    ERROR = "error", "错误（须修改）"
    OFF = "off", "不检查"


class FindingCode(models.TextChoices):
    """The automatic checks of domain-rules §3 (and two basic completeness checks)."""

    MISSING_LEVEL1 = "missing_level1", "缺少一级指标"
    NO_TIMELINESS = "no_timeliness", "缺少时效指标"
    NON_NUMERIC = "non_numeric", "数值运算符的指标值不是数字"
    QUALITATIVE_SHARE = "qualitative_share", "定性指标占比过高"
    WEIGHT_TOTAL = "weight_total", "分值合计不等于满分"
    NO_WEIGHTS = "no_weights", "未填分值"
    DUPLICATE_NAME = "duplicate_name", "三级指标名称重复"
    WEAKER_THAN_LAST_YEAR = "weaker_than_last_year", "指标值低于上年实际完成值"
    COST_ABOVE_STANDARD = "cost_above_standard", "成本指标高于支出标准"
    GOAL_EMPTY = "goal_empty", "总体目标为空"
    GOAL_COPIED = "goal_copied", "总体目标照搬上年"
    INCOMPLETE_ROW = "incomplete_row", "指标要素不全"
    WRONG_LEVEL = "wrong_level", "一、二级指标不符合本年度指标体系"


class TargetEventKind(models.TextChoices):
    """Project timeline entries this app writes (``projects.services.record_event``)."""

    TARGETS = "targets", "绩效目标"
