"""Reading the monitoring tables' fill-in workbook back (填报表: ``exports.tables_workbook`` writes it, one
worksheet per table in the official layout 项目支出绩效运行监控表): workbook → plain parsed sheets, no
database. ``imports.import_tables`` resolves them against the round and saves them.

The layout is shared with the export through the constants below. Each worksheet carries a hidden column
(:data:`KEY_COLUMN`, outside the print area) whose cells say what their row holds: the table's key on the
first row (:data:`KEY_PREFIX` + region code, round, table and the version exported), and a marker on each
row that has cells to fill — :data:`ESTIMATE_ROW`, :data:`REASONS_ROW`, :data:`GOAL_ROW` and
``row:<position>`` for each indicator (``row:<position>:q`` for a qualitative one). The reader finds the rows by these markers, not by counting, so a
row inserted above (on an unprotected sheet) does not shift what is read; the columns are fixed.

A worksheet without a key (a 说明 sheet, a sheet the user added) is skipped and named in the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.core.excel import (
    ImportReport,
    as_text,
    column_letter,
    formula_message,
    is_blank,
    open_workbook,
    parse_wan,
)
from jixiao.monitoring.choices import Achievement, CauseCategory, Likelihood

KEY_PREFIX = "jixiao-monitoring"
#: the hidden column: N, right of the thirteen printed ones
KEY_COLUMN = 13
ESTIMATE_ROW = "estimate"
REASONS_ROW = "reasons"
GOAL_ROW = "goal"
ROW_MARK = "row:"
#: appended to a qualitative indicator's row marker ("row:3:q"): only its 完成情况 cell is read
QUALITATIVE_MARK = "q"

#: the money row: where the agency's year-end estimate is typed
ESTIMATE_COLUMN = 9
#: the money row's deviation (the row under its headers): cause, explanation, likelihood, measures
MONEY_REASON_COLUMNS = {"cause": 1, "explanation": 3, "likelihood": 6, "measures": 8}
GOAL_COLUMN = 6
#: an indicator row's cells the agency fills
ROW_COLUMNS = {"value_to_date": 4, "year_end": 5, "achievement": 6, "cause": 8, "explanation": 9, "likelihood": 10,
               "measures": 11, "stated_expected": 12}
#: the optional column of a numeric indicator: the agency's expectation for the checkpoint (blank:
#: target × m ÷ 12, domain-rules §5)
STATED_EXPECTED_COLUMN = ROW_COLUMNS["stated_expected"]
HEADERS = {"estimate": "全年预计执行数", "goal_progress": "总体目标完成情况", "value_to_date": "实际完成值",
           "year_end": "全年预计完成值", "achievement": "完成情况", "cause": "偏差原因类别", "explanation": "偏差原因说明",
           "likelihood": "完成目标可能性", "measures": "纠偏措施", "stated_expected": "截至本期预期值（可选）"}
#: the dropdowns' labels → stored codes (a code typed instead of a label is taken too; anything else goes to
#: ``services.fill_changes`` as typed, which refuses it with the list of choices)
CHOICES = {"cause": dict((label, code) for code, label in CauseCategory.choices),
           "likelihood": dict((label, code) for code, label in Likelihood.choices),
           "achievement": dict((label, code) for code, label in Achievement.choices)}


def table_key(*, region_code: str, round_id: int, table_id: int, version: int) -> str:
    return f"{KEY_PREFIX}:{region_code}:{round_id}:{table_id}:{version}"


@dataclass
class ParsedTable:
    """One worksheet: the key it carries (``region_code``, ``round_id``, ``table_id``, ``version``), where the
    key is (``key_cell``: Excel row, column letter), and what the agency wrote — ``values`` as
    ``services.fill_changes`` takes them (``estimate`` in yuan or "" for a blank cell, ``goal_progress``,
    ``reasons``, ``rows`` by position) — and ``cells``: (position or None, field) → (row, column letter).
    A cell that does not read (reported) is left out of ``values``; ``bad`` marks a worksheet whose key or
    row markers do not read, which is not matched at all."""

    worksheet: str
    region_code: str
    round_id: int
    table_id: int
    version: int
    key_cell: tuple[int, str]
    estimate: object = None
    goal_progress: str | None = None
    reasons: dict = field(default_factory=dict)
    rows: dict[int, dict] = field(default_factory=dict)
    cells: dict[tuple, tuple[int, str]] = field(default_factory=dict)
    bad: bool = False


def _parse_key(text: str):
    parts = text.split(":")
    if len(parts) != 5 or parts[0] != KEY_PREFIX:
        return None
    try:
        return parts[1], int(parts[2]), int(parts[3]), int(parts[4])
    except ValueError:
        return None


def read_tables_workbook(data, report: ImportReport, *, name: str = "文件") -> tuple[list[ParsedTable], list[str]]:
    """Every keyed worksheet of the workbook, parsed, and the names of the worksheets without a key
    (skipped). Bad cells (a formula without a value, an estimate that is no amount, a key that does not
    read) are in ``report``."""
    wb = open_workbook(data, report, name=name)
    if wb is None:
        return [], []
    parsed: list[ParsedTable] = []
    skipped: list[str] = []
    for ws_name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(ws_name)
        except Exception:  # a chart sheet or a damaged part: not ours to read
            skipped.append(ws_name)
            continue
        first_col = (getattr(sheet, "start", None) or (0, 0))[1]
        rows = list(sheet.iter_rows())
        table = _read_sheet(ws_name, rows, first_col, report)
        if table is None:
            skipped.append(ws_name)
        else:
            parsed.append(table)
    return parsed, skipped


def _cell(raw: list, col: int, first_col: int):
    i = col - first_col
    return raw[i] if 0 <= i < len(raw) else None


def _read_sheet(ws_name: str, rows: list, first_col: int, report: ImportReport) -> ParsedTable | None:
    key_letter = column_letter(KEY_COLUMN)
    table = None
    for number, raw in enumerate(rows, start=1):
        mark = as_text(_cell(raw, KEY_COLUMN, first_col))
        if not mark:
            continue
        if table is None:
            if not mark.startswith(KEY_PREFIX):
                continue
            key = _parse_key(mark)
            if key is None:
                report.add(ws_name, number, key_letter, "监控表识别码已被改动，无法识别：请使用本系统导出的填报表，不要修改隐藏列")
                return ParsedTable(ws_name, "", 0, 0, 0, (number, key_letter), bad=True)
            table = ParsedTable(ws_name, *key, key_cell=(number, key_letter))
            continue
        if mark == ESTIMATE_ROW:
            _estimate(table, raw, number, first_col, report)
        elif mark == REASONS_ROW:
            for name, col in MONEY_REASON_COLUMNS.items():
                value = _text(table, raw, number, col, first_col, report, None, name)
                if value is not None:
                    table.reasons[name] = CHOICES[name].get(value, value) if name in CHOICES else value
        elif mark == GOAL_ROW:
            value = _text(table, raw, number, GOAL_COLUMN, first_col, report, None, "goal_progress")
            if value is not None:
                table.goal_progress = value
        elif mark.startswith(ROW_MARK):
            position_text, _, kind = mark[len(ROW_MARK):].partition(":")
            try:
                position = int(position_text)
            except ValueError:
                report.add(ws_name, number, key_letter, "指标行识别码已被改动：请不要修改隐藏列")
                table.bad = True
                continue
            if position in table.rows:
                report.add(ws_name, number, key_letter, f"第 {position} 项指标出现了两次：请不要复制指标行")
                table.bad = True
                continue
            values = {}
            for name, col in ROW_COLUMNS.items():
                if name == "achievement" and kind != QUALITATIVE_MARK:
                    continue  # a numeric indicator's cell says “（数值指标）”, read-only
                if name == "stated_expected" and kind == QUALITATIVE_MARK:
                    continue  # a qualitative indicator has no expectation: its cell is read-only
                value = _text(table, raw, number, col, first_col, report, position, name)
                if value is not None:
                    values[name] = CHOICES[name].get(value, value) if name in CHOICES else value
            table.rows[position] = values
    if table is None:
        return _earlier_layout(ws_name, rows, first_col, report)
    return table


#: where the key stood before the 截至本期预期值 column was added (2026-12-03): such a file's sheets are
#: named as what they are instead of being skipped as "no key"
EARLIER_KEY_COLUMN = KEY_COLUMN - 1


def _earlier_layout(ws_name: str, rows: list, first_col: int, report: ImportReport) -> ParsedTable | None:
    letter = column_letter(EARLIER_KEY_COLUMN)
    for number, raw in enumerate(rows, start=1):
        mark = as_text(_cell(raw, EARLIER_KEY_COLUMN, first_col))
        if mark and mark.startswith(KEY_PREFIX):
            report.add(ws_name, number, letter, "这是旧版填报表（识别码在 M 列，导出于增加“截至本期预期值”列之前），"
                                                "请重新导出填报表后再填写导入")
            return ParsedTable(ws_name, "", 0, 0, 0, (number, letter), bad=True)
    return None


def _text(table: ParsedTable, raw, number: int, col: int, first_col: int, report: ImportReport, position,
          name: str) -> str | None:
    """A filled cell as text ("" when blank), or None (reported) for a formula without a value."""
    letter = column_letter(col)
    table.cells[(position, name)] = (number, letter)
    value = _cell(raw, col, first_col)
    message = formula_message(value)
    if message:
        report.add(table.worksheet, number, letter, message, HEADERS[name])
        return None
    return "" if is_blank(value) else as_text(value)


def _estimate(table: ParsedTable, raw, number: int, first_col: int, report: ImportReport) -> None:
    letter = column_letter(ESTIMATE_COLUMN)
    table.cells[(None, "estimate")] = (number, letter)
    value = _cell(raw, ESTIMATE_COLUMN, first_col)
    message = formula_message(value)
    if message:
        report.add(table.worksheet, number, letter, message, HEADERS["estimate"])
        return
    if is_blank(value):
        table.estimate = ""
        return
    amount, error = parse_wan(value)
    if error:
        report.add(table.worksheet, number, letter, error, "全年预计执行数（万元）")
        return
    table.estimate = amount
