"""The generic review chain, driven with the test-only ``Sheet`` model: the default target chain
单位自审 → 主管部门审核 → 业务股室初审 → 绩效股复审, each step taken by the right persona."""

import re

import pytest

from jixiao.core import review
from jixiao.core.actors import SYSTEM
from jixiao.core.choices import ReviewAction, ReviewStatus
from jixiao.core.errors import StaleVersion, TransitionError, ValidationFailed
from jixiao.core.models import ChangeLog, InboxItem, Review, ReviewEvent
from jixiao.core.roles import Role
from jixiao.org import services
from jixiao.org.choices import AgencyKind
from tests.reviewapp.models import Sheet

YEAR = 2026
CHAIN = ["单位自审", "主管部门审核", "业务股室初审", "绩效股复审"]
#: persona that takes each step of the default chain for an agency of 教体局 (101)
STEP_PERSONAS = ["unit_head", "dept_reviewer", "section_reviewer", "perf_section"]


@pytest.fixture
def sheet(world):
    # Sheet is a test-only model without services of its own; everything after this goes through services.
    return Sheet.objects.create(region=world.regions["370724"], agency=world.agency("101001"), title="2026年教学设备购置")


def _start(world, obj, **kw):
    return review.start_review(actor=world.user("preparer"), obj=obj, chain="target", year=YEAR,
                               title=f"{obj.title}绩效目标", submit_roles=[Role.AGENCY_PREPARER], **kw)


@pytest.fixture
def rv(world, sheet):
    return _start(world, sheet)


def _open(username_or_user, world=None):
    user = world.user(username_or_user) if world is not None else username_or_user
    return InboxItem.objects.filter(user=user, done_at__isnull=True).count()


def _fresh(r):
    return Review.objects.get(pk=r.pk)


def test_start_review_copies_the_default_target_chain(world, sheet, rv):
    assert rv.status == ReviewStatus.DRAFT and rv.position == -1
    assert [s["name"] for s in rv.steps] == CHAIN
    assert [s["role"] for s in rv.steps] == [Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER,
                                             Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION]
    assert rv.subject == sheet and rv.agency_id == sheet.agency_id and rv.region_id == sheet.region_id
    assert review.review_for(sheet, "target") == rv
    assert ChangeLog.objects.filter(object_type="core.review", object_id=str(rv.pk), action="create").count() == 1
    assert rv.current_step is None


def test_start_review_without_a_configured_chain_is_refused(world, sheet):
    with pytest.raises(TransitionError) as exc:
        review.start_review(actor=world.user("preparer"), obj=sheet, chain="evaluation", year=YEAR,
                            title="x", submit_roles=[Role.AGENCY_PREPARER])
    assert exc.value.code == "review.no_chain"
    assert not Review.objects.exists()


def test_only_the_preparer_may_submit(world, rv):
    for outsider in ("unit_head", "preparer_agri", "dept_reviewer", "far_preparer", "perf_section"):
        with pytest.raises(TransitionError) as exc:
            review.submit(actor=world.user(outsider), review=rv, version=rv.version)
        assert exc.value.code == "review.not_submitter"
    assert _fresh(rv).status == ReviewStatus.DRAFT
    assert not ReviewEvent.objects.exists()
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version, opinion="请审核")
    assert r.status == ReviewStatus.IN_REVIEW and r.position == 0
    assert r.current_step["name"] == "单位自审"
    assert r.version == rv.version + 1


