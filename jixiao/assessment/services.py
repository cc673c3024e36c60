"""Every write of F4 (ex-ante assessment). Keyword-only, explicit actor, atomic, audited.

The life of an assessment: ``create_assessment`` (the project goes 储备/已申报 → 评估中 through the project
library's services) → ``draw_assessment_experts`` (through ``pools.services.draw_experts``) →
``submit_scores`` by each drawn expert → ``conclude`` by the performance section, whose effect on the
project goes through the project library again: a supporting conclusion lets the project in (the
gate ``exante_check`` registered in ``AssessmentConfig.ready``), 暂缓支持 sends it back to 储备 (to be
assessed again), 不予支持 terminates it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from jixiao.assessment import rules
from jixiao.assessment.choices import AssessmentStatus
from jixiao.assessment.models import ExAnteAssessment, ExpertReview, ExpertScore
from jixiao.core import attachments, audit, inbox
from jixiao.core import config as region_config
from jixiao.core.actors import is_system, person
from jixiao.core.choices import AttachmentKind, InboxKind
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import TransitionError, ValidationFailed
from jixiao.core.models import InboxItem
from jixiao.core.money import MoneyError, checked, yuan
from jixiao.core.roles import Role
from jixiao.core.scoping import assert_in_scope, can, check
from jixiao.core.services import service
from jixiao.org.models import User
from jixiao.pools import services as pools_services
from jixiao.pools.choices import DrawnStatus
from jixiao.pools.models import DrawnExpert, has_login
from jixiao.projects import services as project_services
from jixiao.projects.choices import ProjectStage
from jixiao.projects.models import Project
from jixiao.projects.rules import FINAL_STAGES

EVENT_KIND = "assessment"
OPEN_DRAWN = (DrawnStatus.INVITED, DrawnStatus.ACCEPTED)
DEFAULT_EXPERTS = 3
MIN_EXPERTS, MAX_EXPERTS = 3, 9


# --- configuration and the gate ------------------------------------------------------------------

def conclusion_options(region, year: int) -> list[dict]:
    """The region's conclusion list for the year (config ``exante_conclusions``)."""
    return list(region_config.get(region, year, "exante_conclusions"))


def exante_check(project) -> bool | str:
    """先评估后入库 (中发〔2018〕34号): the project's latest assessment must be concluded with a conclusion
    that lets it into the library (予以支持 / 部分支持 by default). Registered with
    ``projects.gates.register_exante_check``."""
    latest = (ExAnteAssessment.objects.filter(project_id=project.pk).order_by("-pk")
              .values_list("status", "admits", "conclusion_label").first())
    if latest is None:
        return False
    status, admits, label = latest
    if status != AssessmentStatus.CONCLUDED:
        return "事前绩效评估尚未得出结论，暂不能入库"
    if admits:
        return True
    return f"事前绩效评估结论为“{label}”，不能入库"


def supported_ceilings(project_ids) -> dict[int, tuple[Decimal, str]]:
    """The budget ceiling of each project whose latest assessment concluded that it enters the
    library: the supported amount (部分支持 300 万 of a 500 万 request caps its budget, and prefills its
    target sheet, at 300 万). Registered with ``projects.gates.register_budget_ceiling``."""
    latest: dict[int, tuple] = {}
    for row in (ExAnteAssessment.objects.filter(project_id__in=project_ids).order_by("project_id", "-pk")
                .values_list("project_id", "status", "admits", "supported_amount", "conclusion_label")):
        latest.setdefault(row[0], row[1:])
    return {pk: (amount, f"事前绩效评估“{label}”的支持金额")
            for pk, (status, admits, amount, label) in latest.items()
            if status == AssessmentStatus.CONCLUDED and admits and amount is not None}


def _open_drawn(assessment) -> list[DrawnExpert]:
    if assessment.draw_id is None:
        return []
    return list(DrawnExpert.objects.filter(draw_id=assessment.draw_id, status__in=OPEN_DRAWN)
                .select_related("expert").order_by("order"))


