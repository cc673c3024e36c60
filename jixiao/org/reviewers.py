"""Who reviews at each step of a chain, for a reviewed object of a given agency
(谁申请资金谁编制目标，谁安排资金谁审核). Registered with core's review machinery at start-up."""

from __future__ import annotations

from jixiao.core import review as review_machinery
from jixiao.core.roles import Role


def _users():
    from jixiao.org.models import User

    return User.objects.all()


def _agency(review):
    from jixiao.org.models import Agency

    return Agency.objects.get(pk=review.agency_id) if review.agency_id else None


def own_agency(role):
    def resolve(review):
        return _users().filter(role=role, agency_id=review.agency_id, region_id=review.region_id)

    return resolve


def department(review):
    """The reviewers of the department the agency belongs to (its top-level ancestor)."""
    agency = _agency(review)
    if agency is None:
        return _users().none()
    return _users().filter(role=Role.DEPARTMENT_REVIEWER, agency_id__in=agency.ancestor_ids[:1],
                           region_id=review.region_id)


def section(review):
    """The finance section that looks after the agency or any department above it (对口管理)."""
    agency = _agency(review)
    if agency is None:
        return _users().none()
    return _users().filter(role=Role.SECTION_REVIEWER, region_id=review.region_id,
                           finance_section__agencies__in=agency.ancestor_ids).distinct()


def region_role(role):
    def resolve(review):
        return _users().filter(role=role, region_id=review.region_id)

    return resolve


def register() -> None:
    review_machinery.register_assignees(Role.AGENCY_PREPARER, own_agency(Role.AGENCY_PREPARER))
    review_machinery.register_assignees(Role.AGENCY_HEAD, own_agency(Role.AGENCY_HEAD))
    review_machinery.register_assignees(Role.DEPARTMENT_REVIEWER, department)
    review_machinery.register_assignees(Role.SECTION_REVIEWER, section)
    review_machinery.register_assignees(Role.PERFORMANCE_SECTION, region_role(Role.PERFORMANCE_SECTION))
