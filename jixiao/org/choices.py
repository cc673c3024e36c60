from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）"


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", "预算部门"
    UNIT = "unit", "预算单位"
    TOWNSHIP = "township", "乡镇（街道）"


class SectionKind(models.TextChoices):
    BUDGET = "budget", "预算股"
    BUSINESS = "business", "业务股室"
    PERFORMANCE = "performance", "绩效股"
