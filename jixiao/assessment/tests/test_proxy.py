"""代录 (issue #9): an assessment whose drawn experts have no login could never be concluded. The
performance section enters such an expert's scores from the signed score sheet, uploaded with them,
recorded as 代录 by whom in the assessment, the project timeline and the change log; refusals write
nothing."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.assessment import services
from jixiao.assessment.models import ExAnteAssessment, ExpertReview, ExpertScore
from jixiao.assessment.tests import helpers
from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.models import Attachment, ChangeLog
from jixiao.pools.models import DrawnExpert
from jixiao.projects.models import ProjectEvent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\nsigned score sheet"
SCORES = {k: {"score": v, "opinion": "较好"} for k, v in helpers.SCORES.items()}


def sheet(name="李国强签字评分表.pdf", data=PDF):
    return SimpleUploadedFile(name, data)


def drawn(a, name):
    return DrawnExpert.objects.get(draw=a.draw, expert__name=name)


def test_an_assessment_with_experts_without_login_is_finished_by_proxy(world):
    """赵明远 scores in person; 孙丽华 and 李国强 have no login and are entered by 代录 — then the
    performance section can conclude (before: the conclusion waited forever)."""
    perf = world.user("perf_section")
    a = helpers.scoring(world)
    expert = world.user("expert")
    services.submit_scores(actor=expert, assessment=a, scores=SCORES, opinion="同意")
    with pytest.raises(TransitionError):
        services.conclude(actor=perf, assessment=a, version=a.version, conclusion="support", opinion="支持")
    for name in ("孙丽华", "李国强"):
        review = services.submit_scores_on_behalf(actor=perf, assessment=a, drawn=drawn(a, name), scores=SCORES,
                                                  opinion="同意立项", score_sheet=sheet(f"{name}.pdf"))
        assert review.proxy and review.entered_by == perf and review.score_sheet.kind == "score_sheet"
        assert review.score_sheet.name == f"{name}-{name}.pdf"
        assert drawn(a, name).status == "accepted"  # the signed sheet is the expert's acceptance
    a.refresh_from_db()
    assert services.scoring_progress(a) == (3, 3)
    a = services.conclude(actor=perf, assessment=a, version=a.version, conclusion="support", opinion="予以支持")
    assert a.status == "concluded"


def test_proxy_is_recorded_in_the_history_and_the_change_log(world):
    perf = world.user("perf_section")
    a = helpers.scoring(world)
    review = services.submit_scores_on_behalf(actor=perf, assessment=a, drawn=drawn(a, "李国强"), scores=SCORES,
                                              opinion="同意", score_sheet=sheet())
    log = ChangeLog.objects.filter(object_type="assessment.expertreview", object_id=str(review.pk),
                                   action="update").latest("pk")
    assert log.actor_id == perf.pk and log.changes["proxy"] == [False, True]
    assert log.changes["entered_by_id"][1] == perf.pk, log.changes
    assert ChangeLog.objects.filter(object_type="assessment.expertscore", actor_id=perf.pk).count() == 5
    event = ProjectEvent.objects.get(project=a.project, title="代录专家评分：李国强")
    assert perf.display_name in event.note and "签字评分表" in event.note and event.data["proxy"] is True


def test_proxy_refusals_write_nothing(world):
    perf = world.user("perf_section")
    a = helpers.scoring(world)
    row = drawn(a, "李国强")
    with pytest.raises(ValidationFailed) as exc:  # no signed sheet, and a bad score
        services.submit_scores_on_behalf(actor=perf, assessment=a, drawn=row, opinion="同意", score_sheet=None,
                                         scores={**SCORES, "necessity": {"score": "21"}})
    assert {"score_sheet", "scores.necessity"} <= set(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:  # not a score sheet: an executable renamed .pdf
        services.submit_scores_on_behalf(actor=perf, assessment=a, drawn=row, opinion="同意", scores=SCORES,
                                         score_sheet=sheet(data=b"MZ\x90\x00"))
    assert "score_sheet" in exc.value.errors
    with pytest.raises(TransitionError, match="有登录账号"):  # 赵明远 scores in person
        services.submit_scores_on_behalf(actor=perf, assessment=a, drawn=drawn(a, "赵明远"), scores=SCORES,
                                         opinion="同意", score_sheet=sheet())
    for persona in ("preparer", "section_reviewer", "expert", "far_perf_section"):
        with pytest.raises(PermissionDenied):
            services.submit_scores_on_behalf(actor=world.user(persona), assessment=a, drawn=row, scores=SCORES,
                                             opinion="同意", score_sheet=sheet())
    assert not ExpertScore.objects.filter(drawn=row).exists()
    assert not ExpertReview.objects.filter(drawn=row, submitted_at__isnull=False).exists()
    assert not Attachment.objects.exists() and drawn(a, "李国强").status == "invited"
    concluded = helpers.concluded(world)
    with pytest.raises(TransitionError, match="已出结论"):
        services.submit_scores_on_behalf(actor=perf, assessment=concluded, drawn=drawn(concluded, "李国强"),
                                         scores=SCORES, opinion="同意", score_sheet=sheet())


def test_proxy_through_the_page(world, login):
    a = helpers.scoring(world)
    perf = login("perf_section")
    page = perf.get(a.get_absolute_url()).content.decode()
    assert f"/assessment/{a.pk}/proxy/" in page and "代录评分" in page
    form = perf.get(f"/assessment/{a.pk}/proxy/").content.decode()
    assert "李国强" in form and "孙丽华" in form and "赵明远" not in form  # only experts without a login
    row = drawn(a, "李国强")
    data = {"drawn": row.pk, "opinion": "同意立项", "score_sheet": sheet()}
    data |= {f"score_{k}": v["score"] for k, v in SCORES.items()}
    r = perf.post(f"/assessment/{a.pk}/proxy/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    page = perf.get(a.get_absolute_url()).content.decode()
    assert "代录" in page and "签字评分表" in page and world.user("perf_section").display_name in page
    # the agency may not enter scores
    assert login("preparer").get(f"/assessment/{a.pk}/proxy/").status_code == 403


def test_proxy_through_the_api(world):
    a = helpers.scoring(world)
    client = Client()
    client.force_login(world.user("perf_section"))
    row = drawn(a, "孙丽华")
    url = f"/api/v1/assessment/{a.pk}/proxy-scores"
    r = client.post(url, {"drawn": row.pk, "opinion": "同意", "scores": json.dumps(SCORES)})
    assert r.status_code == 400  # no score sheet
    r = client.post(url, {"drawn": row.pk, "opinion": "同意", "scores": json.dumps(SCORES),
                          "score_sheet": sheet("孙丽华.pdf")})
    assert r.status_code == 200, r.content
    (mine,) = [x for x in r.json()["reviews"] if x["drawn"] == row.pk]
    assert mine["proxy"] is True and mine["entered_by"] == world.user("perf_section").display_name
    assert mine["score_sheet"] == Attachment.objects.get().pk
    expert = Client()
    expert.force_login(world.user("expert"))
    assert expert.post(url, {"drawn": row.pk}).status_code == 403
    assert ExAnteAssessment.objects.get(pk=a.pk).status == "scoring"
