"""The access matrix for target sheets (see tests/matrix.py): list, detail, create (a project's
declared sheet) and edit (the header form with its version); sheets are never deleted — a later
version supersedes an approved one."""

import pytest

from jixiao.targets import services
from jixiao.targets.models import TargetSheet
from jixiao.targets.tests.factories import approved_sheet, make_project, make_sheet
from tests.matrix import ModelMatrix

pytestmark = pytest.mark.django_db


class TestTargetSheetMatrix(ModelMatrix):
    model = TargetSheet
    app, name = "targets", "sheet"
    in_scope, no_permission, out_of_scope, viewer_only = "preparer", "firm", "far_preparer", "leader"

    # declared actions × every persona: the draft of 临朐县第一中学 (edit, submit), the same sheet
    # submitted (review: its first step, 单位自审, is the agency head's), an approved sheet (adjust,
    # publish, admit) and a draft with an expert panel (draw)
    action_personas = {
        "edit": {"preparer", "perf_section"},
        "submit": {"preparer"},
        "review": {"unit_head"},
        "adjust": {"preparer", "perf_section"},
        "publish": {"perf_section"},
        "draw_panel": {"perf_section"},
        "admit_to_library": {"perf_section"},
    }

    def get_object(self, world):
        return make_sheet(world)

    def action_object(self, world, action):
        if action == "review":
            sheet = make_sheet(world, project=make_project(world, code="XM2026101001021"))
            if sheet.status == "draft":
                sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
            return sheet
        if action in ("adjust", "publish", "admit_to_library"):
            return approved_sheet(world, project=make_project(world, code="XM2026101001022"))
        if action == "draw_panel":
            return make_sheet(world, project=make_project(world, code="XM2026101001023"), include_expert_panel=True)
        return make_sheet(world)

    def label(self, obj):
        return obj.title

    def changed_field(self):
        return "annual_goal"

    def create_data(self, world):
        make_sheet(world)
        return {"year": 2026, "subject": make_project(world, code="XM2026101001009", name="校园安防改造项目").pk}

    def edit_data(self, world, obj):
        return {"version": obj.version, "annual_goal": "完成两栋教学楼抗震加固并通过验收", "amount": "120",
                "fiscal_amount": "120", "other_amount": "0", "medium_goal": "三年内完成全部校舍加固",
                "medium_amount": "300", "medium_fiscal": "300", "medium_other": "0"}
