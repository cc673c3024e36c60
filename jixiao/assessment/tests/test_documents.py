"""The assessment opinion (事前绩效评估意见书) read back with python-docx."""

import datetime as dt
import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from jixiao.assessment import documents, services
from jixiao.assessment.tests import helpers
from jixiao.core.actors import SYSTEM
from jixiao.pools.models import DrawnExpert

pytestmark = pytest.mark.django_db


def _read(data: bytes):
    return Document(io.BytesIO(data))


def test_opinion_document(world):
    a = helpers.scored(world)
    a = services.conclude(actor=world.user("perf_section"), assessment=a, version=a.version, conclusion="partial",
                          supported_amount="9000000", opinion="项目必要。\n建议压减设备购置支出。")
    doc = _read(documents.opinion_document(a, day=dt.date(2026, 3, 5)))
    texts = [p.text for p in doc.paragraphs]
    body = "\n".join(texts)
    assert texts[0] == "第一中学新校区建设项目04\n事前绩效评估意见书" or texts[0].startswith("第一中学新校区建设项目04")
    assert "事前绩效评估意见书" in texts[0]
    title_run = doc.paragraphs[0].runs[0]
    fonts = title_run._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体" and title_run.font.size.pt == 22
    assert "临朐县第一中学" in body and "申报金额 1,200.00 万元" in body and "，评估对象为项目）" in body
    assert "评估结论：部分支持。" in body
    assert "建议支持金额 900.00 万元，核减（预算影响）300.00 万元。" in body
    assert "建议压减设备购置支出。" in texts
    assert texts[-2:] == ["临朐县财政局", "2026年3月5日"]
    (table,) = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["评估维度", "分值", "专家综合得分"]
    assert rows[1] == ["立项必要性", "20.00", "18.00"]
    assert rows[2] == ["投入经济性", "20.00", "15.50"]
    assert rows[-1] == ["合计", "100.00", "85.50"]


def test_opinion_states_the_experts_findings_not_the_questions(world):
    """The document says what the experts found — each dimension's combined score with their
    opinions on it, and each expert's overall opinion — and does not repeat the assessment's
    questions (the dimensions' 评估要点); no expert is named (the agency receives it)."""
    a = helpers.scoring(world, "EA2026009")
    drawn = list(DrawnExpert.objects.filter(draw=a.draw, status__in=("invited", "accepted"))
                 .select_related("expert").order_by("order"))
    assert len(drawn) >= 2
    for i, d in enumerate(drawn):
        scores = {k: {"score": v, "opinion": f"第{i + 1}位专家就{k}：依据充分"} for k, v in helpers.SCORES.items()}
        scores["economy"]["opinion"] = "设备单价偏高，建议压减" if i == 0 else "测算基本合理"
        services.submit_scores(actor=SYSTEM, assessment=a, drawn=d, scores=scores,
                               opinion=f"专家总体意见{i + 1}：建议细化年度绩效指标。")
    a.refresh_from_db()
    a = services.conclude(actor=SYSTEM, assessment=a, version=a.version, conclusion="partial",
                          supported_amount="9000000", opinion="同意部分支持。")
    texts = [p.text for p in _read(documents.opinion_document(a)).paragraphs]
    body = "\n".join(texts)
    for d in a.dimensions:
        assert d["sub_items"] and d["sub_items"] not in body, d["name"]
    assert "是否" not in body  # 评估要点 are questions ("立项依据是否充分")
    assert "（二）投入经济性" in texts
    economy = texts[texts.index("（二）投入经济性") + 1]
    assert economy == "综合得分 15.50 分（满分 20.00 分）。专家意见：设备单价偏高，建议压减；测算基本合理。"
    assert f"{len(drawn)} 位专家独立评分，综合得分 85.50 分（满分 100.00 分）。各维度评分及专家意见如下。" in texts
    assert "三、专家组意见" in texts
    for i in range(len(drawn)):
        assert f"专家{'一二三四五'[i]}：专家总体意见{i + 1}：建议细化年度绩效指标。" in texts
    assert "四、评估结论" in texts and "评估结论：部分支持。" in texts
    assert "建议支持金额 900.00 万元，核减（预算影响）300.00 万元。" in texts
    assert "五、评估意见" in texts and "同意部分支持。" in texts
    for d in drawn:
        assert d.expert.name not in body


def test_opinion_of_a_deferred_assessment_names_no_amount(world):
    a = helpers.scored(world)
    a = services.conclude(actor=SYSTEM, assessment=a, version=a.version, conclusion="defer", opinion="暂缓")
    body = "\n".join(p.text for p in _read(documents.opinion_document(a)).paragraphs)
    assert "评估结论：暂缓支持。" in body and "涉及资金 1,200.00 万元" in body and "建议支持金额" not in body
