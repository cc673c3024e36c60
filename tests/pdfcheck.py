"""Print checks on real renderings: a workbook or document is converted to PDF by headless
LibreOffice (Debian's ``libreoffice-calc-nogui`` / ``-writer-nogui``), and the PDF's glyph boxes are
measured against the cell borders drawn on each page (pdfplumber). Used by the tests of official
tables: text that does not fit its cell either crosses a border line or is not drawn at all
(LibreOffice drops the lines a row is too low for), so both are looked for."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: points a glyph box may touch a line without crossing it (anti-aliasing, rounding)
TOLERANCE = 0.6


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    return path


def to_pdf(data: bytes, suffix: str, workdir: Path) -> Path:
    """``data`` (an .xlsx or .docx) rendered to PDF by headless LibreOffice, in ``workdir``. Each call
    gets its own LibreOffice profile, so parallel test processes do not share one."""
    source = workdir / f"render{suffix}"
    source.write_bytes(data)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(workdir), str(source)],
                       check=True, capture_output=True, timeout=180)
    pdf = workdir / "render.pdf"
    assert pdf.exists(), "LibreOffice wrote no PDF"
    return pdf


def to_pdfs(documents: dict[str, bytes], suffix: str, workdir: Path) -> dict[str, Path]:
    """Several documents rendered by one LibreOffice run (one start-up, not one a file): each
    ``name → data`` becomes ``workdir/name.pdf``."""
    sources = []
    for name, data in documents.items():
        source = workdir / f"{name}{suffix}"
        source.write_bytes(data)
        sources.append(str(source))
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(workdir), *sources],
                       check=True, capture_output=True, timeout=300)
    pdfs = {name: workdir / f"{name}.pdf" for name in documents}
    missing = [name for name, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, f"LibreOffice wrote no PDF for {missing}"
    return pdfs


def to_png(pdf: Path, *, dpi: int = 70) -> list[Path]:
    """The PDF's pages as PNG files beside it (poppler's pdftoppm), for a person to look at."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(pdf.with_suffix(""))], check=True, timeout=120)
    return sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))


@dataclass
class Crossing:
    page: int
    text: str
    char: tuple[float, float, float, float]
    line: tuple[float, float, float, float]

    def __str__(self):
        return f"page {self.page}: “{self.text}” at {tuple(round(v, 1) for v in self.char)} crosses the border " \
               f"{tuple(round(v, 1) for v in self.line)}"


@dataclass
class Rendering:
    pages: list[str]  # each page's glyphs in drawing order, whitespace left out
    crossings: list[Crossing]
    page_count: int
    page_sizes: list[tuple[float, float]]
    first_chars: list[str]  # each page's text from its top (reading order), whitespace left out

    @property
    def text(self) -> str:
        return "".join(self.pages)


def measure(pdf: Path) -> Rendering:
    """Every glyph's box against every border segment drawn on its page: a horizontal border passing
    through a glyph (between its top and bottom, over its width) or a vertical one through it means
    the text runs out of its cell."""
    import pdfplumber

    pages, crossings, sizes, tops = [], [], [], []
    with pdfplumber.open(str(pdf)) as doc:
        for n, page in enumerate(doc.pages, start=1):
            sizes.append((float(page.width), float(page.height)))
            segments = []
            for line in page.lines:
                segments.append((float(line["x0"]), float(line["top"]), float(line["x1"]), float(line["bottom"])))
            for rect in page.rects:  # thin filled rectangles drawn as borders
                x0, top, x1, bottom = (float(rect[k]) for k in ("x0", "top", "x1", "bottom"))
                if bottom - top <= 2 or x1 - x0 <= 2:
                    segments.append((x0, top, x1, bottom))
            chars = [c for c in page.chars if c["text"].strip()]
            for c in chars:
                box = (float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"]))
                for seg in segments:
                    if _crosses(box, seg):
                        crossings.append(Crossing(n, c["text"], box, seg))
                        break
            pages.append("".join(c["text"] for c in chars))
            tops.append("".join(c["text"] for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"]))))
    return Rendering(pages=pages, crossings=crossings, page_count=len(pages), page_sizes=sizes, first_chars=tops)


def _crosses(box, seg) -> bool:
    x0, top, x1, bottom = box
    sx0, stop, sx1, sbottom = seg
    t = TOLERANCE
    if sbottom - stop <= sx1 - sx0:  # horizontal segment
        y = (stop + sbottom) / 2
        return top + t < y < bottom - t and sx0 < x1 - t and sx1 > x0 + t
    x = (sx0 + sx1) / 2
    return x0 + t < x < x1 - t and stop < bottom - t and sbottom > top + t
