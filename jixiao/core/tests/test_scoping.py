"""ScopedQuerySet.for_user across every kind of role, on real models (Agency, User, RegionConfig,
Region) and on the test-only Sheet, which is owned through an ``agency`` foreign key."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jixiao.core import inbox
from jixiao.core.actors import SYSTEM
from jixiao.core.config import SPECS
from jixiao.core.models import ChangeLog, InboxItem, RegionConfig
from jixiao.core.roles import Role
from jixiao.core.scoping import ScopedQuerySet, assert_in_scope, can, get_for_user, in_scope, scope_rule
from jixiao.org import services
from jixiao.org.models import Agency, Region, User
from tests.reviewapp.models import Sheet

HOME, OTHER = "370724", "654022"
HOME_AGENCIES = {"101", "101001", "101002", "102", "102001", "901"}
EDU = {"101", "101001", "101002"}
AGRI = {"102", "102001"}


def codes(qs):
    return set(qs.values_list("code", flat=True))


def usernames(qs):
    return set(qs.values_list("username", flat=True))


def home_users():
    return usernames(User.objects.filter(region__code=HOME))


# --- agencies -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("username", "view", "change"),
    [
        ("preparer", {"101001"}, set()),
        ("unit_head", {"101001"}, set()),
        ("preparer_agri", {"102001"}, set()),
        ("dept_reviewer", EDU, set()),
        ("dept_reviewer_agri", AGRI, set()),
        ("section_reviewer", HOME_AGENCIES, set()),
        ("perf_section", HOME_AGENCIES, HOME_AGENCIES),
        ("leader", HOME_AGENCIES, set()),
        ("sysadmin", HOME_AGENCIES, HOME_AGENCIES),
        ("secadmin", HOME_AGENCIES, set()),
        ("auditor", HOME_AGENCIES, set()),
        ("expert", set(), set()),
        ("firm", set(), set()),
        ("far_preparer", {"101001"}, set()),
        ("far_dept_reviewer", {"101", "101001"}, set()),
        ("far_perf_section", {"101", "101001"}, {"101", "101001"}),
    ],
)
def test_agency_scope(world, username, view, change):
    user = world.user(username)
    region = world.user(username).region
    assert codes(Agency.objects.for_user(user, "view")) == view
    assert codes(Agency.objects.for_user(user, "change")) == change
    # whatever is visible is in the user's own region
    assert set(Agency.objects.for_user(user, "view").values_list("region", flat=True)) <= {region.pk}


def test_far_personas_see_the_same_codes_in_their_own_region_only(world):
    far = Agency.objects.for_user(world.user("far_preparer"), "view").get()
    assert far.region.code == OTHER and far.name == "察布查尔锡伯自治县第一中学"


def test_anonymous_sees_nothing(world):
    anon = AnonymousUser()
    for model in (Agency, User, RegionConfig, Region, Sheet, ChangeLog):
        for action in ("view", "change"):
            assert not model.objects.for_user(anon, action).exists()
            # a forgotten actor is a programming error, not an anonymous user (issue #8: SYSTEM)
            with pytest.raises(TypeError):
                model.objects.for_user(None, action)
    assert not can(anon, Agency, "view") and not can(None, Agency, "view")


def test_an_inactive_user_sees_nothing(world):
    sysadmin = world.user("sysadmin")
    perf = world.user("perf_section")
    assert Agency.objects.for_user(perf, "view").exists()
    perf = services.update_user(actor=sysadmin, user=perf, version=perf.version, is_active=False)
    for model in (Agency, RegionConfig, Region, Sheet):
        assert not model.objects.for_user(perf, "view").exists()


def test_half_bound_logins_see_nothing(world):
    """A login missing the binding its role needs (no region; an agency role without agency) sees
    nothing rather than everything."""
    home = world.regions[HOME]
    no_region = User(username="x1", role=Role.PERFORMANCE_SECTION, region=None, is_active=True)
    no_agency = User(username="x2", role=Role.AGENCY_PREPARER, region=home, agency=None, is_active=True)
    no_role = User(username="x3", role="", region=home, is_active=True)
    for user in (no_region, no_agency, no_role):
        assert not Agency.objects.for_user(user, "view").exists()
        assert not Sheet.objects.for_user(user, "view").exists()
    assert not RegionConfig.objects.for_user(no_region, "view").exists()


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError):
        Agency.objects.for_user(world.user("perf_section"), "approve")


# --- users --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("username", "view", "change", "create"),
    [
        ("sysadmin", True, True, True),
        ("secadmin", True, True, False),
        ("auditor", False, False, False),
        ("perf_section", False, False, False),
        ("preparer", False, False, False),
        ("dept_reviewer", False, False, False),
        ("expert", False, False, False),
        ("leader", False, False, False),
    ],
)
def test_user_scope(world, username, view, change, create):
    user = world.user(username)
    assert usernames(User.objects.for_user(user, "view")) == (home_users() if view else set())
    assert usernames(User.objects.for_user(user, "change")) == (home_users() if change else set())
    assert can(user, User, "create") is create


def test_far_sysadmin_manages_only_its_own_users(world):
    seen = usernames(User.objects.for_user(world.user("far_sysadmin"), "view"))
    assert seen == usernames(User.objects.filter(region__code=OTHER))
    assert "preparer" not in seen and "far_preparer" in seen


# --- region configuration -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("username", "view", "change"),
    [
        ("perf_section", True, True),
        ("section_reviewer", True, False),
        ("leader", True, False),
        ("sysadmin", True, False),
        ("secadmin", False, False),
        ("auditor", False, False),
        ("preparer", False, False),
        ("dept_reviewer", False, False),
        ("expert", False, False),
    ],
)
def test_region_config_scope(world, username, view, change):
    user = world.user(username)
    home_rows = set(RegionConfig.objects.filter(region__code=HOME).values_list("pk", flat=True))
    assert len(home_rows) == len(SPECS)
    assert set(RegionConfig.objects.for_user(user, "view").values_list("pk", flat=True)) == (home_rows if view else set())
    assert set(RegionConfig.objects.for_user(user, "change").values_list("pk", flat=True)) == (
        home_rows if change else set())


def test_region_scope_is_the_users_own_region(world):
    assert list(Region.objects.for_user(world.user("perf_section"), "view")) == [world.regions[HOME]]
    assert list(Region.objects.for_user(world.user("far_leader"), "view")) == [world.regions[OTHER]]
    assert not Region.objects.for_user(world.user("perf_section"), "change").exists()
    # a region is visible to everyone in it (agency="*", assigned="*"), and to no one outside it
    for username in ("preparer", "dept_reviewer", "expert", "firm"):
        assert list(Region.objects.for_user(world.user(username), "view")) == [world.regions[HOME]]
    assert list(Region.objects.for_user(world.user("far_preparer"), "view")) == [world.regions[OTHER]]


# --- an object owned through an agency foreign key ----------------------------------------------------

@pytest.fixture
def sheets(world):
    # Sheet is the test-only reviewable model; it has no services of its own.
    out = {}
    for rcode, code in [(HOME, "101"), (HOME, "101001"), (HOME, "101002"), (HOME, "102001"), (HOME, "901"),
                        (OTHER, "101001")]:
        agency = world.agency(code, rcode)
        out[(rcode, code)] = Sheet.objects.create(region=agency.region, agency=agency, title=f"{rcode}-{code}")
    return out


@pytest.mark.parametrize(
    ("username", "titles"),
    [
        ("preparer", {"370724-101001"}),
        ("dept_reviewer", {"370724-101", "370724-101001", "370724-101002"}),
        ("dept_reviewer_agri", {"370724-102001"}),
        ("section_reviewer", {"370724-101", "370724-101001", "370724-101002", "370724-102001", "370724-901"}),
        ("auditor", {"370724-101", "370724-101001", "370724-101002", "370724-102001", "370724-901"}),
        ("expert", set()),
        ("far_preparer", {"654022-101001"}),
        ("far_leader", {"654022-101001"}),
    ],
)
def test_agency_owned_rows(world, sheets, username, titles):
    assert set(Sheet.objects.for_user(world.user(username), "view").values_list("title", flat=True)) == titles


def test_subtree_does_not_match_a_sibling_with_a_longer_id_prefix(world, sheets):
    """Paths are "/12/45/": the department with id 1 must not see the subtree of id 12."""
    dept = world.agency("101")
    # the next agency gets id <dept.pk>0 (ids are not reset between tests on PostgreSQL, so counting
    # up to it could take thousands of rows): move the id sequence there, then create it normally
    from django.db import connection

    next_id = dept.pk * 10
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('org_agency', 'id'), %s, false)", [next_id])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = 'org_agency'", [next_id - 1])
    lookalike = services.create_agency(actor=SYSTEM, region=world.regions[HOME], code="8000", name="街道甲",
                                       kind="township")
    assert lookalike.pk == next_id and lookalike.path == f"/{next_id}/"
    lookalikes = Agency.objects.filter(path__startswith=dept.path.rstrip("/")).exclude(path__startswith=dept.path)
    assert lookalikes.exists()  # without the trailing slash the prefix would catch them
    assert codes(Agency.objects.for_user(world.user("dept_reviewer"), "view")) == EDU


# --- the assigned branch ------------------------------------------------------------------------------

def test_assigned_roles_see_only_rows_assigned_to_them(world, monkeypatch):
    """No F1 model is assigned to experts yet, so the branch is exercised with a rule over the inbox,
    whose rows each belong to one user."""
    monkeypatch.setattr(InboxItem, "scope", scope_rule(agency=None, assigned="user", view=set(Role)), raising=False)
    home = world.regions[HOME]
    expert, firm = world.user("expert"), world.user("firm")
    inbox.open_items(users=[expert], region_id=home.pk, kind="assignment", title="评审任务甲")
    inbox.open_items(users=[expert, firm], region_id=home.pk, kind="assignment", title="评审任务乙")
    inbox.open_items(users=[world.user("perf_section")], region_id=home.pk, kind="assignment", title="绩效股事项")
    qs = ScopedQuerySet(model=InboxItem)
    assert set(qs.for_user(expert, "view").values_list("title", flat=True)) == {"评审任务甲", "评审任务乙"}
    assert set(qs.for_user(firm, "view").values_list("title", flat=True)) == {"评审任务乙"}
    # a region role sees the region's rows; an agency role sees none (rule has no agency owner)
    assert qs.for_user(world.user("perf_section"), "view").count() == 4
    assert not qs.for_user(world.user("preparer"), "view").exists()


# --- single objects -----------------------------------------------------------------------------------

def test_get_for_user_gives_the_same_404_for_missing_and_not_yours(world):
    preparer = world.user("preparer")
    mine, theirs = world.agency("101001"), world.agency("102001")
    assert get_for_user(Agency, preparer, "view", pk=mine.pk) == mine
    messages = []
    for pk in (theirs.pk, 10**9, "abc"):
        with pytest.raises(Http404) as exc:
            get_for_user(Agency, preparer, "view", pk=pk)
        messages.append(str(exc.value))
    assert len(set(messages)) == 1 and messages[0] == "记录不存在或您无权访问。"
    with pytest.raises(Http404):
        get_for_user(Agency.objects.select_related("parent"), preparer, "change", pk=mine.pk)


def test_assert_in_scope_and_can(world):
    perf, far = world.user("perf_section"), world.user("far_perf_section")
    agency = world.agency("101001")
    assert_in_scope(agency, perf, "change")
    assert in_scope(agency, perf, "view") and not in_scope(agency, far, "view")
    with pytest.raises(PermissionDenied):
        assert_in_scope(agency, far, "change")
    with pytest.raises(PermissionDenied):
        assert_in_scope(agency, world.user("leader"), "change")
    assert can(perf, Agency, "create") and can(far, Agency, "create")  # role-level only, before row scope
    assert not can(world.user("leader"), Agency, "change")
    assert not can(world.user("expert"), Agency, "view")


def test_a_write_that_leaves_the_actors_scope_is_rolled_back(world):
    """Services re-check scope after saving: a 绩效股 user cannot move an agency into another region's
    reach, and the failed write leaves nothing behind."""
    far = world.user("far_perf_section")
    agency = world.agency("101001")
    with pytest.raises(Http404):
        get_for_user(Agency, far, "change", pk=agency.pk)
    with pytest.raises(PermissionDenied):
        services.update_agency(actor=far, agency=agency, version=agency.version, name="越权修改")
    assert Agency.objects.get(pk=agency.pk).name == "临朐县第一中学"


# --- the region tree (issue #12) --------------------------------------------------------------------

PROVINCE, CITY = "370000", "370700"


@pytest.fixture
def second_county(world, sheets):
    """Another county under the same city (潍坊市), with an agency and a sheet of its own."""
    county = services.create_region(actor=SYSTEM, code="370725", name="昌乐县", level="county",
                                    parent=world.regions[CITY], year=2026)
    agency = services.create_agency(actor=SYSTEM, region=county, code="101", name="昌乐县教育局", kind="department")
    Sheet.objects.create(region=county, agency=agency, title="370725-101")
    return county


def test_region_paths_follow_the_tree(world):
    province, city, home = (world.regions[c] for c in (PROVINCE, CITY, HOME))
    assert province.path == f"/{province.pk}/"
    assert city.path == f"/{province.pk}/{city.pk}/"
    assert home.path == f"/{province.pk}/{city.pk}/{home.pk}/"
    assert world.regions[OTHER].path == f"/{world.regions[OTHER].pk}/"  # a county of another province


def test_province_and_city_performance_divisions_view_the_regions_below(world, second_county):
    prov, city = world.user("prov_perf_section"), world.user("city_perf_section")
    assert set(Region.objects.for_user(prov, "view").values_list("code", flat=True)) == {
        PROVINCE, CITY, HOME, "370725"}
    assert set(Region.objects.for_user(city, "view").values_list("code", flat=True)) == {CITY, HOME, "370725"}
    home_titles = {f"{HOME}-{c}" for c in ("101", "101001", "101002", "102001", "901")}
    for user in (prov, city):
        titles = set(Sheet.objects.for_user(user, "view").values_list("title", flat=True))
        assert titles == home_titles | {"370725-101"}  # never 察布查尔 (another province)
        assert codes(Agency.objects.for_user(user, "view")) == HOME_AGENCIES | {"101"}
        assert Agency.objects.for_user(user, "view").filter(region__code=OTHER).count() == 0


def test_the_regions_below_are_read_only(world, sheets):
    """Change, create, delete and declared actions stay in the supervisor's own region."""
    prov = world.user("prov_perf_section")
    sheet = sheets[(HOME, "101001")]
    assert not Sheet.objects.for_user(prov, "change").exists()
    assert not Agency.objects.for_user(prov, "change").exists()
    assert in_scope(sheet, prov, "view") and not in_scope(sheet, prov, "change")
    with pytest.raises(PermissionDenied):
        assert_in_scope(sheet, prov, "change")
    assert get_for_user(Sheet, prov, "view", pk=sheet.pk) == sheet
    with pytest.raises(Http404):
        get_for_user(Sheet, prov, "change", pk=sheet.pk)


def test_a_county_never_sees_another_county(world, second_county):
    for username in ("perf_section", "leader", "section_reviewer", "sysadmin"):
        user = world.user(username)
        assert set(Region.objects.for_user(user, "view").values_list("code", flat=True)) == {HOME}
        assert not Sheet.objects.for_user(user, "view").filter(region=second_county).exists()
    # the city's other roles (not supervising) keep to their own region too
    viewer = services.create_user(actor=SYSTEM, region=world.regions[CITY], username="city_leader", display_name="市领导",
                                  role=Role.VIEWER, password="Jixiao@2026x")
    assert not Sheet.objects.for_user(viewer, "view").exists()


def test_a_region_without_a_path_sees_only_itself(world, sheets):
    """Rows the services did not write (no path) must not widen to every region (an empty prefix)."""
    Region.objects.filter(code=PROVINCE).update(path="")
    prov = User.objects.get(username="prov_perf_section")
    assert set(Region.objects.for_user(prov, "view").values_list("code", flat=True)) == {PROVINCE}
    assert not Sheet.objects.for_user(prov, "view").exists()