def scoring_progress(assessment) -> tuple[int, int]:
    """(experts who submitted, experts expected): the open drawn experts of the draw."""
    drawn = _open_drawn(assessment)
    done = ExpertReview.objects.filter(assessment=assessment, drawn__in=drawn, submitted_at__isnull=False).count()
    return done, len(drawn)


# --- create --------------------------------------------------------------------------------------

@service
def create_assessment(*, actor, project: Project, note: str = "") -> ExAnteAssessment:
    """Start an ex-ante assessment of ``project`` (domain-rules §4): only for a project in 储备 or
    已申报 (where 申报入库 leaves it waiting) that needs one (new and major, or continuing past its end
    year — ``rules.creation_refusal``), one at a time. The dimensions of the project's kind are copied from the region's configuration; the
    project moves to 评估中 (``start_assessment``) through the project library."""
    if not can(actor, ExAnteAssessment, "create"):
        raise PermissionDenied("只有绩效股可以发起事前绩效评估。")
    project = Project.objects.select_for_update().get(pk=project.pk)
    assert_in_scope(project, actor, "view")
    has_open = ExAnteAssessment.objects.filter(project=project).exclude(status=AssessmentStatus.CONCLUDED).exists()
    refusal = rules.creation_refusal(stage=project.stage, is_new=project.is_new, is_major=project.is_major,
                                     year=project.year, end_year=project.end_year, has_open=has_open,
                                     stage_label=project.get_stage_display())
    if refusal:
        raise TransitionError(refusal, code="assessment.not_eligible")
    dimensions = rules.dimensions_for(region_config.get(project.region_id, project.year, "exante_dimensions"),
                                      project.kind)
    if not dimensions:
        raise ValidationFailed({"dimensions": [f"本年度未配置“{project.get_kind_display()}”的事前评估维度"]})
    assessment = ExAnteAssessment.objects.create(
        region_id=project.region_id, project=project, year=project.year, object_kind=project.kind,
        dimensions=dimensions, requested_amount=project.requested_amount, created_by=person(actor),
    )
    assert_in_scope(assessment, actor, "create")
    audit.log_create(actor=actor, obj=assessment)
    project_services.start_assessment(actor=actor, project=project, version=project.version,
                                      note=(note or "").strip() or "发起事前绩效评估")
    project_services.record_event(actor=actor, project=project, kind=EVENT_KIND, title="发起事前绩效评估",
                                  note=(note or "").strip(), data={"url": assessment.get_absolute_url(), "assessment": assessment.pk})
    return assessment


# --- experts -------------------------------------------------------------------------------------

@service
def draw_assessment_experts(*, actor, assessment: ExAnteAssessment, version: int, count: int = DEFAULT_EXPERTS,
                            seed: int | None = None) -> ExAnteAssessment:
    """Draw the review experts (domain-rules §10; 财预〔2021〕6号) through the pools: ``count`` experts
    of the project's sector, the project's own agency recused, the draw's subject this assessment.
    Each drawn expert gets a scoring task (``ExpertReview``) in the inbox; the assessment moves to
    专家评分中."""
    assessment = lock_checked(ExAnteAssessment, assessment.pk, version)
    check(actor, assessment, "draw")
    if not isinstance(count, int) or isinstance(count, bool) or not MIN_EXPERTS <= count <= MAX_EXPERTS:
        raise ValidationFailed({"count": [f"抽取人数应为 {MIN_EXPERTS}—{MAX_EXPERTS} 人"]})
    project = assessment.project
    draw = pools_services.draw_experts(
        actor=actor, region=assessment.region, purpose=f"事前绩效评估：{project.name}"[:255], count=count,
        fields=[project.sector_id], exclude_agencies=[project.agency_id], subject=assessment, seed=seed,
    )
    before = audit.snapshot(assessment)
    assessment.draw, assessment.status = draw, AssessmentStatus.SCORING
    bump(assessment)
    assessment.save()
    audit.log_update(actor=actor, obj=assessment, before=before)
    for row in draw.drawn.select_related("expert__user").order_by("order"):
        _open_task(actor=actor, assessment=assessment, drawn=row)
    project_services.record_event(actor=actor, project=project, kind=EVENT_KIND, title="抽取事前评估专家",
                                  data={"url": assessment.get_absolute_url(), "assessment": assessment.pk, "draw": draw.pk, "seed": draw.seed})
    return assessment


