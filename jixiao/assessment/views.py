"""F4 pages. Thin: role gate → scoped fetch → one service call → render (house style 2)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from jixiao.assessment import documents, services
from jixiao.assessment.choices import AssessmentStatus
from jixiao.assessment.filters import AssessmentFilter
from jixiao.assessment.forms import ConcludeForm, CreateForm, DrawForm, ProxyScoreForm, ScoreForm
from jixiao.assessment.models import ExAnteAssessment, ExpertReview, ExpertScore, offline_drawn
from jixiao.core.errors import ServiceError, ValidationFailed
from jixiao.core.money import from_wan
from jixiao.core.roles import is_assigned
from jixiao.core.scoping import actions_for, can, get_for_user, refusal
from jixiao.core.viewkit import errors_to_form, file_response, get_for_action, paginate, require
from jixiao.core.years import latest_year, year_param
from jixiao.org.filters import sector_choices
from jixiao.pools.models import Draw
from jixiao.projects.models import Project
from jixiao.projects.rules import ASSESSABLE_STAGES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _assessments(user, action="view"):
    return ExAnteAssessment.objects.for_user(user, action).select_related(
        "project", "project__agency", "project__sector", "region")


@login_required
def index(request):
    if can(request.user, ExAnteAssessment, "score"):  # a drawn expert's page is 我的评估
        return redirect("assessment:my_assessments")
    require(request.user, ExAnteAssessment, "view")
    return redirect("assessment:assessment_list")


@login_required
def assessment_list(request):
    require(request.user, ExAnteAssessment, "view")
    qs, form = AssessmentFilter.filter_request(
        _assessments(request.user), request.GET,
        choices={"sector": sector_choices()})
    return render(request, "assessment/assessment_list.html", {
        "page": paginate(request, qs), "filter_form": form,
        "can_create": can(request.user, ExAnteAssessment, "create"),
    })


def eligible_projects(user):
    """Projects in 储备 or 已申报 (``ASSESSABLE_STAGES``) the user may see that need an ex-ante assessment
    and have none under way."""
    open_ = ExAnteAssessment.objects.exclude(status=AssessmentStatus.CONCLUDED).values("project_id")
    return (Project.objects.for_user(user, "view").filter(stage__in=ASSESSABLE_STAGES)
            .filter(Q(is_new=True, is_major=True) | Q(is_new=False, year__gt=F("end_year")))
            .exclude(pk__in=open_).select_related("agency").order_by("code"))


@login_required
def assessment_create(request):
    require(request.user, ExAnteAssessment, "create")
    form = CreateForm(request.POST or None, initial={"project": request.GET.get("project")},
                      projects=eligible_projects(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            a = services.create_assessment(actor=request.user, project=form.cleaned_data["project"],
                                           note=form.cleaned_data["note"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已发起“{a.project.name}”的事前绩效评估，项目进入评估中。请抽取评审专家。")
            return redirect(a)
    return render(request, "core/form_page.html", {"form": form, "title": "发起事前绩效评估",
                                                    "cancel": reverse("assessment:assessment_list")})


@login_required
def assessment_detail(request, pk: int):
    require(request.user, ExAnteAssessment, "view")
    a = get_for_user(_assessments(request.user).select_related("draw", "concluded_by"), request.user, "view", pk=pk)
    reviews = list(ExpertReview.objects.for_user(request.user, "view").filter(assessment=a)
                   .select_related("drawn__expert__user", "entered_by", "score_sheet").order_by("drawn__order"))
    scores: dict[tuple[int, str], ExpertScore] = {
        (s.drawn_id, s.dimension): s for s in ExpertScore.objects.for_user(request.user, "view").filter(assessment=a)}
    offline = set(offline_drawn(a).values_list("pk", flat=True))
    rows = [{"review": r, "scores": [scores.get((r.drawn_id, d["code"])) for d in a.dimensions],
             "offline": r.drawn_id in offline} for r in reviews]
    done, expected = services.scoring_progress(a)
    return render(request, "assessment/assessment_detail.html", {
        "a": a, "rows": rows, "done": done, "expected": expected, "acts": actions_for(request.user, a),
        "dimensions": [{**d, "combined": a.combined_scores.get(d["code"])} for d in a.dimensions],
        "project_visible": Project.objects.for_user(request.user, "view").filter(pk=a.project_id).exists(),
        "can_see_draw": can(request.user, Draw, "view"),
        "my_row": services.drawn_for(a, request.user) if is_assigned(request.user) else None,
    })


@login_required
def assessment_draw(request, pk: int):
    a = get_for_action(_assessments(request.user, "change"), request.user, "draw", pk=pk)
    form = DrawForm(request.POST or None, initial={"version": a.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.draw_assessment_experts(actor=request.user, assessment=a, version=d["version"],
                                             count=d["count"])
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已抽取 {d['count']} 位评审专家（已回避申报单位），并通知专家评分。")
            return redirect(a)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"抽取评审专家：{a.project.name}（{a.project.sector.name}）", "cancel": a.get_absolute_url()})


@login_required
def assessment_score(request, pk: int):
    """The drawn expert's scoring page (their task from 我的任务 / 我的评估)."""
    a = get_for_action(_assessments(request.user), request.user, "score", pk=pk)
    if isinstance(exc := refusal(request.user, a, "score"), PermissionDenied):
        raise exc  # not (or no longer) drawn, or the invitation not accepted yet: 接受邀请 first
    drawn = services.drawn_for(a, request.user)
    if drawn is None:
        raise PermissionDenied("您不是本评估抽中的专家（或已谢绝、被替换），不能评分。")
    existing = {s.dimension: s for s in ExpertScore.objects.for_user(request.user).filter(assessment=a, drawn=drawn)}
    review = ExpertReview.objects.for_user(request.user).filter(assessment=a, drawn=drawn).first()
    initial = {"opinion": review.opinion if review else ""}
    for code, s in existing.items():
        initial |= {f"score_{code}": s.score, f"opinion_{code}": s.opinion}
    form = ScoreForm(request.POST or None, initial=initial, dimensions=a.dimensions)
    closed = a.status != AssessmentStatus.SCORING
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_scores(actor=request.user, assessment=a, scores=form.service_scores(),
                                   opinion=form.cleaned_data["opinion"])
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "评分已提交。在绩效股出具结论前，您仍可修改。")
            return redirect("assessment:my_assessments")
    return render(request, "assessment/assessment_score.html", {"a": a, "form": form, "closed": closed,
                                                                "review": review})


