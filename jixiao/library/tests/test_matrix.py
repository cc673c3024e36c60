"""The access matrix for indicator templates (see tests/matrix.py): a region's own template."""

import pytest

from jixiao.core.actors import SYSTEM
from jixiao.library import services
from jixiao.library.models import IndicatorTemplate
from jixiao.org.models import Sector
from tests.matrix import ModelMatrix

pytestmark = pytest.mark.django_db


class TestTemplateMatrix(ModelMatrix):
    model = IndicatorTemplate
    app, name = "library", "template"
    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "sysadmin", "far_perf_section", "leader"

    def get_object(self, world):
        region = world.regions["370724"]
        existing = IndicatorTemplate.objects.filter(region=region, name="临朐县校园安全设施配备率").first()
        return existing or services.create_template(
            actor=SYSTEM, region=region, name="临朐县校园安全设施配备率", level1="output", level2="quality",
            operator="ge", typical_value="95", unit="%", sector=Sector.objects.get(code="education"))

    def create_data(self, world):
        return {"name": "临朐县课后服务覆盖率", "level1": "output", "level2": "quality", "operator": "ge",
                "typical_value": "90", "unit": "%", "value_basis": "plan", "kind": "specific", "serves": "project",
                "active": "on"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "name": "临朐县校园安防设施配备率", "level1": obj.level1,
                "level2": obj.level2, "operator": obj.operator, "typical_value": "96", "unit": "%",
                "value_basis": "sector", "kind": "specific", "serves": "project", "active": "on"}
