"""The 公文 builder, read back with python-docx (documents.md layout)."""

import datetime as dt
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from jixiao.core.documents import OfficialDocument, chinese_date


def _build() -> Document:
    data = (
        OfficialDocument()
        .title("关于2023年度重点项目绩效评价\n结果的通报")
        .document_number("临财绩〔2023〕12号")
        .addressee("县直各部门")
        .paragraph("根据《中共中央 国务院关于全面实施预算绩效管理的意见》，现将有关情况通报如下。")
        .heading("一、总体情况", 1)
        .heading("（一）评价范围", 2)
        .heading("1.项目数量", 3)
        .heading("（1）教育类", 4)
        .table(["项目", "金额（万元）"], [["校舍维修", "550.56"]])
        .signature("临朐县财政局", dt.date(2023, 1, 10))
        .to_bytes()
    )
    return Document(io.BytesIO(data))


def _east_asian(run) -> str:
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_setup_is_a4_with_official_margins_and_grid():
    doc = _build()
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    # 22 lines in the 225 mm type area
    assert abs(int(grid.get(qn("w:linePitch"))) / 20 * 22 - Mm(225).pt) < 2
    # 28 body characters fit the 156 mm line (and 29 do not): 16 pt condensed by the run spacing
    body = next(p for p in doc.paragraphs if p.text.startswith("根据"))
    condense = int(body.runs[0]._element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    pitch = 16 + condense
    assert 28 * pitch <= Mm(156).pt < 29 * pitch


def test_title_body_headings_and_signature_fonts():
    doc = _build()
    paras = [p for p in doc.paragraphs if p.text]
    title = paras[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.text == "关于2023年度重点项目绩效评价\n结果的通报"
    assert _east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    body = next(p for p in paras if p.text.startswith("根据"))
    assert _east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    fonts = {p.text: (_east_asian(p.runs[0]), bool(p.runs[0].font.bold)) for p in paras}
    assert fonts["一、总体情况"] == ("黑体", False)
    assert fonts["（一）评价范围"] == ("楷体_GB2312", False)
    assert fonts["1.项目数量"] == ("仿宋_GB2312", True)
    assert fonts["（1）教育类"] == ("仿宋_GB2312", False)
    assert paras[-1].text == "2023年1月10日" and paras[-1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert paras[-2].text == "临朐县财政局"
    assert doc.tables[0].cell(1, 1).text == "550.56"


def test_page_numbers_odd_right_even_left():
    doc = _build()
    s = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in p._element.xml


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(dt.date(2023, 1, 10)) == "2023年1月10日"
    assert chinese_date(dt.date(2026, 11, 2)) == "2026年11月2日"