def _open_task(*, actor, assessment, drawn) -> ExpertReview:
    review, created = ExpertReview.objects.get_or_create(assessment=assessment, drawn=drawn,
                                                         defaults={"region_id": assessment.region_id})
    if created:
        audit.log_create(actor=actor, obj=review)
        _task_item(assessment, drawn, review)
    return review


def _task_item(assessment, drawn, review) -> None:
    """The expert's inbox item for the scoring task: to the assessment's page, where the expert
    accepts or declines the invitation and then scores (buttons from ``actions_for``)."""
    if drawn.expert.user_id:
        inbox.open_items(users=[drawn.expert.user], region_id=assessment.region_id, kind=InboxKind.ASSIGNMENT,
                         title=f"事前评估评分：{assessment.project.name}", url=assessment.get_absolute_url(),
                         obj=review)


def open_tasks_for_login(*, actor, expert) -> None:
    """An expert record got a login (``pools.models.login_linked``): the scoring tasks of the
    assessments still being scored where the expert is drawn and has not submitted come to the new
    login's inbox (the invitations themselves are the pools' to reopen)."""
    rows = DrawnExpert.objects.filter(expert=expert, status__in=OPEN_DRAWN).select_related("expert__user")
    reviews = (ExpertReview.objects.filter(drawn__in=rows, submitted_at__isnull=True,
                                           assessment__status=AssessmentStatus.SCORING)
               .select_related("assessment__project", "drawn__expert__user"))
    for review in reviews:
        inbox.close_items(obj=review, kind=InboxKind.ASSIGNMENT)
        _task_item(review.assessment, review.drawn, review)


def assessment_open(draw) -> bool | None:
    """``pools.models.subject_open``: a draw for an assessment takes answers until it concludes."""
    if draw.content_type_id != ContentType.objects.get_for_model(ExAnteAssessment).pk:
        return None
    return ExAnteAssessment.objects.filter(pk=draw.object_id).exclude(status=AssessmentStatus.CONCLUDED).exists()


def _sync_tasks(*, actor, assessment) -> None:
    """Keep the scoring tasks in step with the draw after replacements made in the pools (an
    expert who declined or was replaced loses the task; the replacement gets one)."""
    if assessment.draw_id is None:
        return
    rows = DrawnExpert.objects.filter(draw_id=assessment.draw_id).select_related("expert__user")
    have = {r.drawn_id: r for r in ExpertReview.objects.filter(assessment=assessment)}
    for row in rows:
        if row.status in OPEN_DRAWN and row.pk not in have:
            _open_task(actor=actor, assessment=assessment, drawn=row)
        elif row.status not in OPEN_DRAWN and row.pk in have:
            inbox.close_items(obj=have[row.pk], kind=InboxKind.ASSIGNMENT)


def drawn_for(assessment, user) -> DrawnExpert | None:
    """The open drawn row of ``user`` (an expert login) in the assessment's draw, if any."""
    if assessment.draw_id is None or user is None:
        return None
    return DrawnExpert.objects.filter(draw_id=assessment.draw_id, expert__user=user,
                                      status__in=OPEN_DRAWN).select_related("expert").first()