def test_full_chain_each_step_by_the_right_persona(world, rv):
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    for i, username in enumerate(STEP_PERSONAS):
        assert r.current_step["name"] == CHAIN[i]
        assert review.can_act(world.user(username), r)
        r = review.approve(actor=world.user(username), review=r, version=r.version, opinion=f"同意（{username}）")
    assert r.status == ReviewStatus.APPROVED and r.current_step is None
    assert _fresh(r).status == ReviewStatus.APPROVED
    events = list(ReviewEvent.objects.filter(review=r).values_list("action", "from_step", "to_step", "to_status"))
    assert events == [
        (ReviewAction.SUBMIT, "", "单位自审", ReviewStatus.IN_REVIEW),
        (ReviewAction.APPROVE, "单位自审", "主管部门审核", ReviewStatus.IN_REVIEW),
        (ReviewAction.APPROVE, "主管部门审核", "业务股室初审", ReviewStatus.IN_REVIEW),
        (ReviewAction.APPROVE, "业务股室初审", "绩效股复审", ReviewStatus.IN_REVIEW),
        (ReviewAction.APPROVE, "绩效股复审", "", ReviewStatus.APPROVED),
    ]
    # nothing is left waiting for anyone once the chain is done
    assert not InboxItem.objects.filter(done_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("step", "wrong"),
    [
        (0, "preparer"),  # the preparer cannot approve their own sheet
        (0, "unit_head_agri"),  # the head of another unit
        (1, "dept_reviewer_agri"),  # the reviewer of another department
        (2, "section_reviewer_agri"),  # S02 does not look after 教体局
        (2, "perf_section"),  # right region, wrong role for the step
        (3, "far_perf_section"),  # right role, other region
        (3, "leader"),
    ],
)
def test_wrong_role_or_section_is_refused(world, rv, step, wrong):
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    for username in STEP_PERSONAS[:step]:
        r = review.approve(actor=world.user(username), review=r, version=r.version)
    events = ReviewEvent.objects.count()
    for move in (
        lambda: review.approve(actor=world.user(wrong), review=r, version=r.version),
        lambda: review.return_(actor=world.user(wrong), review=r, version=r.version, opinion="不同意"),
    ):
        with pytest.raises(TransitionError) as exc:
            move()
        assert exc.value.code == "review.not_your_step"
    after = _fresh(r)
    assert (after.position, after.status, after.version) == (step, ReviewStatus.IN_REVIEW, r.version)
    assert ReviewEvent.objects.count() == events


def test_return_requires_an_opinion_and_notifies_the_preparer(world, rv):
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    r = review.approve(actor=world.user("unit_head"), review=r, version=r.version)
    for blank in ("", "   "):
        with pytest.raises(ValidationFailed) as exc:
            review.return_(actor=world.user("dept_reviewer"), review=r, version=r.version, opinion=blank)
        assert exc.value.code == "review.opinion_required"
        assert exc.value.errors == {"opinion": ["退回时必须填写审核意见。"]}
    assert _fresh(r).status == ReviewStatus.IN_REVIEW
    assert _open("dept_reviewer", world) == 1
    assert _open("preparer", world) == 0

    r = review.return_(actor=world.user("dept_reviewer"), review=r, version=r.version, opinion="  产出指标缺少数量目标 ")
    assert r.status == ReviewStatus.RETURNED and r.position == -1 and r.current_step is None
    assert _open("dept_reviewer", world) == 0
    item = InboxItem.objects.get(user=world.user("preparer"), done_at__isnull=True)
    assert item.title == "【已退回】2026年教学设备购置绩效目标"
    assert item.object_id == r.pk and item.kind == review.INBOX_KIND
    assert item.url.endswith(f"#sheet-{r.object_id}")
    ev = ReviewEvent.objects.filter(review=r).last()
    assert (ev.action, ev.from_status, ev.to_status, ev.from_step, ev.opinion) == (
        ReviewAction.RETURN, ReviewStatus.IN_REVIEW, ReviewStatus.RETURNED, "主管部门审核", "产出指标缺少数量目标")
    # a returned sheet has no step to approve
    with pytest.raises(TransitionError) as exc:
        review.approve(actor=world.user("dept_reviewer"), review=r, version=r.version)
    assert exc.value.code == "review.not_in_review"


