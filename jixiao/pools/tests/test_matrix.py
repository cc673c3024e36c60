"""The access matrix for the pools (see tests/matrix.py)."""

import pytest

from jixiao.org.models import Sector
from jixiao.pools.models import DrawnExpert, Expert, Firm
from jixiao.pools.rules import with_check_char
from jixiao.pools.tests.helpers import ensure_pool
from tests.matrix import ActionMatrix, ModelMatrix

pytestmark = pytest.mark.django_db


class TestExpertMatrix(ModelMatrix):
    model = Expert
    app, name = "pools", "expert"
    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "expert", "far_perf_section", "leader"
    # the contact details go with the performance section's role (the province's and the city's read
    # the county's pool, contacts included, as before)
    action_personas = {"view_contact": {"perf_section", "prov_perf_section", "city_perf_section"}}

    def get_object(self, world):
        return ensure_pool(world)["experts"]["李国强"]

    def create_data(self, world):
        return {"name": "马振华", "organisation": "潍坊学院", "fields": [Sector.objects.get(code="science").pk],
                "status": "active"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "name": "李国强（退休返聘）", "organisation": obj.organisation,
                "fields": [s.pk for s in obj.fields.all()], "status": obj.status}


class TestFirmMatrix(ModelMatrix):
    model = Firm
    app, name = "pools", "firm"
    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "firm", "far_perf_section", "section_reviewer"

    def get_object(self, world):
        return ensure_pool(world)["firm"]

    def create_data(self, world):
        return {"name": "潍坊衡信律师事务所", "kind": "law", "credit_code": with_check_char("31370000MD0123456"),
                "status": "active"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "name": "山东正信会计师事务所有限公司", "kind": obj.kind,
                "credit_code": obj.credit_code, "status": obj.status, "user": "firm"}


class TestDrawnExpertActions(ActionMatrix):
    """An invitation: 赵明远 (the ``expert`` persona) accepts or declines his own; the performance
    section replaces a drawn expert."""

    model = DrawnExpert
    action_personas = {"accept": {"expert"}, "decline": {"expert"}, "replace": {"perf_section"},
                       "accept_on_behalf": {"perf_section"}}

    def action_object(self, world, action):
        pool = ensure_pool(world)
        if action == "accept_on_behalf":  # 周海燕 has no login: the section confirms from her signed sheet
            return DrawnExpert.objects.get(draw=pool["draw"], expert=pool["experts"]["周海燕"])
        return pool["mine"]
