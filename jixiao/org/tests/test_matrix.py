"""The access matrix for the F1 models (see tests/matrix.py)."""

import pytest

from jixiao.core.models import RegionConfig
from jixiao.org.models import Agency, FinanceSection, User
from tests.matrix import ModelMatrix

pytestmark = pytest.mark.django_db


class TestAgencyMatrix(ModelMatrix):
    model = Agency
    app, name = "org", "agency"
    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "expert", "far_perf_section", "leader"

    def get_object(self, world):
        return world.agency("101001")

    def create_data(self, world):
        return {"code": "101009", "name": "临朐县第九中学", "kind": "unit", "parent": world.agency("101").pk,
                "active": "on"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "code": obj.code, "name": "临朐县第一中学（新校区）", "kind": obj.kind,
                "parent": obj.parent_id, "active": "on"}


class TestSectionMatrix(ModelMatrix):
    model = FinanceSection
    app, name = "org", "section"
    in_scope, no_permission, out_of_scope, viewer_only = "sysadmin", "preparer", "far_sysadmin", "section_reviewer"

    def get_object(self, world):
        return world.section("S01")

    def create_data(self, world):
        return {"code": "S05", "name": "社保股", "kind": "business"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "code": obj.code, "name": "教科文卫股", "kind": obj.kind,
                "agencies": [world.agency("101").pk]}


class TestUserMatrix(ModelMatrix):
    model = User
    app, name = "org", "user"
    in_scope, no_permission, out_of_scope, viewer_only = "sysadmin", "perf_section", "far_sysadmin", "secadmin"
    # 三员 on a business user's login: the system administrator keeps the account, the security
    # administrator grants roles and unlocks; the other region's administrators are out of scope
    action_personas = {
        "edit_profile": {"sysadmin"},
        "reset_password": {"sysadmin"},
        "grant_role": {"secadmin"},
        "unlock": {"secadmin"},
    }

    def get_object(self, world):
        return world.user("unit_head")

    def label(self, obj):
        return obj.display_name

    def changed_field(self):
        return "display_name"

    def create_data(self, world):
        return {"username": "newclerk", "display_name": "新填报员", "role": "agency_preparer",
                "agency": world.agency("101002").pk, "password": "Xinzhang#2026"}

    def edit_data(self, world, obj):
        return {"version": obj.version, "display_name": "李建国（校长）", "agency": obj.agency_id,
                "phone": "", "is_active": "on"}


class TestRegionConfigMatrix(ModelMatrix):
    model = RegionConfig
    app, name = "core", "config"
    in_scope, no_permission, out_of_scope, viewer_only = "perf_section", "preparer", "far_perf_section", "leader"
    has_create = False  # configuration records are seeded per year, never created one by one

    def get_object(self, world):
        return RegionConfig.objects.get(region=world.regions["370724"], year=2026, key="deviation")

    def label(self, obj):
        return "偏差阈值"

    def changed_field(self):
        return "value"

    def test_list(self, world):
        # one page for the region's configuration of a year (no per-record list)
        obj = self.get_object(world)
        assert self.client(world, None).get(self.url("list")).status_code == 302
        assert self.client(world, self.no_permission).get(self.url("list")).status_code == 403
        r = self.client(world, self.in_scope).get(self.url("list") + "?year=2026")
        assert r.status_code == 200 and self.label(obj) in r.content.decode()
        assert f"/core/config/{obj.pk}/" in r.content.decode()
        r = self.client(world, self.out_of_scope).get(self.url("list") + "?year=2026")
        assert f"/core/config/{obj.pk}/" not in r.content.decode()

    def test_detail(self, world):
        obj = self.get_object(world)
        url = self.url("edit", obj)  # the edit page is the record's only page
        assert self.client(world, None).get(url).status_code == 302
        for persona in (self.no_permission, self.out_of_scope, self.viewer_only):
            assert self.client(world, persona).get(url).status_code == 404
        assert self.client(world, self.in_scope).get(url).status_code == 200

    def url(self, action, obj=None):
        from django.urls import reverse

        if action == "detail":
            action = "edit"
        if action == "edit":
            return reverse("core:config_edit", kwargs={"pk": obj.pk})
        return super().url(action, obj)

    def edit_data(self, world, obj):
        return {"version": obj.version, "value-threshold": "0.25"}

    def test_edit(self, world):
        obj = self.get_object(world)
        url = self.url("edit", obj)
        original = obj.value
        for persona in (self.no_permission, self.out_of_scope, self.viewer_only):
            assert self.client(world, persona).post(url, self.edit_data(world, obj)).status_code == 404
            obj.refresh_from_db()
            assert obj.value == original
        r = self.client(world, self.in_scope).post(url, self.edit_data(world, obj))
        assert r.status_code == 302
        obj.refresh_from_db()
        assert obj.value == {"threshold": "0.25"}
        r = self.client(world, self.in_scope).post(url, {"version": obj.version - 1, "value-threshold": "0.3"})
        assert r.status_code == 200 and "已被他人修改" in r.content.decode()
        obj.refresh_from_db()
        assert obj.value == {"threshold": "0.25"}


@pytest.mark.parametrize("action", ["edit_profile", "reset_password", "grant_role"])
def test_no_administrator_acts_on_another_administrators_account(world, action):
    """Administrators' accounts are kept from the command line: no persona may do these to one."""
    from jixiao.core.actors import SYSTEM
    from jixiao.core.scoping import permits
    from jixiao.org.personas import PERSONAS

    for subject in ("sysadmin", "secadmin", "auditor"):
        account = world.user(subject)
        allowed = {p.username for p in PERSONAS if permits(world.user(p.username), account, action)}
        assert allowed <= ({subject} if action == "edit_profile" else set()), (subject, allowed)
        assert permits(SYSTEM, account, action)  # the command line may


def test_only_the_audit_administrator_verifies_the_audit_chains(world):
    from jixiao.core.models import ChangeLog
    from jixiao.core.scoping import can
    from jixiao.org.personas import PERSONAS

    assert {p.username for p in PERSONAS if can(world.user(p.username), ChangeLog, "verify")} == {
        "auditor", "far_auditor"}