def test_resubmit_after_return_and_full_history(world, rv):
    preparer, head, dept = world.user("preparer"), world.user("unit_head"), world.user("dept_reviewer")
    r = review.submit(actor=preparer, review=rv, version=rv.version, opinion="初次提交")
    r = review.approve(actor=head, review=r, version=r.version, opinion="同意")
    r = review.return_(actor=dept, review=r, version=r.version, opinion="请补充满意度指标")
    r = review.submit(actor=preparer, review=r, version=r.version, opinion="已补充")
    assert r.status == ReviewStatus.IN_REVIEW and r.current_step["name"] == "单位自审"
    assert _open("preparer", world) == 0  # the 已退回 item closed on resubmission
    assert _open("unit_head", world) == 1
    for username in STEP_PERSONAS:
        r = review.approve(actor=world.user(username), review=r, version=r.version, opinion="通过")
    assert r.status == ReviewStatus.APPROVED
    history = list(ReviewEvent.objects.filter(review=r).values_list(
        "action", "from_status", "to_status", "from_step", "to_step", "actor__username", "actor_role", "opinion"))
    assert history == [
        ("submit", "draft", "in_review", "", "单位自审", "preparer", "agency_preparer", "初次提交"),
        ("approve", "in_review", "in_review", "单位自审", "主管部门审核", "unit_head", "agency_head", "同意"),
        ("return", "in_review", "returned", "主管部门审核", "", "dept_reviewer", "department_reviewer", "请补充满意度指标"),
        ("submit", "returned", "in_review", "", "单位自审", "preparer", "agency_preparer", "已补充"),
        ("approve", "in_review", "in_review", "单位自审", "主管部门审核", "unit_head", "agency_head", "通过"),
        ("approve", "in_review", "in_review", "主管部门审核", "业务股室初审", "dept_reviewer", "department_reviewer", "通过"),
        ("approve", "in_review", "in_review", "业务股室初审", "绩效股复审", "section_reviewer", "section_reviewer", "通过"),
        ("approve", "in_review", "approved", "绩效股复审", "", "perf_section", "performance_section", "通过"),
    ]
    assert ReviewEvent.objects.filter(review=r, actor_name="张伟").count() == 2  # returned once, approved once
    # an approved sheet cannot be submitted again
    with pytest.raises(TransitionError) as exc:
        review.submit(actor=preparer, review=r, version=r.version)
    assert exc.value.code == "review.not_submittable"


def test_approving_a_draft_is_an_illegal_transition_and_changes_nothing(world, rv):
    changes = ChangeLog.objects.count()
    for username in ("unit_head", "perf_section", "preparer"):
        with pytest.raises(TransitionError) as exc:
            review.approve(actor=world.user(username), review=rv, version=rv.version)
        assert exc.value.code == "review.not_in_review"
        assert exc.value.status == 409
    with pytest.raises(TransitionError) as exc:
        review.return_(actor=world.user("unit_head"), review=rv, version=rv.version, opinion="退回")
    assert exc.value.code == "review.not_in_review"
    after = _fresh(rv)
    assert (after.status, after.position, after.version) == (ReviewStatus.DRAFT, -1, rv.version)
    assert not ReviewEvent.objects.exists()
    assert not InboxItem.objects.exists()
    assert ChangeLog.objects.count() == changes


def test_stale_version_is_refused(world, rv):
    old_version = rv.version
    r = review.submit(actor=world.user("preparer"), review=rv, version=old_version)
    with pytest.raises(StaleVersion) as exc:
        review.approve(actor=world.user("unit_head"), review=r, version=old_version)
    assert exc.value.status == 412 and exc.value.current == r.version and exc.value.given == old_version
    assert "已被他人修改" in exc.value.message
    with pytest.raises(StaleVersion):
        review.approve(actor=world.user("unit_head"), review=r, version=None)
    after = _fresh(r)
    assert (after.position, after.version) == (0, r.version)
    assert ReviewEvent.objects.filter(review=r).count() == 1


def test_inbox_items_follow_the_step(world, rv):
    everyone = ["preparer", *STEP_PERSONAS, "section_reviewer_agri", "dept_reviewer_agri", "far_perf_section"]

    def counts():
        return {u: _open(u, world) for u in everyone}

    assert set(counts().values()) == {0}
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    for i, username in enumerate(STEP_PERSONAS):
        expected = dict.fromkeys(everyone, 0)
        expected[username] = 1
        assert counts() == expected, f"at step {CHAIN[i]}"
        item = InboxItem.objects.get(user=world.user(username), done_at__isnull=True)
        assert item.title == f"【{CHAIN[i]}】2026年教学设备购置绩效目标"
        assert item.region_id == r.region_id
        r = review.approve(actor=world.user(username), review=r, version=r.version)
    assert set(counts().values()) == {0}
    # the closed items stay as history (已办)
    assert InboxItem.objects.filter(done_at__isnull=False).count() == len(STEP_PERSONAS)


