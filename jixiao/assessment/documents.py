"""The assessment opinion (事前绩效评估意见书) as an official document (documents.md, 公文 layout)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.assessment.models import ExpertReview, ExpertScore
from jixiao.assessment.services import OPEN_DRAWN
from jixiao.core.dates import local_date
from jixiao.core.documents import OfficialDocument
from jixiao.core.money import format_wan

ISSUER = "县财政局"
NUMERALS = "一二三四五六七八九十"


def _issuer(region) -> str:
    """The county finance bureau (e.g. 临朐县财政局); 县财政局 when the region has no name."""
    name = getattr(region, "name", "") or ""
    return f"{name}财政局" if name else ISSUER


def _numeral(n: int) -> str:
    return NUMERALS[n - 1] if 1 <= n <= len(NUMERALS) else str(n)


def _points(value) -> str:
    return f"{Decimal(str(value)):.2f}"


def _distinct(texts) -> list[str]:
    """Non-empty texts in order, each once (three experts writing 较好 say it once)."""
    out: list[str] = []
    for text in texts:
        text = (text or "").strip()
        if text and text not in out:
            out.append(text)
    return out


def expert_findings(assessment) -> tuple[int, list[str], dict[str, list[str]]]:
    """How many experts submitted and what they wrote: the overall opinions of the submitted experts (drawn and not
    declined or replaced — the experts whose scores are combined), in draw order, and their
    opinions per dimension code. Without names or individual scores: the opinion goes to the
    applying agency, which sees the combined scores only (the experts' independence, 财预〔2021〕6号)."""
    reviews = list(ExpertReview.objects.filter(assessment=assessment, submitted_at__isnull=False,
                                               drawn__status__in=OPEN_DRAWN).order_by("drawn__order", "pk"))
    drawn = [r.drawn_id for r in reviews]
    by_dim: dict[str, list[str]] = {}
    for code, text in (ExpertScore.objects.filter(assessment=assessment, drawn_id__in=drawn)
                       .order_by("drawn__order", "pk").values_list("dimension", "opinion")):
        by_dim.setdefault(code, []).append(text)
    opinions = [r.opinion for r in reviews if r.opinion.strip()]
    return len(reviews), opinions, {k: _distinct(v) for k, v in by_dim.items()}


def opinion_document(assessment, *, day: dt.date | None = None) -> bytes:
    """What the assessment found, not what it asked: the object (project, agency, amount in 万元),
    the combined score of each dimension with the experts' opinions on it, the total, the experts'
    overall opinions, the conclusion with the supported amount and the budget effect in 万元, the
    performance section's opinion, the issuing body and the date (the region's local day)."""
    project = assessment.project
    # the region's local date: concluded at 05:55 Beijing time on 12-02 is dated 12-02, not UTC's 12-01
    day = day or local_date(assessment.concluded_at, project.region)
    submitted, overall, by_dim = expert_findings(assessment)
    doc = OfficialDocument()
    doc.title(f"{project.name}\n事前绩效评估意见书")
    doc.addressee(project.agency.name)
    doc.paragraph(
        f"根据预算绩效管理有关规定，我局组织专家对{project.agency.name}申报的“{project.name}”"
        f"（项目编码 {project.code}，评估对象为{assessment.get_object_kind_display()}）开展了事前绩效评估。"
        f"该{assessment.get_object_kind_display()}申报金额 {format_wan(assessment.requested_amount)} 万元。现将评估意见函告如下。")
    doc.heading("一、评估对象", 1)
    doc.paragraph(f"项目名称：{project.name}；申报单位：{project.agency.name}；"
                  f"申报金额：{format_wan(assessment.requested_amount)} 万元；预算年度：{assessment.year} 年。")

    doc.heading("二、专家评分情况", 1)
    total = assessment.total_score
    max_score = sum((Decimal(str(d["points"])) for d in assessment.dimensions), Decimal(0))
    rows = []
    for d in assessment.dimensions:
        score = assessment.combined_scores.get(d["code"])
        rows.append([d["name"], _points(d["points"]), _points(score) if score is not None else "—"])
    rows.append(["合计", f"{max_score:.2f}", f"{total:.2f}" if total is not None else "—"])
    doc.table(["评估维度", "分值", "专家综合得分"], rows)
    if total is None:
        doc.paragraph("尚无专家提交评分。")
    else:
        doc.paragraph(f"{submitted} 位专家独立评分，综合得分 {total:.2f} 分（满分 {max_score:.2f} 分）。"
                      f"各维度评分及专家意见如下。")
        for i, d in enumerate(assessment.dimensions, start=1):
            score = assessment.combined_scores.get(d["code"])
            doc.heading(f"（{_numeral(i)}）{d['name']}", 2)
            said = by_dim.get(d["code"]) or []
            found = f"专家意见：{'；'.join(t.rstrip('。；;') for t in said)}。" if said else "专家未填写该维度意见。"
            scored = f"综合得分 {_points(score)} 分" if score is not None else "未评分"
            doc.paragraph(f"{scored}（满分 {_points(d['points'])} 分）。{found}")

    n = 2
    if overall:
        n += 1
        doc.heading(f"{_numeral(n)}、专家组意见", 1)
        for i, text in enumerate(overall, start=1):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            doc.paragraph(f"专家{_numeral(i)}：{' '.join(lines)}")

    n += 1
    doc.heading(f"{_numeral(n)}、评估结论", 1)
    label = assessment.conclusion_label or "尚未出具结论"
    doc.paragraph(f"评估结论：{label}。")
    if assessment.supported_amount is not None:
        doc.paragraph(f"建议支持金额 {format_wan(assessment.supported_amount)} 万元，"
                      f"核减（预算影响）{format_wan(assessment.budget_effect or 0)} 万元。")
    else:
        doc.paragraph(f"暂不确定支持金额，涉及资金 {format_wan(assessment.requested_amount)} 万元。")
    if assessment.opinion:
        n += 1
        doc.heading(f"{_numeral(n)}、评估意见", 1)
        for line in assessment.opinion.splitlines():
            if line.strip():
                doc.paragraph(line.strip())
    doc.signature(_issuer(assessment.region), day)
    return doc.to_bytes()
