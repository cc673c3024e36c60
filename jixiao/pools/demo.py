"""Demo pools for 临朐县: about 60 experts across the sectors, 10 third-party firms with valid credit
codes and a track record, the ``expert`` and ``firm`` persona logins linked, and two draws so the
expert persona has a task. Through the services, deterministic for the seed, idempotent."""

from __future__ import annotations

import random

from jixiao.core.actors import SYSTEM
from jixiao.org.models import Agency, Sector
from jixiao.org.personas import HOME
from jixiao.pools import rules, services
from jixiao.pools.choices import ExpertStatus, FirmKind
from jixiao.pools.models import Draw, DrawnExpert, Expert, Firm

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ["建国", "志强", "海燕", "丽华", "明远", "学军", "国强", "晓东", "玉梅", "春生", "秀英", "文博", "立新", "红霞",
         "振华", "桂兰", "宏伟", "慧敏", "永刚", "淑珍", "子涵", "云峰", "金凤", "德胜", "雪梅", "俊杰", "凤英", "卫东"]

#: sector code → (organisations, titles, qualification)
SECTOR_PEOPLE = {
    "education": (["潍坊学院", "潍坊职业学院", "临朐县第一中学", "临朐县教育和体育局教研室"],
                  ["教授", "副教授", "正高级教师", "高级教师"], "教育评估专家"),
    "science": (["潍坊科技学院", "山东省科学院潍坊分院"], ["研究员", "高级工程师"], ""),
    "rural_revitalization": (["潍坊学院", "临朐县乡村振兴服务中心"], ["副教授", "高级农艺师"], ""),
    "environment": (["潍坊市生态环境监测中心", "山东省环境规划研究院"], ["高级工程师", "正高级工程师"], "注册环保工程师"),
    "agriculture_water": (["潍坊市农业科学院", "临朐县农业技术推广中心", "临朐县水利工程建设服务中心"],
                          ["高级农艺师", "高级工程师", "推广研究员"], ""),
    "social_security": (["潍坊学院", "临朐县社会保险事业中心"], ["副教授", "高级经济师"], ""),
    "culture_sports_media": (["潍坊学院", "临朐县文化馆"], ["副教授", "研究馆员"], ""),
    "housing": (["山东XX工程造价咨询有限公司", "潍坊市建筑设计研究院"], ["高级工程师"], "一级造价工程师"),
    "transport": (["潍坊市公路事业发展中心", "山东省交通规划设计院"], ["高级工程师", "正高级工程师"], "注册监理工程师"),
    "health": (["临朐县人民医院", "临朐县中医院", "潍坊医学院"], ["主任医师", "副主任医师", "教授"], "执业医师"),
    "agricultural_development": (["潍坊市农业科学院"], ["高级农艺师"], ""),
    "urban_rural_community": (["潍坊市规划设计研究院", "临朐县城市建设服务中心"], ["高级工程师"], "注册城乡规划师"),
    "general_public_services": (["山东XX会计师事务所", "潍坊学院经济管理学院"], ["高级会计师", "注册会计师", "副教授"],
                                "注册会计师"),
}

FIRMS = [
    ("山东齐鲁财信会计师事务所有限公司", FirmKind.ACCOUNTING, "会计师事务所执业证书；证券期货相关业务资格"),
    ("潍坊正大会计师事务所", FirmKind.ACCOUNTING, "会计师事务所执业证书"),
    ("山东华信资产评估有限公司", FirmKind.APPRAISAL, "资产评估机构备案"),
    ("山东众成项目管理咨询有限公司", FirmKind.CONSULTANCY, "工程咨询单位甲级资信"),
    ("潍坊鲁信绩效评价咨询有限公司", FirmKind.CONSULTANCY, "预算绩效管理第三方机构名录"),
    ("山东德衡（潍坊）律师事务所", FirmKind.LAW, "律师事务所执业许可证"),
    ("潍坊市财政科学研究所", FirmKind.RESEARCH, "事业单位法人"),
    ("山东省农业科学院农业经济研究所", FirmKind.RESEARCH, "事业单位法人"),
    ("潍坊学院", FirmKind.UNIVERSITY, "普通高等学校"),
    ("山东XX工程造价咨询有限公司", FirmKind.CONSULTANCY, "工程造价咨询企业甲级"),
]

RECORD_OBJECTS = ["临朐县义务教育薄弱环节改善项目", "临朐县农村公路养护资金", "临朐县城乡居民医保补助资金",
                  "临朐县高标准农田建设项目", "临朐县教育和体育局部门整体支出", "临朐县污水处理厂运营补贴"]


