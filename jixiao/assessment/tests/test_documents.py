"""The assessment opinion (事前绩效评估意见书) read back with python-docx."""

import datetime as dt
import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from jixiao.assessment import documents, services
from jixiao.assessment.tests import helpers

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
    assert "临朐县第一中学" in body and "申报金额 1,200.00 万元" in body
    assert "评估结论：部分支持。" in body
    assert "建议支持金额 900.00 万元，核减（预算影响）300.00 万元。" in body
    assert "建议压减设备购置支出。" in texts
    assert texts[-2:] == ["临朐县财政局", "2026年3月5日"]
    (table,) = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["评估维度", "分值", "得分", "评估要点"]
    assert rows[1][:3] == ["立项必要性", "20.00", "18.00"]
    assert rows[2][:3] == ["投入经济性", "20.00", "15.50"]
    assert rows[-1][:3] == ["合计", "100.00", "85.50"]


def test_opinion_of_a_deferred_assessment_names_no_amount(world):
    a = helpers.scored(world)
    a = services.conclude(actor=None, assessment=a, version=a.version, conclusion="defer", opinion="暂缓")
    body = "\n".join(p.text for p in _read(documents.opinion_document(a)).paragraphs)
    assert "评估结论：暂缓支持。" in body and "涉及资金 1,200.00 万元" in body and "建议支持金额" not in body
