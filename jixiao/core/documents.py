"""Word documents in the official-document layout (公文, GB/T 9704-2012; documents.md).

``OfficialDocument`` is the one builder for notices, assessment opinions, evaluation summaries and
the annual report: A4 with the standard margins, a 22-line × 28-character grid, 方正小标宋简体 title,
仿宋_GB2312 body with a two-character first-line indent, the four heading levels, the issuing body
and date right-aligned, and "— 1 —" page numbers (odd pages right, even pages left). Fonts are named
in the document (with fallbacks) — the reader's Word or WPS supplies them. ``to_bytes()`` gives the
.docx; tests read it back with python-docx.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from jixiao.core.text import printable

# Chinese type sizes in points
ER_HAO = Pt(22)  # 二号
SAN_HAO = Pt(16)  # 三号
SI_HAO = Pt(14)  # 四号

TITLE_FONT = ("方正小标宋简体", "宋体")
BODY_FONT = ("仿宋_GB2312", "仿宋")
HEI_FONT = ("黑体", "黑体")
KAI_FONT = ("楷体_GB2312", "楷体")
SONG_FONT = ("宋体", "宋体")

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}


def chinese_date(day: dt.date) -> str:
    """Arabic numerals, no leading zeros: 2023年1月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _body_char_spacing() -> int:
    """Character spacing (twentieths of a point, ≤ 0) that fits CHARS_PER_LINE 三号 characters into
    the type area: 156 mm ÷ 28 = 15.78 pt a character, so 16 pt characters are condensed by 0.25 pt."""
    width_pt = (210 - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
    pitch_twips = width_pt / CHARS_PER_LINE * 20
    return -int(SAN_HAO.pt * 20 - pitch_twips + 0.999)


def _set_font(run, font: tuple[str, str], size, *, bold: bool = False, condensed: bool = False) -> None:
    name, fallback = font
    run.font.name = fallback  # Latin/ASCII slot: a font every machine has
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)
    if condensed:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(_body_char_spacing()))
        rpr.append(spacing)


def _page_number_field(paragraph) -> None:
    """"— N —" with N a PAGE field, 宋体 四号."""

    def text(t):
        r = paragraph.add_run(t)
        _set_font(r, SONG_FONT, SI_HAO)

    text("— ")
    run = paragraph.add_run()
    _set_font(run, SONG_FONT, SI_HAO)
    for kind, instr in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
        run._element.append(el)
    text(" —")


class OfficialDocument:
    def __init__(self):
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.start_type = WD_SECTION.NEW_PAGE
        self._grid(section)
        self._page_numbers(section)
        normal = self.doc.styles["Normal"]
        normal.font.size = SAN_HAO
        normal.font.name = BODY_FONT[1]
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT[0])
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        self._defaults()

    # --- page setup ---------------------------------------------------------------------------
    def _defaults(self) -> None:
        """Document defaults at 三号 with single spacing: word processors size the character grid
        from the default font, so a 11 pt default would stretch 28 characters over the line."""
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        for tag in ("w:sz", "w:szCs"):
            rpr.find(qn(tag)).set(qn("w:val"), str(int(SAN_HAO.pt * 2)))
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")

    def _grid(self, section) -> None:
        body_height_pt = (297 - MARGINS_MM["top"] - MARGINS_MM["bottom"]) / 25.4 * 72
        line_pitch_twips = int(body_height_pt / LINES_PER_PAGE * 20)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        # A line grid only: the 28 characters a line come from the body runs' character spacing
        # (BODY_CHAR_SPACING), which Word, WPS and LibreOffice all honour — LibreOffice misreads the
        # negative w:charSpace a character grid would need.
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(line_pitch_twips))

    def _page_numbers(self, section) -> None:
        self.doc.settings.odd_and_even_pages_header_footer = True
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _page_number_field(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _page_number_field(even)

    # --- content ------------------------------------------------------------------------------
    def title(self, text: str) -> OfficialDocument:
        """Centred 二号 方正小标宋简体; a title with line breaks ("\\n") keeps them."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, line in enumerate(text.split("\n")):
            if i:
                p.add_run().add_break()
            _set_font(p.add_run(printable(line)), TITLE_FONT, ER_HAO)
        self.doc.add_paragraph()  # one blank line under the title
        return self

    def document_number(self, number: str) -> OfficialDocument:
        """文号 such as "X财绩〔2023〕12号", centred under the issuing line."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(p.add_run(printable(number)), BODY_FONT, SAN_HAO)
        return self

    def addressee(self, text: str) -> OfficialDocument:
        """主送机关: flush left, ends with a full-width colon."""
        p = self.doc.add_paragraph()
        _set_font(p.add_run(printable(text if text.endswith("：") else text + "：")), BODY_FONT, SAN_HAO)
        return self

    def paragraph(self, text: str) -> OfficialDocument:
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(SAN_HAO.pt * 2)
        _set_font(p.add_run(printable(text)), BODY_FONT, SAN_HAO, condensed=True)
        return self

    def heading(self, text: str, level: int) -> OfficialDocument:
        """Level 1 "一、" 黑体; 2 "（一）" 楷体; 3 "1." 仿宋 bold; 4 "（1）" 仿宋 — all 三号, indented
        two characters like the body."""
        fonts = {1: (HEI_FONT, False), 2: (KAI_FONT, False), 3: (BODY_FONT, True), 4: (BODY_FONT, False)}
        if level not in fonts:
            raise ValueError("heading level must be 1–4")
        font, bold = fonts[level]
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(SAN_HAO.pt * 2)
        p.paragraph_format.keep_with_next = True  # never the last line of a page, its text on the next
        _set_font(p.add_run(printable(text)), font, SAN_HAO, bold=bold, condensed=True)
        return self

    def table(self, headers: list[str], rows: list[list[str]]) -> OfficialDocument:
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, h in zip(t.rows[0].cells, headers, strict=True):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(printable(str(h))), HEI_FONT, Pt(12))
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = ""
                _set_font(cell.paragraphs[0].add_run(printable(str(value))), BODY_FONT, Pt(12))
        return self

    def signature(self, issuer: str, day: dt.date) -> OfficialDocument:
        """发文机关署名 and 成文日期, right-aligned, date in Arabic numerals. The block never stands
        alone on a last page (GB/T 9704-2012 7.3.5: 正文 and 署名 stay together): the blank line,
        the issuer and the date keep with the next paragraph and the body's last paragraph (or the
        last row of a closing table) keeps with the block, so a page break before the signature
        takes body text with it."""
        self._keep_last_with_next()
        blank = self.doc.add_paragraph()
        blank.paragraph_format.keep_with_next = True
        for text in (issuer, chinese_date(day)):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.right_indent = Pt(SAN_HAO.pt * 4)
            p.paragraph_format.keep_with_next = text == issuer
            p.paragraph_format.keep_together = True
            _set_font(p.add_run(printable(text)), BODY_FONT, SAN_HAO)
        return self

    def _keep_last_with_next(self) -> None:
        """The body's last block keeps with what follows: a paragraph directly; a table through
        its last row (the row does not split and its paragraphs keep with next, which Word, WPS and
        LibreOffice read as the table keeping with the next paragraph)."""
        body = self.doc.element.body
        last = next((el for el in reversed(body) if el.tag in (qn("w:p"), qn("w:tbl"))), None)
        if last is None:
            return
        if last.tag == qn("w:p"):
            last.get_or_add_pPr().keepNext_val = True
            return
        table = self.doc.tables[-1]
        row = table.rows[-1]
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            tr_pr.append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()