def test_a_step_with_two_assignees_opens_one_item_each_and_closes_both(world, rv):
    services.create_user(actor=SYSTEM, region=world.regions["370724"], username="dept_reviewer2",
                         display_name="张伟二", role=Role.DEPARTMENT_REVIEWER, password="Second#Reviewer1",
                         agency=world.agency("101"))
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    r = review.approve(actor=world.user("unit_head"), review=r, version=r.version)
    assert _open("dept_reviewer", world) == 1
    from jixiao.org.models import User

    second = User.objects.get(username="dept_reviewer2")
    assert _open(second) == 1
    review.approve(actor=second, review=r, version=r.version)
    assert _open("dept_reviewer", world) == 0 and _open(second) == 0
    assert _open("section_reviewer", world) == 1


def test_navigation_badge_shows_the_open_count(world, rv, login):
    def badge(username):
        html = login(username).get("/").content.decode()
        m = re.search(r'data-testid="inbox-count">(\d+)<', html)
        assert m, "inbox badge missing from the navigation"
        return int(m.group(1))

    assert badge("unit_head") == 0
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    assert badge("unit_head") == 1
    assert badge("dept_reviewer") == 0
    # a second sheet of the same unit waits for the same head
    other = Sheet.objects.create(region=world.regions["370724"], agency=world.agency("101001"), title="校舍维修")
    r2 = _start(world, other)
    review.submit(actor=world.user("preparer"), review=r2, version=r2.version)
    assert badge("unit_head") == 2
    inbox = login("unit_head").get("/core/inbox/").content.decode()
    assert "【单位自审】校舍维修绩效目标" in inbox and "【单位自审】2026年教学设备购置绩效目标" in inbox
    review.approve(actor=world.user("unit_head"), review=r, version=r.version)
    assert badge("unit_head") == 1
    assert badge("dept_reviewer") == 1


@pytest.fixture
def orphan_unit(world):
    """A new department (卫健局, 103) with one unit, looked after by 农业股 S02 but with no department
    reviewer — built through the org services like any county would."""
    sysadmin = world.user("sysadmin")
    home = world.regions["370724"]
    dept = services.create_agency(actor=sysadmin, region=home, code="103", name="临朐县卫生健康局",
                                  kind=AgencyKind.DEPARTMENT)
    unit = services.create_agency(actor=sysadmin, region=home, code="103001", name="临朐县人民医院",
                                  kind=AgencyKind.UNIT, parent=dept)
    s02 = world.section("S02")
    services.update_section(actor=sysadmin, section=s02, version=s02.version,
                            agencies=[*s02.agencies.all(), dept])
    for username, role in (("hosp_preparer", Role.AGENCY_PREPARER), ("hosp_head", Role.AGENCY_HEAD)):
        services.create_user(actor=SYSTEM, region=home, username=username, display_name=username, role=role,
                             password="Hospital#2026x", agency=unit)
    return unit


def test_a_step_nobody_can_take_is_skipped_visibly(world, orphan_unit):
    from jixiao.org.models import User

    preparer, head = User.objects.get(username="hosp_preparer"), User.objects.get(username="hosp_head")
    sheet = Sheet.objects.create(region=orphan_unit.region, agency=orphan_unit, title="医疗设备")
    r = review.start_review(actor=preparer, obj=sheet, chain="target", year=YEAR, title="医疗设备绩效目标",
                            submit_roles=[Role.AGENCY_PREPARER])
    r = review.submit(actor=preparer, review=r, version=r.version)
    r = review.approve(actor=head, review=r, version=r.version)
    # 主管部门审核 had no reviewer and the default chain marks it 无审核人时跳过: skipped, and the sheet
    # went on to 农业股 — recorded as the system's, with the reason, never under the head's name
    assert r.current_step["name"] == "业务股室初审"
    skip = ReviewEvent.objects.get(review=r, action=ReviewAction.SKIP)
    assert (skip.from_step, skip.to_step) == ("主管部门审核", "业务股室初审")
    assert (skip.actor_id, skip.actor_name, skip.actor_role) == (None, "系统", "")
    assert "无对应审核人" in skip.opinion and "无审核人时跳过" in skip.opinion
    assert _open("section_reviewer_agri", world) == 1
    assert _open("section_reviewer", world) == 0
    assert not review.can_act(world.user("dept_reviewer"), r)
    r = review.approve(actor=world.user("section_reviewer_agri"), review=r, version=r.version)
    r = review.approve(actor=world.user("perf_section"), review=r, version=r.version)
    assert r.status == ReviewStatus.APPROVED
    assert list(ReviewEvent.objects.filter(review=r).values_list("action", flat=True)) == [
        "submit", "approve", "skip", "approve", "approve"]