def _credit_code(rng: random.Random, kind: str) -> str:
    head = "12370700" if kind in (FirmKind.RESEARCH, FirmKind.UNIVERSITY) else "91370700"
    body = "MA" + "".join(rng.choice(rules.CREDIT_CHARSET) for _ in range(7)) if head.startswith("9") else \
        "".join(rng.choice("0123456789") for _ in range(9))
    return rules.with_check_char(head + body)


def extend_county(*, world, seed: int, year: int) -> dict:
    rng = random.Random(f"pools-{seed}")
    region = world.regions[HOME]
    sectors = {s.code: s for s in Sector.objects.all()}
    agencies = list(Agency.objects.filter(region=region, active=True).order_by("code"))
    created = {"pool_experts": 0, "pool_firms": 0, "pool_draws": 0}

    firms = []
    for i, (name, kind, quals) in enumerate(FIRMS):
        # every random value is drawn whether or not the row exists, so a second run plans the same
        code = _credit_code(rng, kind)
        records = [(y, rng.choice(RECORD_OBJECTS), rng.randint(7000, 9600) / 100)
                   for y in range(year - 3, year) if rng.random() < 0.7]
        firm = Firm.objects.filter(region=region, name=name).first()
        if firm is None:
            firm = services.create_firm(actor=SYSTEM, region=region, name=name, kind=kind, credit_code=code,
                                        qualifications=quals, user=world.user("firm") if i == 0 else None)
            for y, obj, score in records:
                services.add_firm_record(actor=SYSTEM, firm=firm, year=y, object=f"{y}年度{obj}绩效评价",
                                         quality_score=score, note="专家评审")
            created["pool_firms"] += 1
        firms.append(firm)

    people = [("赵明远", "潍坊学院", "教授", ["education", "health", "general_public_services"], "教育评估专家")]
    codes = list(SECTOR_PEOPLE)
    seen = {(people[0][0], people[0][1])}
    while len(people) < 60:
        code = codes[len(people) % len(codes)]
        orgs, titles, qual = SECTOR_PEOPLE[code]
        org = rng.choice(orgs).replace("山东XX", "山东衡信")
        extra = [c for c in rng.sample(codes, 2) if c != code][: rng.randint(0, 1)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if (name, org) not in seen:
            seen.add((name, org))
            people.append((name, org, rng.choice(titles), [code, *extra], qual))
    experts = []
    for i, (name, org, title, fields, qual) in enumerate(people):
        phone = f"13{rng.randint(100000000, 999999999)}"
        expert = Expert.objects.filter(region=region, name=name, organisation=org).first()
        if expert is None:
            agency = next((a for a in agencies if a.name == org), None)
            firm = next((f for f in firms if f.name == org), None)
            expert = services.create_expert(
                actor=SYSTEM, region=region, name=name, organisation=org, title=title,
                fields=[sectors[c] for c in fields], qualification=qual,
                status=ExpertStatus.SUSPENDED if i % 29 == 28 else ExpertStatus.ACTIVE,
                agency=agency, firm=firm, phone=phone, email=f"expert{i + 1:02d}@example.cn",
                user=world.user("expert") if i == 0 else None,
            )
            created["pool_experts"] += 1
        experts.append(expert)

    mine = experts[0]
    purpose = f"{year + 1}年临朐县人民医院门诊综合楼项目事前绩效评估"
    if not Draw.objects.filter(region=region, purpose=purpose).exists():
        hospital = next((a for a in agencies if "人民医院" in a.name), None)
        fields = [sectors["health"], sectors["education"]]
        pool = rules.eligible(services.candidates(region.pk), fields=[s.pk for s in fields],
                              recuse_agencies=[hospital.path] if hospital else ())
        # Pick, deterministically, a seed whose draw includes the expert persona (so the demo login
        # has a task); it is recorded like any other seed and reproduces the same draw.
        seed_ = next(s for s in (rng.randrange(10**12) for _ in range(1000)) if mine.pk in rules.choose(pool, 5, s))
        draw = services.draw_experts(actor=SYSTEM, region=region, purpose=purpose, count=5, fields=fields,
                                     exclude_agencies=[hospital] if hospital else (), seed=seed_)
        created["pool_draws"] += 1
        second = services.draw_experts(
            actor=SYSTEM, region=region, purpose=f"{year}年度教育和体育局部门整体支出绩效评价（专家评审）", count=3,
            fields=[sectors["education"], sectors["general_public_services"]], exclude_drawn_in=draw,
            exclude_firms=[f for f in firms if f.name == "潍坊学院"], seed=rng.randrange(10**12),
        )
        other = DrawnExpert.objects.filter(draw=second).order_by("order").first()
        services.decline_and_replace(actor=SYSTEM, drawn=other, reason="与被评价单位存在利害关系，申请回避")
        created["pool_draws"] += 1
    return created
