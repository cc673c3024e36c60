"""Kinds, stages and the reference lists of the project library (spec glossary "Budget and projects")."""

from django.db import models


class ProjectKind(models.TextChoices):
    PROJECT = "project", "项目"
    POLICY = "policy", "政策"


class BudgetBook(models.TextChoices):
    GENERAL_PUBLIC = "general_public", "一般公共预算"
    GOVERNMENT_FUND = "government_fund", "政府性基金预算"
    STATE_CAPITAL = "state_capital", "国有资本经营预算"
    SOCIAL_INSURANCE = "social_insurance", "社会保险基金预算"


class FundSource(models.TextChoices):
    HIGHER_TRANSFER = "higher_transfer", "上级转移支付"
    OWN = "own", "本级安排"
    DEBT = "debt", "政府债务"
    PPP = "ppp", "PPP"
    OTHER = "other", "其他"


class ProjectTag(models.TextChoices):
    POVERTY = "poverty", "扶贫"
    PPP = "ppp", "PPP"
    GOVERNMENT_DEBT = "government_debt", "政府债务"


class ProjectStage(models.TextChoices):
    RESERVE = "reserve", "储备"
    SUBMITTED = "submitted", "已申报"
    ASSESSING = "assessing", "评估中"
    ADMITTED = "admitted", "已入库"
    BUDGETED = "budgeted", "已纳入预算"
    EXECUTING = "executing", "执行中"
    COMPLETED = "completed", "已完结"
    TERMINATED = "terminated", "已终止"


class ProjectAction(models.TextChoices):
    """The stage moves, by the slug the pages and the API use."""

    SUBMIT = "submit", "申报入库"
    RETURN = "return", "退回储备"
    ADMIT = "admit", "批准入库"
    BUDGET = "budget", "纳入预算"
    START = "start", "开始执行"
    COMPLETE = "complete", "完结"
    TERMINATE = "terminate", "终止"


#: The ex-ante assessment's own move (储备 or 已申报 → 评估中): made by the assessment app's
#: ``create_assessment`` together with the assessment it starts, never by a button of the project page
#: or a slug of the moves API — 评估中 always has an assessment behind it.
ASSESS = "assess"
#: The label of every stage move, the assessment's included (timeline titles, refusals).
MOVE_LABELS: dict[str, str] = {**dict(ProjectAction.choices), ASSESS: "进入事前绩效评估"}


class EventKind(models.TextChoices):
    """Kinds written by this app; later apps add their own (``assessment``, ``targets`` …) through
    ``services.record_event`` with their own title."""

    CREATED = "created", "创建"
    UPDATED = "updated", "修改"
    STAGE = "stage", "阶段变更"
    IMPORTED = "imported", "导入"
    MIGRATED = "migrated", "批量建档"
