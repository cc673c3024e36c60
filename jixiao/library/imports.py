"""Excel import of a region's indicator templates (flat list, the layout the export writes):
all-or-nothing, every bad cell reported (sheet/row/column, in Chinese), idempotent by the natural
key region + name + level 1 + level 2 + sector. Rows whose 来源 is 全国 are national templates (the
export lists them too) and are skipped: national templates change only with the repository's data."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.core import audit
from jixiao.core.choices import SecurityEventCode
from jixiao.core.errors import ValidationFailed
from jixiao.core.excel import (
    Column,
    ImportFailed,
    ImportReport,
    as_text,
    open_workbook,
    parse_bool,
    read_table,
)
from jixiao.core.services import service
from jixiao.core.viewkit import require
from jixiao.library import services
from jixiao.library.choices import (
    OPERATOR_ALIASES,
    Level1,
    Level2,
    Operator,
    ServesLevel,
    TemplateKind,
    ValueBasis,
)
from jixiao.library.models import IndicatorTemplate
from jixiao.org.models import Sector

SHEET = "指标库"
NATIONAL = "全国"
REGIONAL = "本区划"


def parse_label(choices, *, what: str):
    """Accept the code, the label, or the label without its trailing 指标 (产出 = 产出指标)."""
    mapping = {}
    for code, label in choices:
        mapping[code] = code
        mapping[label] = code
        mapping[label.removesuffix("指标")] = code

    def parse(value):
        text = as_text(value).replace(" ", "")
        if text in mapping:
            return mapping[text], None
        return None, f"“{text}”不是有效的{what}，应为：{'、'.join(label for _, label in choices)}"

    return parse


def parse_operator(value):
    text = as_text(value).replace(" ", "")
    if text in OPERATOR_ALIASES:
        return OPERATOR_ALIASES[text].value, None
    if text in Operator.values:
        return text, None
    return None, f"“{text}”不是有效的运算符，应为：{'、'.join(label for _, label in Operator.choices)}"


COLUMNS = [
    Column("name", "指标名称", width=28),
    Column("level1", "一级指标", parse_label(Level1.choices, what="一级指标"), width=12),
    Column("level2", "二级指标", parse_label(Level2.choices, what="二级指标"), width=16),
    Column("operator", "运算符", parse_operator, width=8),
    Column("typical_value", "参考指标值", required=False, width=12),
    Column("unit", "计量单位", required=False, width=10),
    Column("value_basis", "指标值确定依据", parse_label(ValueBasis.choices, what="取值依据"), required=False, width=14),
    Column("sector", "行业领域", required=False, width=16),
    Column("kind", "指标类别", parse_label(TemplateKind.choices, what="指标类别"), required=False, width=10),
    Column("serves", "适用层级", parse_label(ServesLevel.choices, what="适用层级"), required=False, width=12),
    Column("scoring_standard", "评分标准", required=False, width=40),
    Column("explanation", "指标解释", required=False, width=40),
    Column("keywords", "关键词", required=False, width=24),
    Column("active", "在用", parse_bool, required=False, width=8),
    Column("source", "来源", required=False, width=10),
]
HEADERS = {c.key: c.header for c in COLUMNS}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_national: int = 0

    def summary(self) -> str:
        text = f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条。"
        if self.skipped_national:
            text += f"全国模板 {self.skipped_national} 条只读，已跳过。"
        return text


def _add(report, row, key, message):
    report.add(row.sheet, row.number, row.letters.get(key), message, HEADERS.get(key, ""))


@service
def import_templates(*, actor, data: bytes, ip: str = "") -> ImportResult:
    """Create or update the actor's region's templates from the 指标库 sheet."""
    require(actor, IndicatorTemplate, "create")
    region = actor.region
    report = ImportReport()
    wb = open_workbook(data, report)
    rows = [] if wb is None else list(
        read_table(wb, COLUMNS, report, sheet=SHEET if SHEET in wb.sheet_names else None))
    sectors = {s.name: s for s in Sector.objects.all()} | {s.code: s for s in Sector.objects.all()}
    pairs = services.allowed_pairs()
    existing = {(t.name, t.level1, t.level2, t.sector_id): t
                for t in IndicatorTemplate.objects.for_user(actor, "change")}
    seen: dict[tuple, int] = {}
    plan = []
    result = ImportResult()
    for row in rows:
        v = row.values
        if (v.get("source") or "").strip() == NATIONAL:
            result.skipped_national += 1
            continue
        sector = None
        if v.get("sector"):
            sector = sectors.get(v["sector"])
            if sector is None:
                _add(report, row, "sector", f"行业领域“{v['sector']}”不存在")
                continue
        values = {
            "name": v["name"], "level1": v["level1"], "level2": v["level2"], "operator": v["operator"],
            "typical_value": v.get("typical_value") or "", "unit": v.get("unit") or "",
            "value_basis": v.get("value_basis") or ValueBasis.PLAN, "sector": sector,
            "kind": v.get("kind") or (TemplateKind.SPECIFIC if sector else TemplateKind.COMMON),
            "serves": v.get("serves") or ServesLevel.PROJECT, "scoring_standard": v.get("scoring_standard") or "",
            "explanation": v.get("explanation") or "", "keywords": v.get("keywords") or "",
            "active": True if v.get("active") is None else v["active"],
        }
        errors = services._errors(values, pairs)
        for key, messages in errors.items():
            for message in messages:
                _add(report, row, key, message)
        key = (values["name"], values["level1"], values["level2"], sector.pk if sector else None)
        if key in seen:
            _add(report, row, "name", f"“{values['name']}”（同一层级、同一行业）在文件中重复（另见第 {seen[key]} 行）")
        seen.setdefault(key, row.number)
        if not errors:
            plan.append((row, key, values))
    if not rows and report.ok:
        report.add(SHEET, None, None, "文件中没有数据行")
    if not report.ok:
        raise ImportFailed(report)
    for row, key, values in plan:
        current = existing.get(key)
        try:
            if current is None:
                services.create_template(actor=actor, region=region, source_note="Excel 导入", **values)
                result.created += 1
                continue
            changes = {k: new for k, new in values.items() if getattr(current, k) != new}
            if changes:
                services.update_template(actor=actor, template=current, version=current.version, **changes)
                result.updated += 1
            else:
                result.unchanged += 1
        except ValidationFailed as exc:
            for fld, messages in exc.errors.items():
                for message in messages:
                    _add(report, row, fld, message)
    if not report.ok:
        raise ImportFailed(report)
    audit.security_event(SecurityEventCode.IMPORT, actor=actor, ip=ip,
                         detail={"what": "indicator_templates", "created": result.created, "updated": result.updated})
    return result
