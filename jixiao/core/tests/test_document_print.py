"""The 公文's signature block never stands alone on a last page (GB/T 9704-2012 7.3.5): documents of
every length around a page break are rendered to PDF by headless LibreOffice (tests/pdfcheck.py) and
the page that holds the issuer and the date must hold body text too. ``JIXIAO_KEEP_RENDERING=<dir>``
keeps the PDFs for a person to look at."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from jixiao.core.documents import LINES_PER_PAGE, OfficialDocument, chinese_date
from tests.pdfcheck import measure, to_pdfs

ISSUER = "临朐县财政局"
DAY = dt.date(2026, 12, 2)


@pytest.fixture
def workdir(tmp_path):
    keep = os.environ.get("JIXIAO_KEEP_RENDERING")
    yield tmp_path
    if keep:
        shutil.copytree(tmp_path, Path(keep), dirs_exist_ok=True)


def signature_page_text(pages: list[str]) -> tuple[int, str]:
    """(page number, the page's text but the signature and the page number) of the page holding
    the date; the issuer must be on it too."""
    date = chinese_date(DAY)
    n = max(i for i, text in enumerate(pages) if date in text)
    text = pages[n]
    assert ISSUER in text, f"page {n + 1}: the date is separated from the issuer"
    rest = re.sub(r"—\d+—", "", text.replace(ISSUER, "").replace(date, ""))
    return n + 1, rest


def _document(paragraphs: int, *, table: bool = False) -> bytes:
    doc = OfficialDocument().title("关于某项目事前绩效评估的意见").addressee("临朐县第一中学")
    for i in range(paragraphs):
        doc.paragraph(f"第{i + 1}段正文。")
    if table:
        doc.table(["评估维度", "得分"], [["立项必要性", "18.00"], ["合计", "85.50"]])
    return doc.signature(ISSUER, DAY).to_bytes()


def test_signature_block_keeps_body_text_on_its_page(workdir):
    # one-line paragraphs over more than a page: one length puts the page break right before the
    # block (22 lines a page), one ending in a table likewise
    lengths = range(LINES_PER_PAGE - 10, LINES_PER_PAGE + 6)
    docs = {f"p{n}": _document(n) for n in lengths} | {f"t{n}": _document(n, table=True) for n in lengths}
    pdfs = to_pdfs(docs, ".docx", workdir)
    spread = set()
    for name, pdf in pdfs.items():
        rendering = measure(pdf)
        spread.add(rendering.page_count)
        page, rest = signature_page_text(rendering.pages)
        assert rest, f"{name}: the signature stands alone on page {page}"
        assert page == rendering.page_count, f"{name}: the signature is not on the last page"
    assert spread == {1, 2}, "the lengths do not cross a page break"