def test_include_optional_adds_the_expert_step(world, sheet):
    r = _start(world, sheet, include_optional=True)
    assert [s["name"] for s in r.steps] == [*CHAIN, "专家会审"]
    assert r.steps[-1] == {"code": "expert_panel", "name": "专家会审", "role": Role.EXPERT, "optional": True,
                           "all": True}
    plain = Sheet.objects.create(region=sheet.region, agency=sheet.agency, title="另一张表")
    assert [s["name"] for s in _start(world, plain).steps] == CHAIN
    r = review.submit(actor=world.user("preparer"), review=r, version=r.version)
    for username in STEP_PERSONAS:
        r = review.approve(actor=world.user(username), review=r, version=r.version)
    # experts are drawn per task by later capabilities; the last step is never skipped: with nobody
    # drawn yet the sheet waits at 专家会审 instead of being approved by no one
    assert r.status == ReviewStatus.IN_REVIEW and r.current_step["name"] == "专家会审"
    assert not ReviewEvent.objects.filter(review=r, action=ReviewAction.SKIP).exists()
    assert not review.can_act(world.user("perf_section"), r)


def test_starting_a_second_review_of_the_same_object_is_refused(world, sheet):
    _start(world, sheet)
    with pytest.raises(TransitionError) as exc:
        _start(world, sheet)
    assert exc.value.code == "review.exists"


def test_review_changes_are_in_the_change_log(world, rv):
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    row = ChangeLog.objects.filter(object_type="core.review", object_id=str(r.pk), action="update").get()
    assert row.changes["status"] == ["draft", "in_review"]
    assert row.changes["position"] == [-1, 0]
    assert row.actor_id == world.user("preparer").pk


def test_several_submit_roles_including_a_finance_section(world, sheet):
    """A finance-side chain may be submitted by more than one role; the section resolver returns a
    distinct queryset, which must combine with the others."""
    r = review.start_review(actor=world.user("perf_section"), obj=sheet, chain="target", year=YEAR, title="财政重点评价",
                            submit_roles=[Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION])
    assert set(review.submitters(r).values_list("username", flat=True)) == {"section_reviewer", "perf_section"}
    with pytest.raises(TransitionError) as exc:
        review.submit(actor=world.user("preparer"), review=r, version=r.version)
    assert exc.value.code == "review.not_submitter"
    r = review.submit(actor=world.user("section_reviewer"), review=r, version=r.version)
    r = review.approve(actor=world.user("unit_head"), review=r, version=r.version)
    r = review.return_(actor=world.user("dept_reviewer"), review=r, version=r.version, opinion="请补充")
    # both submitting roles are told it came back
    assert _open("section_reviewer", world) == 1 and _open("perf_section", world) == 1
    assert _open("preparer", world) == 0


@pytest.fixture
def two_experts(world):
    """Two expert logins who take the expert step of any review (in place of the pools' resolver,
    which needs a draw)."""
    from jixiao.org.models import User

    second = services.create_user(actor=SYSTEM, region=world.regions["370724"], username="expert2",
                                  display_name="钱专家", role=Role.EXPERT, password="Second#Expert12")
    pair = [world.user("expert"), second]
    with review.resolvers.overridden({Role.EXPERT: lambda r: User.objects.filter(pk__in=[u.pk for u in pair])}):
        yield pair