@service
def submit_scores(*, actor, assessment: ExAnteAssessment, scores: dict, opinion: str,
                  drawn: DrawnExpert | None = None) -> ExpertReview:
    """A drawn expert scores every dimension (0 to its points, at most two decimals) with an
    opinion per dimension, and gives an overall opinion. Resubmitting replaces the expert's scores
    until the performance section concludes. ``scores`` maps dimension code → {"score", "opinion"}.
    Only an expert drawn (invited or accepted) for this assessment may score (the declared action
    ``score``); SYSTEM (the command line, the demo) names the drawn row."""
    assessment = ExAnteAssessment.objects.select_for_update().get(pk=assessment.pk)
    check(actor, assessment, "score")
    if not is_system(actor):
        drawn = drawn_for(assessment, actor)
    elif drawn is None or drawn.draw_id != assessment.draw_id or drawn.status not in OPEN_DRAWN:
        raise PermissionDenied("该专家不是本评估抽中的专家。")
    parsed, opinion = _parse_scores(assessment, scores, opinion)
    if drawn.status == DrawnStatus.INVITED:  # SYSTEM (demo, command line) scores for an expert who accepted
        drawn = pools_services.accept_drawn(actor=actor, drawn=drawn)
    return _save_scores(actor=actor, assessment=assessment, drawn=drawn, parsed=parsed, opinion=opinion)


@service
def submit_scores_on_behalf(*, actor, assessment: ExAnteAssessment, drawn: DrawnExpert, scores: dict,
                            opinion: str, score_sheet) -> ExpertReview:
    """代录: the performance section enters the scores of a drawn expert who has no login, from the
    expert's signed score sheet (``score_sheet``, a file, uploaded as the assessment's 专家签字评分表
    attachment — required). Recorded as such: the review is marked ``proxy`` with ``entered_by`` and
    the sheet, the change log names the section's user as the actor of every row, an invitation still
    open is accepted on the expert's behalf (``pools.services.accept_on_behalf``), and the project's
    timeline says who entered whose scores. Bad input (scores, a missing or refused file) writes
    nothing. An expert with a login scores in person (refused here)."""
    assessment = ExAnteAssessment.objects.select_for_update().get(pk=assessment.pk)
    check(actor, assessment, "score_on_behalf")
    row = (DrawnExpert.objects.filter(pk=getattr(drawn, "pk", drawn), draw_id=assessment.draw_id,
                                      status__in=OPEN_DRAWN).select_related("expert__user").first()
           if assessment.draw_id and drawn is not None else None)
    if row is None:
        raise ValidationFailed({"drawn": ["请选择本评估抽中的专家（已谢绝或被替换的专家不能代录）"]})
    if has_login(row.expert):
        raise TransitionError(f"专家“{row.expert.name}”有登录账号，请专家本人登录评分，不能代录。",
                              code="assessment.expert_has_login")
    errors: dict[str, list[str]] = {}
    try:
        parsed, opinion = _parse_scores(assessment, scores, opinion)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if score_sheet is None:
        errors["score_sheet"] = ["请上传专家签字的评分表（代录须有专家签字的纸质评分表）"]
    if errors:
        raise ValidationFailed(errors)
    try:
        sheet = attachments.upload(actor=actor, owner=assessment, kind=AttachmentKind.SCORE_SHEET, file=score_sheet,
                                   name=f"{row.expert.name}-{getattr(score_sheet, 'name', '') or '签字评分表'}")
    except ValidationFailed as exc:
        raise ValidationFailed({"score_sheet" if k == "file" else k: v for k, v in exc.errors.items()}) from None
    if row.status == DrawnStatus.INVITED:
        row = pools_services.accept_on_behalf(actor=actor, drawn=row)
    review = _save_scores(actor=actor, assessment=assessment, drawn=row, parsed=parsed, opinion=opinion,
                          proxy=True, entered_by=person(actor), score_sheet=sheet)
    who = getattr(person(actor), "display_name", "") or "系统"
    project_services.record_event(
        actor=actor, project=assessment.project, kind=EVENT_KIND, title=f"代录专家评分：{row.expert.name}"[:64],
        note=f"{who}根据专家签字评分表（{sheet.name}）代录，合计 {review.total} 分。",
        data={"url": assessment.get_absolute_url(), "assessment": assessment.pk, "drawn": row.pk,
              "attachment": sheet.pk, "proxy": True})
    return review


