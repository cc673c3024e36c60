"""The assessment opinion (事前绩效评估意见书) as an official document (documents.md, 公文 layout)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.core.dates import local_date
from jixiao.core.documents import OfficialDocument
from jixiao.core.money import format_wan

ISSUER = "县财政局"


def _issuer(region) -> str:
    """The county finance bureau (e.g. 临朐县财政局); 县财政局 when the region has no name."""
    name = getattr(region, "name", "") or ""
    return f"{name}财政局" if name else ISSUER


def opinion_document(assessment, *, day: dt.date | None = None) -> bytes:
    """Title, the object (project, agency, amount in 万元), the findings by dimension with the
    combined scores (a table), the total, the conclusion, the supported amount and the budget
    effect in 万元, the opinion, the issuing body and the date."""
    project = assessment.project
    # the region's local date: concluded at 05:55 Beijing time on 12-02 is dated 12-02, not UTC's 12-01
    day = day or local_date(assessment.concluded_at, project.region)
    doc = OfficialDocument()
    doc.title(f"{project.name}\n事前绩效评估意见书")
    doc.addressee(project.agency.name)
    doc.paragraph(
        f"根据预算绩效管理有关规定，我局组织专家对{project.agency.name}申报的“{project.name}”"
        f"（项目编码 {project.code}，{assessment.get_object_kind_display()}）开展了事前绩效评估。"
        f"该{assessment.get_object_kind_display()}申报金额 {format_wan(assessment.requested_amount)} 万元。现将评估意见函告如下。")
    doc.heading("一、评估对象", 1)
    doc.paragraph(f"项目名称：{project.name}；申报单位：{project.agency.name}；"
                  f"申报金额：{format_wan(assessment.requested_amount)} 万元；预算年度：{assessment.year} 年。")
    doc.heading("二、评估发现", 1)
    rows = []
    for d in assessment.dimensions:
        score = assessment.combined_scores.get(d["code"])
        rows.append([d["name"], d["points"], score if score is not None else "—", d.get("sub_items", "")])
    total = assessment.total_score
    max_score = sum((Decimal(d["points"]) for d in assessment.dimensions), Decimal(0))
    rows.append(["合计", f"{max_score:.2f}", f"{total:.2f}" if total is not None else "—", ""])
    doc.table(["评估维度", "分值", "得分", "评估要点"], rows)
    for i, d in enumerate(assessment.dimensions, start=1):
        score = assessment.combined_scores.get(d["code"], "—")
        doc.heading(f"（{'一二三四五六七八九十'[i - 1] if i <= 10 else i}）{d['name']}", 2)
        doc.paragraph(f"该维度分值 {d['points']} 分，专家综合评分 {score} 分。{d.get('sub_items', '')}")
    doc.paragraph(f"综合得分 {total:.2f} 分（满分 {max_score:.2f} 分）。" if total is not None else "尚无专家评分。")
    doc.heading("三、评估结论", 1)
    label = assessment.conclusion_label or "尚未出具结论"
    doc.paragraph(f"评估结论：{label}。")
    if assessment.supported_amount is not None:
        doc.paragraph(f"建议支持金额 {format_wan(assessment.supported_amount)} 万元，"
                      f"核减（预算影响）{format_wan(assessment.budget_effect or 0)} 万元。")
    else:
        doc.paragraph(f"暂不确定支持金额，涉及资金 {format_wan(assessment.requested_amount)} 万元。")
    if assessment.opinion:
        doc.heading("四、评估意见", 1)
        for line in assessment.opinion.splitlines():
            if line.strip():
                doc.paragraph(line.strip())
    doc.signature(_issuer(assessment.region), day)
    return doc.to_bytes()
