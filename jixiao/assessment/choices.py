"""Statuses of an ex-ante assessment (spec glossary "事前绩效评估")."""

from django.db import models


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "待抽取专家"
    SCORING = "scoring", "专家评分中"
    CONCLUDED = "concluded", "已出结论"


class Conclusion(models.TextChoices):
    """The national default list (config ``exante_conclusions``); a region may rename or add codes,
    so model fields keep the code and take the label from the region's configuration."""

    SUPPORT = "support", "予以支持"
    PARTIAL = "partial", "部分支持"
    DEFER = "defer", "暂缓支持"
    REJECT = "reject", "不予支持"