def _parse_scores(assessment, scores, opinion) -> tuple[dict[str, tuple[Decimal, str]], str]:
    """Every dimension's score (0 to its points, two decimals) and opinion, and the overall opinion;
    ``ValidationFailed`` naming each bad one."""
    errors: dict[str, list[str]] = {}
    scores = dict(scores or {})
    known = {d["code"] for d in assessment.dimensions}
    for code in sorted(set(scores) - known):
        errors.setdefault(f"scores.{code}", []).append(f"未知的评估维度 {code}")
    parsed: dict[str, tuple[Decimal, str]] = {}
    for d in assessment.dimensions:
        item = scores.get(d["code"])
        if isinstance(item, dict):
            value, text = item.get("score"), str(item.get("opinion") or "").strip()
        else:
            value, text = item, ""
        if value in (None, ""):
            errors.setdefault(f"scores.{d['code']}", []).append(f"请为“{d['name']}”打分")
            continue
        score, message = rules.parse_score(value, d["points"])
        if message:
            errors.setdefault(f"scores.{d['code']}", []).append(f"{d['name']}：{message}")
        else:
            parsed[d["code"]] = (score, text)
    opinion = (opinion or "").strip()
    if not opinion:
        errors["opinion"] = ["请填写总体评审意见"]
    if errors:
        raise ValidationFailed(errors)
    return parsed, opinion


def _save_scores(*, actor, assessment, drawn, parsed, opinion, proxy: bool = False, entered_by=None,
                 score_sheet=None) -> ExpertReview:
    existing = {s.dimension: s for s in ExpertScore.objects.filter(assessment=assessment, drawn=drawn)}
    for code, (score, text) in parsed.items():
        row = existing.get(code)
        if row is None:
            row = ExpertScore.objects.create(region_id=assessment.region_id, assessment=assessment, drawn=drawn,
                                             dimension=code, score=score, opinion=text)
            audit.log_create(actor=actor, obj=row)
        elif (row.score, row.opinion) != (score, text):
            before = audit.snapshot(row)
            row.score, row.opinion = score, text
            row.save(update_fields=["score", "opinion"])
            audit.log_update(actor=actor, obj=row, before=before)
    review = _open_task(actor=actor, assessment=assessment, drawn=drawn)
    before = audit.snapshot(review)
    review.opinion, review.submitted_at = opinion, timezone.now()
    review.total = sum((s for s, _ in parsed.values()), Decimal(0))
    review.proxy, review.entered_by, review.score_sheet = proxy, entered_by, score_sheet
    review.save()
    assert_in_scope(review, actor, "view" if proxy else "change")
    audit.log_update(actor=actor, obj=review, before=before)
    inbox.close_items(obj=review, kind=InboxKind.ASSIGNMENT)
    _sync_tasks(actor=actor, assessment=assessment)
    _recombine(actor=actor, assessment=assessment)
    done, expected = scoring_progress(assessment)
    if expected and done == expected:
        _notify_section(assessment)
    return review


def _recombine(*, actor, assessment) -> None:
    """The combined scores of the submitted experts (mean per dimension, ``rules.combine_all``).
    Derived data: written without a version bump, so the performance section's open form stays
    valid while experts submit."""
    submitted = ExpertReview.objects.filter(assessment=assessment, submitted_at__isnull=False,
                                            drawn__status__in=OPEN_DRAWN).values_list("drawn_id", flat=True)
    by_dim: dict[str, list[Decimal]] = {}
    for code, score in ExpertScore.objects.filter(assessment=assessment, drawn_id__in=submitted).values_list(
            "dimension", "score"):
        by_dim.setdefault(code, []).append(score)
    combined, total = rules.combine_all(assessment.dimensions, by_dim)
    before = audit.snapshot(assessment)
    assessment.combined_scores = {k: str(v) for k, v in combined.items()}
    assessment.total_score = total if combined else None
    assessment.save(update_fields=["combined_scores", "total_score"])
    audit.log_update(actor=actor, obj=assessment, before=before)