def test_a_panel_step_waits_for_every_expert_and_one_return_returns(world, sheet, two_experts):
    first, second = two_experts
    r = _start(world, sheet, include_optional=True)
    r = review.submit(actor=world.user("preparer"), review=r, version=r.version)
    for username in STEP_PERSONAS:
        r = review.approve(actor=world.user(username), review=r, version=r.version)
    assert r.current_step["name"] == "专家会审" and _open(first) == 1 and _open(second) == 1
    r = review.approve(actor=first, review=r, version=r.version, opinion="同意")
    assert r.status == ReviewStatus.IN_REVIEW and r.current_step["name"] == "专家会审"
    assert _open(first) == 0 and _open(second) == 1
    assert not review.can_act(first, r) and review.can_act(second, r)
    with pytest.raises(TransitionError):
        review.approve(actor=first, review=r, version=r.version)
    # the second expert returns it: the whole sheet goes back, and a resubmission starts the panel afresh
    r = review.return_(actor=second, review=_fresh(r), version=_fresh(r).version, opinion="指标值偏低")
    assert r.status == ReviewStatus.RETURNED and r.step_approvals == []
    r = review.submit(actor=world.user("preparer"), review=r, version=r.version)
    for username in STEP_PERSONAS:
        r = review.approve(actor=world.user(username), review=r, version=r.version)
    r = review.approve(actor=second, review=r, version=r.version)
    assert r.status == ReviewStatus.IN_REVIEW
    r = review.approve(actor=first, review=r, version=r.version)
    assert r.status == ReviewStatus.APPROVED and _open(first) == 0 and _open(second) == 0
    panel = ReviewEvent.objects.filter(review=r, from_step="专家会审", action=ReviewAction.APPROVE)
    assert panel.count() == 3 and set(panel.values_list("actor_id", flat=True)) == {first.pk, second.pk}


def _chain_without_skips(world):
    """The county's target chain with 无审核人时跳过 cleared on every step."""
    from jixiao.core import config
    from jixiao.core.models import RegionConfig
    from jixiao.core.services import update_region_config

    row = RegionConfig.objects.get(region=world.regions["370724"], year=YEAR, key="review_chains")
    raw = [dict(r, skip_when_empty=False) for r in config.to_json(config.from_json(row.key, row.value))]
    update_region_config(actor=world.user("perf_section"), config=row, raw=raw, version=row.version)


def _orphan_review(world, orphan_unit):
    from jixiao.org.models import User

    preparer, head = User.objects.get(username="hosp_preparer"), User.objects.get(username="hosp_head")
    sheet = Sheet.objects.create(region=orphan_unit.region, agency=orphan_unit, title="医疗设备")
    r = review.start_review(actor=preparer, obj=sheet, chain="target", year=YEAR, title="医疗设备绩效目标",
                            submit_roles=[Role.AGENCY_PREPARER])
    r = review.submit(actor=preparer, review=r, version=r.version)
    return review.approve(actor=head, review=r, version=r.version), preparer, head


def test_a_step_nobody_holds_waits_visibly_until_the_performance_section_assigns_one(world, orphan_unit):
    from django.core.exceptions import PermissionDenied

    _chain_without_skips(world)
    r, preparer, head = _orphan_review(world, orphan_unit)
    # no skip: the object waits at 主管部门审核, and the performance section is told
    assert r.status == ReviewStatus.IN_REVIEW and r.current_step["name"] == "主管部门审核"
    assert not ReviewEvent.objects.filter(review=r, action=ReviewAction.SKIP).exists()
    perf = world.user("perf_section")
    item = InboxItem.objects.get(user=perf, done_at__isnull=True, object_id=r.pk)
    assert item.title == "【无审核人】主管部门审核：医疗设备绩效目标" and item.due_at is not None
    assert not review.can_act(perf, r) and not review.can_act(world.user("dept_reviewer"), r)
    assert review.members(r) == []

    dept = world.user("dept_reviewer")  # 教体局's reviewer, lent to 卫健局's step
    # only the performance section assigns, only a user of the region holding the step's role
    for outsider in ("section_reviewer_agri", "far_perf_section", "leader"):
        with pytest.raises(PermissionDenied):
            review.assign_reviewer(actor=world.user(outsider), review=r, version=r.version, user=dept)
    for wrong in ("section_reviewer", "leader", "far_dept_reviewer"):
        with pytest.raises(ValidationFailed) as exc:
            review.assign_reviewer(actor=perf, review=_fresh(r), version=r.version, user=world.user(wrong))
        assert "主管部门审核人" in exc.value.errors["user"][0]
    assert _fresh(r).version == r.version and _fresh(r).assigned == {}

    r = review.assign_reviewer(actor=perf, review=r, version=r.version, user=dept, opinion="卫健局暂无审核账号")
    assert r.assigned == {"1": [dept.pk]}
    assert not InboxItem.objects.filter(user=perf, done_at__isnull=True, object_id=r.pk).exists()
    mine = InboxItem.objects.get(user=dept, done_at__isnull=True, object_id=r.pk)
    assert mine.title == "【主管部门审核】医疗设备绩效目标" and mine.due_at is not None
    assigned = ReviewEvent.objects.get(review=r, action=ReviewAction.ASSIGN)
    assert assigned.actor_id == perf.pk and "指定" in assigned.opinion and "卫健局暂无审核账号" in assigned.opinion
    with pytest.raises(TransitionError) as exc:  # the step has a reviewer now
        review.assign_reviewer(actor=perf, review=r, version=r.version, user=dept)
    assert exc.value.code == "review.has_reviewer"

    # the assigned reviewer acts; after a return the step is theirs again
    r = review.return_(actor=dept, review=r, version=r.version, opinion="请补充")
    r = review.submit(actor=preparer, review=r, version=r.version)
    r = review.approve(actor=head, review=r, version=r.version)
    assert review.can_act(dept, r)
    r = review.approve(actor=dept, review=r, version=r.version)
    assert r.current_step["name"] == "业务股室初审"


