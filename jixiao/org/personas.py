"""Named personas: one login per role, plus the same role in another agency and in another region,
and the performance division of the province and the city above the home county (issue #12).

Shared by the tests (``conftest.world``) and the demo builder, so a test named "the section reviewer
cannot see another region's agency" and the demo login a person tries by hand are the same person in
the same place. Everything is created through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.core.actors import SYSTEM
from jixiao.core.roles import Role, is_admin
from jixiao.org import services
from jixiao.org.choices import AgencyKind, RegionLevel, SectionKind
from jixiao.org.models import Agency, FinanceSection, Region, Sector, User

#: Meets the password policy (≥ 10 characters, three classes). Printed by ``make run`` for the demo.
DEMO_PASSWORD = "Jixiao@2026"

HOME = "370724"  # 临朐县 (a seed county)
OTHER = "654022"  # 察布查尔锡伯自治县 (the other seed county)
PROVINCE = "370000"
CITY = "370700"

REGIONS = [
    # code, name, level, parent code
    (PROVINCE, "山东省", RegionLevel.PROVINCE, None),
    (CITY, "潍坊市", RegionLevel.CITY, PROVINCE),
    (HOME, "临朐县", RegionLevel.COUNTY, CITY),
    (OTHER, "察布查尔锡伯自治县", RegionLevel.COUNTY, None),
]

#: (region, code, name, kind, parent code, sector code)
AGENCIES = [
    (HOME, "101", "临朐县教育和体育局", AgencyKind.DEPARTMENT, None, "education"),
    (HOME, "101001", "临朐县第一中学", AgencyKind.UNIT, "101", "education"),
    (HOME, "101002", "临朐县城关街道中心小学", AgencyKind.UNIT, "101", "education"),
    (HOME, "102", "临朐县农业农村局", AgencyKind.DEPARTMENT, None, "agriculture_water"),
    (HOME, "102001", "临朐县农业技术推广中心", AgencyKind.UNIT, "102", "agriculture_water"),
    (HOME, "901", "临朐县城关街道办事处", AgencyKind.TOWNSHIP, None, "urban_rural_community"),
    (OTHER, "101", "察布查尔锡伯自治县教育局", AgencyKind.DEPARTMENT, None, "education"),
    (OTHER, "101001", "察布查尔锡伯自治县第一中学", AgencyKind.UNIT, "101", "education"),
]

#: (region, code, name, kind, agency codes looked after)
SECTIONS = [
    (HOME, "S01", "教科文股", SectionKind.BUSINESS, ["101"]),
    (HOME, "S02", "农业股", SectionKind.BUSINESS, ["102", "901"]),
    (HOME, "S09", "绩效股", SectionKind.PERFORMANCE, []),
    (OTHER, "S01", "科教文卫股", SectionKind.BUSINESS, ["101"]),
    (OTHER, "S09", "绩效管理室", SectionKind.PERFORMANCE, []),
]


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    role: str
    region: str = HOME
    agency: str | None = None
    section: str | None = None
    note: str = ""


PERSONAS = [
    Persona("preparer", "王芳", Role.AGENCY_PREPARER, agency="101001", note="第一中学填报人"),
    Persona("unit_head", "李建国", Role.AGENCY_HEAD, agency="101001", note="第一中学负责人"),
    Persona("dept_reviewer", "张伟", Role.DEPARTMENT_REVIEWER, agency="101", note="教体局审核人"),
    Persona("section_reviewer", "刘洋", Role.SECTION_REVIEWER, section="S01", note="教科文股（对口教体局）"),
    Persona("perf_section", "陈静", Role.PERFORMANCE_SECTION, section="S09", note="绩效股"),
    Persona("expert", "赵教授", Role.EXPERT, note="评审专家"),
    Persona("firm", "齐鲁评估公司", Role.FIRM, note="第三方机构"),
    Persona("leader", "孙局长", Role.VIEWER, note="局领导/人大（只读）"),
    Persona("sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
    Persona("secadmin", "安全保密管理员", Role.SECURITY_ADMIN),
    Persona("auditor", "安全审计员", Role.AUDIT_ADMIN),
    # the same roles in another agency of the same region
    Persona("preparer_agri", "周敏", Role.AGENCY_PREPARER, agency="102001", note="农技中心填报人"),
    Persona("unit_head_agri", "吴强", Role.AGENCY_HEAD, agency="102001", note="农技中心负责人"),
    Persona("dept_reviewer_agri", "郑磊", Role.DEPARTMENT_REVIEWER, agency="102", note="农业农村局审核人"),
    Persona("section_reviewer_agri", "钱红", Role.SECTION_REVIEWER, section="S02", note="农业股"),
    # and in another region
    Persona("far_preparer", "哈斯", Role.AGENCY_PREPARER, region=OTHER, agency="101001"),
    Persona("far_dept_reviewer", "图尔逊", Role.DEPARTMENT_REVIEWER, region=OTHER, agency="101"),
    Persona("far_section_reviewer", "阿依古丽", Role.SECTION_REVIEWER, region=OTHER, section="S01"),
    Persona("far_perf_section", "巴特尔", Role.PERFORMANCE_SECTION, region=OTHER, section="S09"),
    Persona("far_leader", "艾力", Role.VIEWER, region=OTHER),
    Persona("far_sysadmin", "系统管理员（察县）", Role.SYSTEM_ADMIN, region=OTHER),
    Persona("far_secadmin", "安全保密管理员（察县）", Role.SECURITY_ADMIN, region=OTHER),
    Persona("far_auditor", "安全审计员（察县）", Role.AUDIT_ADMIN, region=OTHER),
    # above the home county in the region tree: the province's and the city's performance division
    # see 临朐县 (and the city's other counties) read-only, never 察布查尔 (another province)
    Persona("prov_perf_section", "林处长", Role.PERFORMANCE_SECTION, region=PROVINCE, note="山东省财政厅绩效处"),
    Persona("city_perf_section", "高科长", Role.PERFORMANCE_SECTION, region=CITY, note="潍坊市财政局绩效科"),
]

#: The personas of a province or a city (above the home county in the region tree).
SUPERVISORS = frozenset(p.username for p in PERSONAS if p.region in (PROVINCE, CITY))

PERSONA_BY_NAME = {p.username: p for p in PERSONAS}


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    agencies: dict[tuple[str, str], Agency] = field(default_factory=dict)
    sections: dict[tuple[str, str], FinanceSection] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def agency(self, code: str, region: str = HOME) -> Agency:
        return self.agencies[(region, code)]

    def section(self, code: str, region: str = HOME) -> FinanceSection:
        return self.sections[(region, code)]

    def user(self, username: str) -> User:
        return self.users[username]


def build_world(*, year: int, password: str = DEMO_PASSWORD, extra_agencies=()) -> World:
    """Create the regions, agencies, sections and persona logins above (idempotent: existing rows
    are reused). ``extra_agencies`` rows have the same shape as :data:`AGENCIES` and are created
    before the sections, so the demo builder can grow the county around the personas."""
    world = World()
    sectors = {s.code: s for s in Sector.objects.all()}
    for code, name, level, parent in REGIONS:
        region = Region.objects.filter(code=code).first() or services.create_region(
            actor=SYSTEM, code=code, name=name, level=level, parent=world.regions.get(parent), year=year
        )
        world.regions[code] = region
    for rcode, code, name, kind, parent, sector in [*AGENCIES, *extra_agencies]:
        region = world.regions[rcode]
        agency = Agency.objects.filter(region=region, code=code).first() or services.create_agency(
            actor=SYSTEM, region=region, code=code, name=name, kind=kind,
            parent=world.agencies.get((rcode, parent)) if parent else None, sector=sectors.get(sector),
        )
        world.agencies[(rcode, code)] = agency
    for rcode, code, name, kind, looked_after in SECTIONS:
        region = world.regions[rcode]
        section = FinanceSection.objects.filter(region=region, code=code).first() or services.create_section(
            actor=SYSTEM, region=region, code=code, name=name, kind=kind,
            agencies=[world.agencies[(rcode, c)] for c in looked_after],
        )
        world.sections[(rcode, code)] = section
    for p in PERSONAS:
        user = User.objects.filter(username=p.username).first() or services.create_user(
            actor=SYSTEM, region=world.regions[p.region], username=p.username, display_name=p.display_name,
            role=p.role, password=password,
            agency=world.agencies[(p.region, p.agency)] if p.agency else None,
            finance_section=world.sections[(p.region, p.section)] if p.section else None,
            allow_admin_role=is_admin(p), demo=True,
        )
        world.users[p.username] = user
    return world
