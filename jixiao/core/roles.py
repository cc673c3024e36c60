"""The roles of mission.md and how each one is scoped.

Roles live in core (not org) because scoping, review chains and navigation all need them; org's
User model stores one role per login. One role per login is what keeps the three administrators
(三员) separate by construction: a person who needs two roles needs two logins, and no screen lets
anyone give an administrator role (only ``manage.py create_user`` at installation).
"""

from django.db import models


class Role(models.TextChoices):
    AGENCY_PREPARER = "agency_preparer", "单位填报人"
    AGENCY_HEAD = "agency_head", "单位负责人"
    DEPARTMENT_REVIEWER = "department_reviewer", "主管部门审核人"
    SECTION_REVIEWER = "section_reviewer", "业务股室审核人"
    PERFORMANCE_SECTION = "performance_section", "绩效股"
    EXPERT = "expert", "专家"
    FIRM = "firm", "第三方机构"
    VIEWER = "viewer", "领导/人大（只读）"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全保密管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


#: Roles that see exactly their own agency.
AGENCY_ROLES = frozenset({Role.AGENCY_PREPARER, Role.AGENCY_HEAD})
#: Roles that see their department and every unit under it.
SUBTREE_ROLES = frozenset({Role.DEPARTMENT_REVIEWER})
#: Roles that belong to the finance bureau or its administration and see their whole region.
REGION_ROLES = frozenset(
    {
        Role.SECTION_REVIEWER,
        Role.PERFORMANCE_SECTION,
        Role.VIEWER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)
#: Region roles that, in a province or a city, also see the regions below theirs (the region tree,
#: ``Region.path``) — read-only: only the ``view`` scope reaches down; every change, create, delete
#: and declared action stays in the user's own region. A county has no region below it, so a county
#: never sees another county. The performance division (绩效处/绩效科) supervises and runs the
#: statistics over its counties (issue #12).
SUPERVISING_ROLES = frozenset({Role.PERFORMANCE_SECTION})
#: Roles that see only the tasks drawn or assigned to them.
ASSIGNED_ROLES = frozenset({Role.EXPERT, Role.FIRM})
#: The three separated administrators (三员分立).
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
#: Roles that belong to an agency (the user record must name one).
AGENCY_BOUND_ROLES = AGENCY_ROLES | SUBTREE_ROLES
#: Business roles the system administrator may give when creating a login; administrator roles
#: are never grantable in the application.
GRANTABLE_ROLES = frozenset(set(Role) - ADMIN_ROLES)
FINANCE_ROLES = frozenset({Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION})
#: Roles that can take a step of a review chain (core.review): each has an assignee resolver (org,
#: pools). A preparer submits, a viewer only reads, a firm does commissioned work, administrators
#: never see business data — a chain step of theirs would leave an object in review forever.
REVIEW_ROLES = (Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION,
                Role.EXPERT)


def has_role(user, roles) -> bool:
    """The one reading of a declared role set (``has_role(user, ADMIN_ROLES)``) for code that is
    not about a model's action (those are declared in the model's ``scope_rule``). ``user`` is
    anything with a ``role`` (a user, a persona, :data:`~jixiao.core.actors.SYSTEM`)."""
    return (getattr(user, "role", "") or "") in roles


def is_admin(user) -> bool:
    """One of the three separated administrators (三员)."""
    return has_role(user, ADMIN_ROLES)


def is_assigned(user) -> bool:
    """The user sees only what is drawn or assigned to them (experts, firms)."""
    return getattr(user, "role", "") in ASSIGNED_ROLES


def sees_subtree(user) -> bool:
    """The user sees a department and every unit under it (the department reviewer)."""
    return getattr(user, "role", "") in SUBTREE_ROLES


def sees_own_agency_only(user) -> bool:
    """The user sees exactly their own agency (preparer, agency head)."""
    return getattr(user, "role", "") in AGENCY_ROLES