def test_review_items_carry_the_regions_deadline_and_show_overdue(world, rv, login):
    from datetime import timedelta

    from django.utils import timezone

    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version)
    item = InboxItem.objects.get(user=world.user("unit_head"), done_at__isnull=True)
    days = review.review_days(r)
    assert days == 5  # 目标质量检查参数 review_days, the national default
    assert abs(item.due_at - (item.created_at + timedelta(days=days))) < timedelta(minutes=1)
    page = login("unit_head").get("/core/inbox/").content.decode()
    assert timezone.localtime(item.due_at).strftime("%Y-%m-%d") in page and "已逾期" not in page
    # the step has waited past its time: the inbox marks it
    InboxItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert "（已逾期）" in login("unit_head").get("/core/inbox/").content.decode()
    body = login("unit_head").get("/api/v1/inbox").json()
    assert [i["overdue"] for i in body["items"]] == [True]


@pytest.fixture
def mixed_panel(world):
    """A panel of three members: two expert logins and one expert without a login (as the pools'
    resolver names drawn experts), in place of a draw."""
    from jixiao.org.models import User

    second = services.create_user(actor=SYSTEM, region=world.regions["370724"], username="expert2",
                                  display_name="钱专家", role=Role.EXPERT, password="Second#Expert12")
    pair = [world.user("expert"), second]
    panel = [review.Member(f"expert:{n}", u.pk, u.display_name) for n, u in enumerate(pair, start=1)]
    panel.append(review.Member("expert:3", None, "孙专家"))
    with review.resolvers.overridden({Role.EXPERT: lambda r: User.objects.filter(pk__in=[u.pk for u in pair])}), \
            review.member_resolvers.overridden({Role.EXPERT: lambda r: panel}):
        yield pair