@login_required
def assessment_proxy(request, pk: int):
    """代录: the performance section enters a drawn expert's scores from the signed score sheet."""
    a = get_for_action(_assessments(request.user, "change"), request.user, "score_on_behalf", pk=pk)
    experts = offline_drawn(a)
    form = ProxyScoreForm(request.POST or None, request.FILES or None, dimensions=a.dimensions, experts=experts,
                          initial={"drawn": request.GET.get("drawn")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            review = services.submit_scores_on_behalf(
                actor=request.user, assessment=a, drawn=d["drawn"], scores=form.service_scores(),
                opinion=d["opinion"], score_sheet=d["score_sheet"])
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已代录专家“{review.drawn.expert.name}”的评分（合计 {review.total} 分），签字评分表已存为附件。")
            return redirect(a)
    return render(request, "assessment/assessment_proxy.html", {"a": a, "form": form})


@login_required
def assessment_conclude(request, pk: int):
    a = get_for_action(_assessments(request.user, "change"), request.user, "conclude", pk=pk)
    options = services.conclusion_options(a.region_id, a.year)
    form = ConcludeForm(request.POST or None, initial={"version": a.version, "admit_project": True}, options=options)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        amount = d.get("supported_amount")
        try:
            a = services.conclude(actor=request.user, assessment=a, version=d["version"], conclusion=d["conclusion"],
                                  opinion=d["opinion"], supported_amount=from_wan(amount) if amount is not None else None,
                                  admit_project=d.get("admit_project", False))
        except ServiceError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"已出具事前评估结论：{a.conclusion_label}。")
            return redirect(a)
    done, expected = services.scoring_progress(a)
    return render(request, "assessment/assessment_conclude.html", {"a": a, "form": form, "done": done,
                                                                   "expected": expected})


@login_required
def assessment_opinion(request, pk: int):
    """事前绩效评估意见书 (Word)."""
    require(request.user, ExAnteAssessment, "view")
    a = get_for_user(_assessments(request.user), request.user, "view", pk=pk)
    return file_response(documents.opinion_document(a), f"{a.project.name}事前绩效评估意见书.docx", DOCX)


def default_year(user) -> int:
    return latest_year(ExAnteAssessment.objects.for_user(user, "view"))


@login_required
def assessment_statistics(request):
    require(request.user, ExAnteAssessment, "view")
    year = year_param(request, default=lambda: default_year(request.user))
    rows, totals = services.statistics_by_conclusion(ExAnteAssessment.objects.for_user(request.user, "view"),
                                                     region=request.user.region, year=year)
    return render(request, "assessment/assessment_statistics.html", {
        "year": year, "rows": rows, "totals": totals, "region": request.user.region,
    })


@login_required
def my_assessments(request):
    """我的评估: the assessments the expert login was drawn for, with the state of their scoring."""
    require(request.user, ExAnteAssessment, "score")
    qs = _assessments(request.user).order_by("-pk")
    page = paginate(request, qs)
    mine = {r.assessment_id: r for r in ExpertReview.objects.for_user(request.user).filter(
        assessment__in=list(page.object_list))}
    items = [{"a": a, "review": mine.get(a.pk)} for a in page.object_list]
    return render(request, "assessment/my_assessments.html", {"page": page, "items": items})


