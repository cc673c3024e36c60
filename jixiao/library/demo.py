"""Demo data for the library: the national templates come with the migration; the demo county adds a
few templates of its own (two adapted copies of national ones and some admitted from its target
sheets), and — the first time only — usage counts so the library's "most used" order is not flat.
Deterministic for the seed; a second run adds nothing."""

from __future__ import annotations

import random

from jixiao.core.actors import SYSTEM
from jixiao.library import services
from jixiao.library.models import IndicatorTemplate
from jixiao.org.models import Sector
from jixiao.org.personas import HOME

#: (name, level1, level2, operator, value, unit, sector, explanation)
LOCAL = [
    ("农村供水管网改造长度", "output", "quantity", "ge", "60", "公里", "agriculture_water", "反映农村供水保障工程改造的管网长度。"),
    ("山区小流域综合治理面积", "output", "quantity", "ge", "15", "平方公里", "agriculture_water", "反映沂山山区小流域水土流失综合治理面积。"),
    ("红木家具产业园新入园企业数", "output", "quantity", "ge", "5", "家", "science", "反映特色产业园招引培育企业的数量。"),
    ("沂山风景区游客接待人次", "benefit", "economic", "ge", "120", "万人次", "culture_sports_media", "反映文旅融合项目带动的游客接待规模。"),
    ("山楂深加工带动农户数", "benefit", "social", "ge", "800", "户", "rural_revitalization", "反映山楂特色产业带动农户增收的户数。"),
]
COPIES = [("义务教育巩固率", "97"), ("服务对象满意度", "92"), ("建设高标准农田面积", "30000")]


def extend_county(*, world, seed: int, year: int) -> dict:
    region = world.regions[HOME]
    rng = random.Random(f"library-{seed}")
    sectors = {s.code: s for s in Sector.objects.all()}
    created = 0
    for name, level1, level2, op, value, unit, sector, explanation in LOCAL:
        if services.find_duplicate(region=region, name=name, level1=level1, level2=level2,
                                   sector=sectors[sector]) is None:
            services.admit_template(actor=SYSTEM, region=region, name=name, level1=level1, level2=level2,
                                    operator=op, value=value, unit=unit, sector=sectors[sector],
                                    explanation=explanation, source_note=f"由 {year - 1} 年度审核通过的绩效目标表纳入")
            created += 1
    for name, value in COPIES:
        source = IndicatorTemplate.objects.filter(region__isnull=True, name=name).first()
        if source is None or IndicatorTemplate.objects.filter(region=region, copied_from=source).exists():
            continue
        copy = services.copy_template(actor=SYSTEM, template=source, region=region)
        if value is not None:
            # the county's own copy takes the county's value (updates check scope: the performance section)
            services.update_template(actor=world.user("perf_section"), template=copy, version=copy.version,
                                     typical_value=value)
        created += 1
    if created:
        national = list(IndicatorTemplate.objects.filter(region__isnull=True).order_by("pk").values_list("pk", flat=True))
        for _ in range(12):
            services.record_usage(actor=SYSTEM, templates=rng.sample(national, k=min(40, len(national))))
    return {"library_regional_templates": IndicatorTemplate.objects.filter(region=region).count()}

