"""Projects for tests and the route walk, made through the services."""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.actors import SYSTEM
from jixiao.org.models import Sector
from jixiao.projects import services
from jixiao.projects.models import Project

HOME = "370724"


def _fields(world, agency_obj, overrides) -> dict:
    fields = dict(
        name="教学楼抗震加固改造项目", kind="project", sector=agency_obj.sector or Sector.objects.get(code="education"),
        budget_book="general_public", function_code="2050204", fund_sources=["own"],
        requested_amount=Decimal("1200000.00"), budget_amount=Decimal(0), is_new=False, is_major=False, tags=[],
        year=2026, start_year=2025, end_year=2027, description="对第一中学1号、2号教学楼进行抗震加固。",
    )
    fields.update(overrides)
    return fields


def make_project(world, *, code: str = "XM2026101001001", agency: str = "101001", region: str = HOME, **overrides):
    existing = Project.objects.filter(region=world.regions[region], code=code).first()
    if existing is not None:
        return existing
    agency_obj = world.agency(agency, region)
    return services.create_project(actor=SYSTEM, region=world.regions[region], agency=agency_obj, code=code,
                                   **_fields(world, agency_obj, overrides))


def project_at(world, stage: str, *, code: str, agency: str = "101001", region: str = HOME, **overrides):
    """A project of ``agency`` entered at ``stage`` (as a register carried over is: ``bulk_create_projects``),
    continuing and within its span, so no ex-ante assessment is asked."""
    existing = Project.objects.filter(region=world.regions[region], code=code).first()
    if existing is not None:
        return existing
    agency_obj = world.agency(agency, region)
    row = {**_fields(world, agency_obj, overrides), "agency": agency_obj, "code": code, "stage": stage}
    return services.bulk_create_projects(actor=SYSTEM, region=world.regions[region], rows=[row])[0]
