"""F4 API: ex-ante assessments. Thin like the pages: the role gate on the route → scoped fetch → one
service call. Record answers carry ``version`` and ``ETag``; the draw and the conclusion need
``If-Match``."""

import json

from django.http import HttpResponse
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from jixiao.apiauth import allowed
from jixiao.assessment import documents, schemas, services
from jixiao.assessment.filters import AssessmentFilter
from jixiao.assessment.models import ExAnteAssessment, ExpertReview, ExpertScore
from jixiao.assessment.views import DOCX, default_year
from jixiao.core.apikit import (
    CREATE_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    ErrorOut,
    Pages,
    if_match,
    ref,
    with_etag,
)
from jixiao.core.errors import ValidationFailed
from jixiao.core.scoping import get_for_user
from jixiao.core.viewkit import file_response
from jixiao.core.years import year_param
from jixiao.pools.models import DrawnExpert
from jixiao.projects.models import Project

router = Router(tags=["事前绩效评估"])
AssessmentQuery = AssessmentFilter.schema()


def _assessments():
    return ExAnteAssessment.objects.select_related("project", "project__agency", "project__sector")


def _detail(request, a):
    reviews = list(ExpertReview.objects.for_user(request.user, "view").filter(assessment=a)
                   .select_related("drawn__expert", "entered_by").order_by("drawn__order"))
    scores: dict[int, list] = {}
    for s in ExpertScore.objects.for_user(request.user, "view").filter(assessment=a):
        scores.setdefault(s.drawn_id, []).append(s)
    a.reviews_out = [
        {"expert": r.drawn.expert.name, "drawn": r.drawn_id, "submitted_at": r.submitted_at, "total": r.total,
         "opinion": r.opinion, "proxy": r.proxy, "score_sheet": r.score_sheet_id,
         "entered_by": (r.entered_by.display_name if r.entered_by_id else ("系统" if r.proxy else "")),
         "scores": [{"dimension": s.dimension, "score": s.score, "opinion": s.opinion}
                                          for s in scores.get(r.drawn_id, [])]}
        for r in reviews]
    return a


def _respond(request, response, a):
    a = get_for_user(_assessments(), request.user, "view", pk=a.pk)
    with_etag(response, a)
    return _detail(request, a)


@router.get("", auth=allowed(ExAnteAssessment, "view"), summary="事前评估列表",
            response={200: list[schemas.AssessmentOut], **READ_ERRORS})
@paginate(Pages)
def assessment_list(request, filters: Query[AssessmentQuery]):
    return AssessmentFilter.apply(_assessments().for_user(request.user, "view"), filters.model_dump())


@router.get("/statistics", auth=allowed(ExAnteAssessment, "view"), summary="事前评估结论统计（按结论分组）",
            response={200: schemas.StatisticsOut, **READ_ERRORS})
def assessment_statistics(request, year: int | None = None):
    year = year_param(request, value=year, default=lambda: default_year(request.user))
    rows, totals = services.statistics_by_conclusion(ExAnteAssessment.objects.for_user(request.user, "view"),
                                                     region=request.user.region, year=year)
    return {"year": year, "rows": rows, "totals": {"conclusion": "", "label": "合计", **totals}}


@router.get("/{int:id}", auth=allowed(ExAnteAssessment, "view"), summary="事前评估详情",
            response={200: schemas.AssessmentDetailOut, **READ_ERRORS})
def assessment_detail(request, id: int, response: HttpResponse):
    a = get_for_user(_assessments(), request.user, "view", pk=id)
    with_etag(response, a)
    return _detail(request, a)


@router.get("/{int:id}/opinion", auth=allowed(ExAnteAssessment, "view"), summary="事前绩效评估意见书（Word）",
            response={200: None, **READ_ERRORS})
def assessment_opinion(request, id: int):
    a = get_for_user(_assessments().select_related("region"), request.user, "view", pk=id)
    return file_response(documents.opinion_document(a), f"{a.project.name}事前绩效评估意见书.docx", DOCX)


@router.post("", auth=allowed(ExAnteAssessment, "create"), summary="发起事前评估（项目进入评估中）",
             response={201: schemas.AssessmentDetailOut, 409: ErrorOut, **CREATE_ERRORS})
def assessment_create(request, payload: schemas.CreateIn, response: HttpResponse):
    project = ref(Project, request.user, payload.project, field="project", label="项目")
    a = services.create_assessment(actor=request.user, project=project, note=payload.note)
    return Status(201, _respond(request, response, a))


@router.post("/{int:id}/draw", auth=allowed(ExAnteAssessment, "draw"), summary="抽取评审专家",
             response={200: schemas.AssessmentDetailOut, 409: ErrorOut, **UPDATE_ERRORS})
def assessment_draw(request, id: int, payload: schemas.PanelDrawIn, response: HttpResponse):
    a = get_for_user(ExAnteAssessment, request.user, "change", pk=id)
    version = if_match(request)
    a = services.draw_assessment_experts(actor=request.user, assessment=a, version=version, count=payload.count)
    return _respond(request, response, a)


@router.post("/{int:id}/scores", auth=allowed(ExAnteAssessment, "score"), summary="专家提交评分（抽中专家本人）",
             response={200: schemas.AssessmentDetailOut, 409: ErrorOut, **UPDATE_ERRORS})
def assessment_score(request, id: int, payload: schemas.ScoresIn, response: HttpResponse):
    a = get_for_user(ExAnteAssessment, request.user, "view", pk=id)
    services.submit_scores(actor=request.user, assessment=a, opinion=payload.opinion,
                           scores={k: v.model_dump() for k, v in payload.scores.items()})
    return _respond(request, response, a)


@router.post("/{int:id}/proxy-scores", auth=allowed(ExAnteAssessment, "score_on_behalf"),
             summary="代录专家评分（绩效股，没有账号的专家，附签字评分表）",
             response={200: schemas.AssessmentDetailOut, 409: ErrorOut, **UPDATE_ERRORS})
def assessment_proxy(request, id: int, response: HttpResponse, drawn: Form[int], opinion: Form[str],
                     score_sheet: File[UploadedFile], scores: Form[str]):
    """multipart/form-data: ``drawn`` (抽中专家 id), ``scores`` (JSON: {"维度代码": {"score": "18",
    "opinion": "…"}}), ``opinion`` (总体意见), ``score_sheet`` (专家签字评分表文件)."""
    a = get_for_user(ExAnteAssessment, request.user, "change", pk=id)
    try:
        parsed = json.loads(scores)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValidationFailed({"scores": ['应为 JSON 对象：{"维度代码": {"score": 分数, "opinion": "意见"}}']})
    row = DrawnExpert.objects.for_user(request.user, "view").filter(pk=drawn, draw_id=a.draw_id).first() \
        if a.draw_id else None
    services.submit_scores_on_behalf(actor=request.user, assessment=a, drawn=row, scores=parsed, opinion=opinion,
                                     score_sheet=score_sheet)
    return _respond(request, response, a)


@router.post("/{int:id}/conclude", auth=allowed(ExAnteAssessment, "conclude"), summary="出具评估结论",
             response={200: schemas.AssessmentDetailOut, 409: ErrorOut, **UPDATE_ERRORS})
def assessment_conclude(request, id: int, payload: schemas.ConcludeIn, response: HttpResponse):
    a = get_for_user(ExAnteAssessment, request.user, "change", pk=id)
    version = if_match(request)
    a = services.conclude(actor=request.user, assessment=a, version=version, conclusion=payload.conclusion,
                          opinion=payload.opinion, supported_amount=payload.supported_amount,
                          admit_project=payload.admit_project)
    return _respond(request, response, a)
