from django.db import models

from jixiao.library.data.taxonomy import LEVEL1, LEVEL2, TAXONOMIES

#: 一级指标 / 二级指标 codes of the glossary; the labels come from the taxonomy data module.
Level1 = models.TextChoices("Level1", [(code.upper(), (code, label)) for code, label in LEVEL1])
Level2 = models.TextChoices("Level2", [(code.upper(), (code, label)) for code, label in LEVEL2])
TaxonomyVersion = models.TextChoices("TaxonomyVersion", [(f"V{v}".upper(), (v, s["label"])) for v, s in TAXONOMIES.items()])


class Operator(models.TextChoices):
    """指标值的运算符 (domain-rules §2): numeric comparisons or 定性 (qualitative)."""

    GE = "ge", "≥"
    GT = "gt", "＞"
    EQ = "eq", "="
    LT = "lt", "＜"
    LE = "le", "≤"
    QUALITATIVE = "qualitative", "定性"


#: Spellings seen in bureaus' spreadsheets for each operator (half-width, full-width, words).
OPERATOR_ALIASES = {
    "≥": Operator.GE, ">=": Operator.GE, "＞＝": Operator.GE, "大于等于": Operator.GE, "不低于": Operator.GE,
    "＞": Operator.GT, ">": Operator.GT, "大于": Operator.GT,
    "=": Operator.EQ, "＝": Operator.EQ, "等于": Operator.EQ,
    "＜": Operator.LT, "<": Operator.LT, "小于": Operator.LT,
    "≤": Operator.LE, "<=": Operator.LE, "＜＝": Operator.LE, "小于等于": Operator.LE, "不高于": Operator.LE,
    "定性": Operator.QUALITATIVE,
}


class ValueBasis(models.TextChoices):
    """指标值确定依据."""

    PLAN = "plan", "计划标准"
    HISTORY = "history", "历史标准"
    SECTOR = "sector", "行业标准"
    SPENDING_STANDARD = "spending_standard", "预算支出标准"
    OTHER = "other", "其他"


class TemplateKind(models.TextChoices):
    COMMON = "common", "共性指标"
    SPECIFIC = "specific", "个性指标"


class ServesLevel(models.TextChoices):
    """The level a template serves: a project (or policy), an agency's whole budget, or a lower
    government's finances."""

    PROJECT = "project", "项目（政策）"
    AGENCY = "agency", "部门整体"
    FINANCE = "finance", "财政运行"


class FrameworkObject(models.TextChoices):
    PROJECT = "project", "项目（政策）评价"
    AGENCY = "agency", "部门整体评价"
    FINANCE = "finance", "财政运行评价"