def _notify_section(assessment) -> None:
    ct = ContentType.objects.get_for_model(assessment)
    if InboxItem.objects.filter(content_type=ct, object_id=assessment.pk, kind=InboxKind.ASSIGNMENT,
                                done_at__isnull=True).exists():
        return
    users = list(User.objects.filter(region_id=assessment.region_id, role=Role.PERFORMANCE_SECTION, is_active=True))
    inbox.open_items(users=users, region_id=assessment.region_id, kind=InboxKind.ASSIGNMENT,
                     title=f"专家评分已完成，请出具事前评估结论：{assessment.project.name}",
                     url=reverse("assessment:assessment_conclude", args=[assessment.pk]), obj=assessment)


# --- conclusion ----------------------------------------------------------------------------------

@service
def conclude(*, actor, assessment: ExAnteAssessment, version: int, conclusion: str, opinion: str,
             supported_amount=None, admit_project: bool = True) -> ExAnteAssessment:
    """The performance section's conclusion (domain-rules §4) once every drawn expert has scored:
    a code of the region's ``exante_conclusions`` list, the supported amount
    (``rules.conclusion_amounts``) and the opinion; the budget effect is requested − supported.
    Effects on the project, through the project library: a conclusion that admits lets the project
    in (admitted right away unless ``admit_project`` is False); 暂缓支持 returns it to 储备, where it
    can be assessed again; 不予支持 terminates it."""
    assessment = lock_checked(ExAnteAssessment, assessment.pk, version)
    check(actor, assessment, "conclude")
    _sync_tasks(actor=actor, assessment=assessment)
    done, expected = scoring_progress(assessment)
    if done < expected or not expected:
        raise TransitionError(f"尚有 {expected - done} 位专家未提交评分，不能出具结论", code="assessment.scoring_open")
    errors: dict[str, list[str]] = {}
    options = {o["code"]: o for o in conclusion_options(assessment.region_id, assessment.year)}
    option = options.get(conclusion or "")
    if option is None:
        errors["conclusion"] = [f"请选择评估结论（{'、'.join(o['label'] for o in options.values())}）"]
    opinion = (opinion or "").strip()
    if not opinion:
        errors["opinion"] = ["请填写评估意见"]
    amount = None
    if supported_amount not in (None, ""):
        try:
            amount = checked(supported_amount)
        except MoneyError as exc:
            errors["supported_amount"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    supported, effect, amount_errors = rules.conclusion_amounts(
        code=option["code"], enters_library=bool(option["enters_library"]),
        closes_project=bool(option["closes_project"]), requested=assessment.requested_amount, supported=amount)
    if amount_errors:
        raise ValidationFailed(amount_errors)
    _recombine(actor=actor, assessment=assessment)
    before = audit.snapshot(assessment)
    assessment.status = AssessmentStatus.CONCLUDED
    assessment.conclusion, assessment.conclusion_label = option["code"], option["label"][:32]
    assessment.admits = bool(option["enters_library"])
    assessment.supported_amount, assessment.budget_effect, assessment.opinion = supported, effect, opinion
    assessment.concluded_at, assessment.concluded_by = timezone.now(), person(actor)
    bump(assessment)
    assessment.save()
    assert_in_scope(assessment, actor, "change")
    audit.log_update(actor=actor, obj=assessment, before=before)
    inbox.close_items(obj=assessment, kind=InboxKind.ASSIGNMENT)
    for review in ExpertReview.objects.filter(assessment=assessment, submitted_at__isnull=True):
        inbox.close_items(obj=review, kind=InboxKind.ASSIGNMENT)
    for row in DrawnExpert.objects.filter(draw_id=assessment.draw_id):  # the invitations close too
        inbox.close_items(obj=row, kind=InboxKind.ASSIGNMENT)
    project = Project.objects.get(pk=assessment.project_id)
    project_services.record_event(
        actor=actor, project=project, kind=EVENT_KIND, title=f"事前评估结论：{option['label']}", note=opinion,
        data={"url": assessment.get_absolute_url(), "assessment": assessment.pk, "conclusion": option["code"], "total_score": str(assessment.total_score),
              "supported_amount": None if supported is None else str(supported)},
    )
    note = f"事前绩效评估结论：{option['label']}"
    if option["closes_project"]:
        if project.stage not in FINAL_STAGES:
            project_services.terminate(actor=actor, project=project, version=project.version, note=note)
    elif option["enters_library"]:
        if admit_project and project.stage in (ProjectStage.RESERVE, ProjectStage.ASSESSING):
            project_services.admit(actor=actor, project=project, version=project.version, note=note)
    elif project.stage == ProjectStage.ASSESSING:
        project_services.return_to_reserve(actor=actor, project=project, version=project.version,
                                           note=f"{note}，退回储备，可重新评估")
    return assessment


# --- statistics ----------------------------------------------------------------------------------

def statistics(queryset, *, year: int) -> list[dict]:
    """Concluded assessments of ``year`` by conclusion (domain-rules §4, §13: "不予支持 1 个, 追减预算
    4000 万元; 暂缓支持 4 个, 涉及资金 …"): count, requested, supported and cut (budget effect)
    amounts — one GROUP BY over the caller's scoped queryset."""
    rows = (queryset.filter(year=year, status=AssessmentStatus.CONCLUDED).order_by()
            .values("conclusion", "conclusion_label")
            .annotate(count=Count("pk"), requested=Sum("requested_amount"), supported=Sum("supported_amount"),
                      cut=Sum("budget_effect"), admitted=Count("pk", filter=Q(admits=True))))
    return [{"conclusion": r["conclusion"], "label": r["conclusion_label"], "count": r["count"],
             "requested": yuan(r["requested"] or 0), "supported": yuan(r["supported"] or 0), "cut": yuan(r["cut"] or 0)}
            for r in rows]


def statistics_by_conclusion(queryset, *, region, year: int) -> tuple[list[dict], dict]:
    """``statistics`` in the order of the region's conclusion list (every configured conclusion,
    zero rows included) and the totals."""
    found = {}
    for r in statistics(queryset, year=year):
        found.setdefault(r["conclusion"], r)
    zero = Decimal("0.00")
    rows = []
    for o in conclusion_options(region, year):
        rows.append(found.pop(o["code"], None) or {"conclusion": o["code"], "label": o["label"], "count": 0,
                                                     "requested": zero, "supported": zero, "cut": zero})
        rows[-1]["label"] = o["label"]
    rows.extend(found.values())
    totals = {k: sum((r[k] for r in rows), zero if k != "count" else 0)
              for k in ("count", "requested", "supported", "cut")}
    return rows, totals


# --- the home page's key figures (org.home, registered in AssessmentConfig.ready) ----------------

def home_figures(user, year: int) -> dict | None:
    """The home page's ex-ante card: the year's assessments the user sees by state and the concluded
    ones by conclusion (the region's own names, ``conclusion_label``), with the list and statistics."""
    from jixiao.core.scoping import can

    if not can(user, ExAnteAssessment, "view"):
        return None
    qs = ExAnteAssessment.objects.for_user(user, "view").filter(year=year)
    by_status = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    base = f"{reverse('assessment:assessment_list')}?year={year}"
    figures = [{"label": "事前绩效评估", "value": sum(by_status.values()), "unit": "项", "url": base}]
    figures += [{"label": f"　{s.label}", "value": by_status.get(s.value, 0), "unit": "项",
                 "url": f"{base}&status={s.value}"} for s in AssessmentStatus]
    conclusions = (qs.filter(status=AssessmentStatus.CONCLUDED).values("conclusion", "conclusion_label")
                   .annotate(n=Count("pk")).order_by("conclusion"))
    figures += [{"label": f"　　结论：{c['conclusion_label'] or c['conclusion']}", "value": c["n"], "unit": "项",
                 "url": ""} for c in conclusions]
    links = [{"label": "评估列表", "url": base},
             {"label": "评估统计", "url": f"{reverse('assessment:assessment_statistics')}?year={year}"}]
    return {"order": 20, "title": "事前绩效评估", "icon": "clipboard-check", "figures": figures, "links": links}
