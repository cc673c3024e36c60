"""A small pool in the persona world (临朐县), built through the services; idempotent, so route
targets and tests can both call it."""

from __future__ import annotations

from jixiao.core.actors import SYSTEM
from jixiao.org.models import Sector
from jixiao.pools import services
from jixiao.pools.models import Draw, DrawnExpert, Expert, Firm
from jixiao.pools.rules import with_check_char

HOME = "370724"
FIRM_CODE = with_check_char("91370700MA3C4XKQ0")
OTHER_FIRM_CODE = with_check_char("91370724MA3D7P2L1")

#: name, organisation, title, sector codes, agency code, firm?, linked persona
EXPERTS = [
    ("赵明远", "潍坊学院", "教授", ["education", "health"], None, False, "expert"),
    ("钱学军", "临朐县第一中学", "高级教师", ["education"], "101001", False, None),
    ("孙丽华", "山东正信会计师事务所", "高级会计师", ["education"], None, True, None),
    ("李国强", "潍坊学院", "副教授", ["education"], None, False, None),
    ("周海燕", "临朐县人民医院", "主任医师", ["health"], None, False, None),
    ("吴志刚", "潍坊市农业科学院", "高级农艺师", ["agriculture_water"], None, False, None),
]


def ensure_pool(world) -> dict:
    region = world.regions[HOME]
    sectors = {s.code: s for s in Sector.objects.all()}
    firm = Firm.objects.filter(region=region, credit_code=FIRM_CODE).first() or services.create_firm(
        actor=SYSTEM, region=region, name="山东正信会计师事务所", kind="accounting", credit_code=FIRM_CODE,
        qualifications="会计师事务所执业证书", user=world.user("firm"),
    )
    experts = {}
    for name, org, title, fields, agency, in_firm, persona in EXPERTS:
        experts[name] = Expert.objects.filter(region=region, name=name, organisation=org).first() or \
            services.create_expert(
                actor=SYSTEM, region=region, name=name, organisation=org, title=title,
                fields=[sectors[c] for c in fields], agency=world.agency(agency) if agency else None,
                firm=firm if in_firm else None, phone="13800000000", email="expert@example.cn",
                user=world.user(persona) if persona else None,
            )
    draw = Draw.objects.filter(region=region, purpose="事前评估：县人民医院门诊楼改造").first() or services.draw_experts(
        actor=SYSTEM, region=region, purpose="事前评估：县人民医院门诊楼改造", count=2, fields=[sectors["health"]],
        seed=7,
    )
    return {"region": region, "firm": firm, "experts": experts, "draw": draw,
            "mine": DrawnExpert.objects.get(draw=draw, expert=experts["赵明远"])}
