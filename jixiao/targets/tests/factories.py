"""Target sheets for tests and the route walk, made through the services."""

from __future__ import annotations

from jixiao.projects.tests.factories import HOME, make_project
from jixiao.targets import services
from jixiao.targets.models import TargetSheet

#: A complete, clean set of indicators under the 2021 taxonomy (the national default).
GOOD_ROWS = [
    {"level1": "output", "level2": "quantity", "name": "加固教学楼栋数", "operator": "ge", "value": "2", "unit": "栋",
     "weight": "20"},
    {"level1": "output", "level2": "quality", "name": "工程验收合格率", "operator": "eq", "value": "100", "unit": "%",
     "weight": "20"},
    {"level1": "output", "level2": "timeliness", "name": "工程完工时间", "operator": "le", "value": "12",
     "unit": "月", "weight": "10"},
    {"level1": "cost", "level2": "economic_cost", "name": "每栋加固成本", "operator": "le", "value": "60",
     "unit": "万元", "weight": "10"},
    {"level1": "benefit", "level2": "social", "name": "校舍安全达标率", "operator": "ge", "value": "95", "unit": "%",
     "weight": "30"},
    {"level1": "satisfaction", "level2": "beneficiary", "name": "师生满意度", "operator": "ge", "value": "90",
     "unit": "%", "weight": "10"},
]
GOAL = "完成第一中学1号、2号教学楼抗震加固，校舍安全达标，保障师生安全。"


def make_sheet(world, *, project=None, rows=GOOD_ROWS, goal: str = GOAL, actor="preparer", **kwargs) -> TargetSheet:
    """A project's declared sheet with indicators, written by the preparer (draft)."""
    project = project or make_project(world)
    existing = TargetSheet.objects.filter(project=project, year=project.year, number=1).first()
    if existing is not None:
        return existing
    actor = world.user(actor) if isinstance(actor, str) else actor
    sheet = services.create_sheet(actor=actor, year=project.year, project=project, annual_goal=goal, **kwargs)
    if rows:
        sheet = services.save_indicators(actor=actor, sheet=sheet, version=sheet.version, rows=rows)
    return sheet


#: The default target chain for 临朐县第一中学 (101001): who acts at each step.
CHAIN_ACTORS = ["unit_head", "dept_reviewer", "section_reviewer", "perf_section"]


def approve_through(world, sheet, users=CHAIN_ACTORS) -> TargetSheet:
    for username in users:
        sheet.refresh_from_db()
        sheet = services.approve_sheet(actor=world.user(username), sheet=sheet, version=sheet.version,
                                       opinion=f"{username} 同意")
    return sheet


def approved_sheet(world, **kwargs) -> TargetSheet:
    sheet = make_sheet(world, **kwargs)
    if sheet.status == "approved":
        return sheet
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    return approve_through(world, sheet)


__all__ = ["HOME", "make_project", "make_sheet", "approve_through", "approved_sheet", "GOOD_ROWS", "GOAL"]
