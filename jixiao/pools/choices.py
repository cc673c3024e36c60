from django.db import models


class ExpertStatus(models.TextChoices):
    ACTIVE = "active", "在库"
    SUSPENDED = "suspended", "暂停"
    RETIRED = "retired", "退出"


class FirmKind(models.TextChoices):
    CONSULTANCY = "consultancy", "咨询机构"
    ACCOUNTING = "accounting", "会计师事务所"
    APPRAISAL = "appraisal", "资产评估机构"
    LAW = "law", "律师事务所"
    RESEARCH = "research", "科研院所"
    UNIVERSITY = "university", "高等院校"


class FirmStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "暂停"
    BLACKLISTED = "blacklisted", "列入黑名单"


class DrawnStatus(models.TextChoices):
    INVITED = "invited", "已邀请"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已谢绝"
    REPLACED = "replaced", "已替换"
