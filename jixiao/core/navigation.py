"""The navigation of the twelve capability areas and the administration pages, by role.

An area whose pages are not built yet points at the plain "not yet built" page; the issue that builds
it sets ``url_name``."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.core.roles import ADMIN_ROLES, AGENCY_ROLES, Role, has_role

BUSINESS = frozenset(set(Role) - ADMIN_ROLES)
AGENCY_SIDE = frozenset(AGENCY_ROLES | {Role.DEPARTMENT_REVIEWER})
FINANCE = frozenset({Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION})


@dataclass(frozen=True)
class Area:
    code: str
    label: str
    feature: str
    icon: str
    roles: frozenset
    url_name: str | None = None
    summary: str = ""

    @property
    def built(self) -> bool:
        """The area has working pages. One not built yet is shown as 建设中 on the home page (greyed,
        no link) and left out of the navigation bar, so nobody takes it for a working module."""
        return self.url_name is not None


AREAS: tuple[Area, ...] = (
    Area("org", "组织机构", "F1", "diagram-3", BUSINESS - {Role.EXPERT, Role.FIRM}, "org:agency_list",
         "行政区划、预算部门与单位、财政股室及对口关系。"),
    Area("library", "指标库", "F2", "journal-bookmark", BUSINESS, "library:template_list", "分行业、分层级的绩效指标模板，编制目标时智能推荐。"),
    Area("projects", "项目库", "F3", "folder2-open", AGENCY_SIDE | FINANCE | {Role.VIEWER}, "projects:project_list",
         "项目与政策从储备到完结的全过程，先评估后入库、无目标不安排预算。"),
    Area("assessment", "事前评估", "F4", "clipboard-check", AGENCY_SIDE | FINANCE | {Role.EXPERT, Role.VIEWER}, "assessment:index",
         "新增重大项目和政策的事前绩效评估，专家打分并形成评估意见。"),
    Area("targets", "目标管理", "F5", "bullseye", AGENCY_SIDE | FINANCE | {Role.EXPERT, Role.VIEWER}, "targets:sheet_list",
         "绩效目标申报、审核、批复、调整与覆盖率统计。"),
    Area("monitoring", "运行监控", "F6", "activity", AGENCY_SIDE | FINANCE | {Role.VIEWER}, "monitoring:round_list",
         "预算执行与目标实现“双监控”，偏差预警与纠偏。"),
    Area("evaluation", "绩效评价", "F7", "award", BUSINESS, None, "单位自评、部门评价和财政重点评价。"),
    Area("results", "结果应用", "F8", "arrow-repeat", AGENCY_SIDE | FINANCE | {Role.VIEWER}, None,
         "问题整改、两书一函、评价结果与预算挂钩、问责。"),
    Area("pools", "专家与机构", "F9", "people", FINANCE | {Role.EXPERT, Role.FIRM, Role.VIEWER}, "pools:index", "专家库、第三方机构库及随机抽取。"),
    Area("appraisal", "绩效考核", "F10", "trophy", AGENCY_SIDE | FINANCE | {Role.VIEWER}, None,
         "部门和乡镇预算绩效管理工作考核、排名、通报。"),
    Area("disclosure", "信息公开", "F11", "megaphone", FINANCE | {Role.VIEWER}, None, "绩效目标和评价结果公开，向人大报送。"),
    Area("reports", "统计报表", "F12", "bar-chart", FINANCE | {Role.VIEWER, Role.DEPARTMENT_REVIEWER}, None,
         "看板、统计报表和年度工作报告。"),
)


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    icon: str
    roles: frozenset


ADMIN_LINKS: tuple[Link, ...] = (
    # the system administrator keeps the agencies (no business area in the menu otherwise)
    Link("组织机构", "org:agency_list", "diagram-3", frozenset({Role.SYSTEM_ADMIN})),
    Link("用户管理", "org:user_list", "person-gear", frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})),
    Link("财政股室", "org:section_list", "building", frozenset({Role.SYSTEM_ADMIN, Role.PERFORMANCE_SECTION})),
    Link("区划年度配置", "core:config_list", "sliders", frozenset({Role.PERFORMANCE_SECTION})),
    Link("安全事件", "core:security_events", "shield-lock", frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})),
    Link("变更日志", "core:change_log", "journal-text", frozenset({Role.AUDIT_ADMIN})),
)


def areas_for(role: str) -> list[Area]:
    """The built areas of the role (the navigation bar and the home page's tiles)."""
    return [a for a in AREAS if role in a.roles and a.built]


def planned_areas_for(role: str) -> list[Area]:
    """The role's areas not built yet: 建设中 on the home page, not clickable."""
    return [a for a in AREAS if role in a.roles and not a.built]


def admin_links_for(role: str) -> list[Link]:
    return [link for link in ADMIN_LINKS if role in link.roles]


def area_open_to(code: str, user) -> Area | None:
    """The area ``code`` when the user's role has it in the navigation (its declared ``roles``)."""
    found = area(code)
    return found if found is not None and has_role(user, found.roles) else None


def area(code: str) -> Area | None:
    return next((a for a in AREAS if a.code == code), None)