def test_a_panel_counts_members_without_a_login_and_completes_by_proxy(world, sheet, mixed_panel):
    from django.core.exceptions import PermissionDenied

    first, second = mixed_panel
    perf = world.user("perf_section")
    r = _start(world, sheet, include_optional=True)
    r = review.submit(actor=world.user("preparer"), review=r, version=r.version)
    for username in STEP_PERSONAS:
        r = review.approve(actor=world.user(username), review=r, version=r.version)
    assert r.current_step["name"] == "专家会审"
    # the performance section is told a member has no login (代录)
    assert InboxItem.objects.get(user=perf, done_at__isnull=True, object_id=r.pk).title.startswith("【待代录】专家会审")
    r = review.approve(actor=first, review=r, version=r.version)
    r = review.approve(actor=second, review=r, version=r.version)
    assert r.status == ReviewStatus.IN_REVIEW  # one member has not passed
    with pytest.raises(PermissionDenied):
        review.approve_on_behalf(actor=world.user("section_reviewer"), review=r, version=r.version,
                                 member="expert:3", opinion="同意")
    with pytest.raises(TransitionError) as exc:
        review.approve_on_behalf(actor=perf, review=r, version=r.version, member="expert:1", opinion="同意")
    assert exc.value.code == "review.already_passed"
    with pytest.raises(ValidationFailed):
        review.approve_on_behalf(actor=perf, review=r, version=r.version, member="expert:9", opinion="同意")
    r = review.approve_on_behalf(actor=perf, review=r, version=r.version, member="expert:3",
                                 opinion="同意（会审意见表已签字）")
    assert r.status == ReviewStatus.APPROVED
    assert not InboxItem.objects.filter(object_id=r.pk, done_at__isnull=True).exists()
    proxy = ReviewEvent.objects.get(review=r, action=ReviewAction.PROXY_APPROVE)
    assert (proxy.actor_id, proxy.on_behalf_of, proxy.get_action_display()) == (perf.pk, "孙专家", "代录通过")
    logged = ChangeLog.objects.get(object_type="core.reviewevent", object_id=str(proxy.pk))  # in the audit chain
    assert (logged.actor_id, logged.changes["on_behalf_of"][1], logged.changes["opinion"][1]) == (
        perf.pk, "孙专家", "同意（会审意见表已签字）")


def test_the_performance_section_assigns_a_reviewer_from_its_inbox(world, orphan_unit, login):
    _chain_without_skips(world)
    r, _, _ = _orphan_review(world, orphan_unit)
    perf = login("perf_section")
    inbox_page = perf.get("/core/inbox/").content.decode()
    url = f"/core/reviews/{r.pk}/assign/"
    assert "【无审核人】主管部门审核：医疗设备绩效目标" in inbox_page and url in inbox_page
    page = perf.get(url).content.decode()
    dept = world.user("dept_reviewer")
    assert "“主管部门审核”（主管部门审核人）没有审核人" in page and f'value="{dept.pk}"' in page
    assert f'value="{world.user("section_reviewer").pk}"' not in page  # not the step's role
    # a stale form or no choice: refused in Chinese, nothing changed
    r2 = perf.post(url, {"version": r.version, "user": ""})
    assert r2.status_code == 200 and "请选择本区划在职的“主管部门审核人”账号" in r2.content.decode()
    r2 = perf.post(url, {"version": r.version - 1, "user": dept.pk})
    assert r2.status_code == 200 and _fresh(r).assigned == {}
    r2 = perf.post(url, {"version": r.version, "user": dept.pk, "opinion": "临时由教体局审核"})
    assert r2.status_code == 302
    assert _fresh(r).assigned == {"1": [dept.pk]} and review.can_act(dept, _fresh(r))
    assert "已有审核人，无需指定" in perf.get(url).content.decode()
    assert login("dept_reviewer").get(url).status_code == 403


def test_review_opinions_join_the_audit_chain(world, rv):
    """Submit, approve, return: each review event is a change-log row (issue #11) — the opinion, the
    step and the actor under the hash chain, in the review's region."""
    r = review.submit(actor=world.user("preparer"), review=rv, version=rv.version, opinion="请审核")
    r = review.approve(actor=world.user("unit_head"), review=r, version=r.version, opinion="同意上报")
    r = review.return_(actor=world.user("dept_reviewer"), review=r, version=r.version, opinion="指标值偏低，请修改")
    rows = ChangeLog.objects.filter(object_type="core.reviewevent").order_by("seq")
    events = list(ReviewEvent.objects.filter(review=r).order_by("pk"))
    assert [row.object_id for row in rows] == [str(e.pk) for e in events]
    got = [(row.actor_id, row.region_id, row.changes["action"][1], row.changes["opinion"][1],
            row.changes["from_step"][1]) for row in rows]
    assert got == [
        (world.user("preparer").pk, r.region_id, ReviewAction.SUBMIT, "请审核", ""),
        (world.user("unit_head").pk, r.region_id, ReviewAction.APPROVE, "同意上报", "单位自审"),
        (world.user("dept_reviewer").pk, r.region_id, ReviewAction.RETURN, "指标值偏低，请修改", "主管部门审核"),
    ]
    from jixiao.core import audit

    count, problems = audit.verify_chain(ChangeLog)
    assert count >= 3 and not [p for p in problems if p.seq in {row.seq for row in rows}]
