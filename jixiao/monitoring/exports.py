"""Excel out of in-year monitoring: the list of finance decisions (监控结果应用台账)."""

from __future__ import annotations

from jixiao.core.dates import format_local, local_date
from jixiao.core.excel import Column, SheetData, write_styled

DECISION_COLUMNS = [
    Column("year", "年度", width=8),
    Column("agency", "单位", width=28),
    Column("code", "项目编码", width=20),
    Column("project", "项目名称", width=32),
    Column("kind", "处理方式", width=14),
    Column("amount", "金额", money=True, width=14),
    Column("reason", "理由", width=40),
    Column("round", "监控批次", width=20),
    Column("decided_by", "决定人", width=12),
    Column("decided_at", "决定时间", width=18),
    Column("state", "暂缓拨付状态", width=24),
]


def decision_row(d) -> dict:
    state = ""
    if d.kind == "suspend":
        state = (f"已于 {local_date(d.lifted_at, d.region):%Y-%m-%d} 解除：{d.lift_reason}" if d.lifted_at
                 else "暂缓中")
    return {"year": d.year, "agency": f"{d.agency.code} {d.agency.name}", "code": d.project.code,
            "project": d.project.name, "kind": d.get_kind_display(), "amount": d.amount, "reason": d.reason,
            "round": d.table.round.title if d.table_id else "", "decided_by": decider(d),
            "decided_at": format_local(d.decided_at, d.region), "state": state}


def decider(d) -> str:
    user = d.decided_by
    return "系统" if user is None else (user.display_name or user.get_username())


def decisions_workbook(decisions, *, caption: str) -> bytes:
    return write_styled([SheetData("监控结果应用", DECISION_COLUMNS, (decision_row(d) for d in decisions),
                                   caption=caption, note="金额单位：万元")])


# --- the monitoring tables to fill in and import back (填报表) -------------------------------------------
#
# One worksheet per table in the layout of 项目支出绩效运行监控表 (documents.md): what the system knows is
# written read-only (the budget, executed to date, rate, expected execution with its basis, the targets
# and the lights at export), what the agency states in unlocked, shaded cells (value to date, expected
# full-year value, estimate, goal progress, the deviation fields with dropdowns). The sheet is protected
# without a password, so the known figures are not typed over by mistake. The hidden column N carries the
# table's key and the row markers ``import_read`` reads back (``imports.import_tables``).

from jixiao.core.excel import Printed, write_printed  # noqa: E402
from jixiao.monitoring import import_read as layout  # noqa: E402
from jixiao.monitoring.choices import Achievement, CauseCategory, Likelihood  # noqa: E402

#: A–M: 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 全年预计 | 完成情况 | 信号 | 原因类别 | 原因说明 | 可能性 | 纠偏措施
#: | 截至本期预期值（可选）
TABLE_WIDTHS = [9, 10, 18, 12, 11, 11, 10, 8, 10, 18, 10, 18, 11]
#: the last printed column (M)
LAST = len(TABLE_WIDTHS) - 1
_BODY = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True, "border": 1}
_FILL = {"locked": False, "bg_color": "#FFF2CC"}
TABLE_STYLES = {
    "title": {"font_name": "黑体", "font_size": 16, "align": "center", "valign": "vcenter", "text_wrap": True},
    "note": {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True},
    "note_right": {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "align": "right"},
    "head": {**_BODY, "font_name": "黑体", "align": "center"},
    "text": {**_BODY, "align": "left"},
    "centre": {**_BODY, "align": "center"},
    "money": {**_BODY, "align": "right", "text_wrap": False, "num_format": "#,##0.00"},
    "percent": {**_BODY, "align": "right", "text_wrap": False, "num_format": "0.00%"},
    "fill": {**_BODY, **_FILL, "align": "left", "num_format": "@"},
    "fill_centre": {**_BODY, **_FILL, "align": "center", "num_format": "@"},
    "fill_money": {**_BODY, **_FILL, "align": "right", "text_wrap": False, "num_format": "#,##0.00"},
    "key": {"font_size": 8, "font_color": "#808080"},
}
PROJECT_TABLE_TITLE = "项目支出绩效运行监控表"
AGENCY_TABLE_TITLE = "部门整体支出绩效运行监控表"
#: tables read and laid out per round of queries
TABLE_CHUNK = 500
FILL_NOTE = ("填写说明：浅黄色单元格由单位填写，其余为系统数据（只读）。完成值只填数字（定性指标填文字，并选择完成情况）；"
             "偏差原因类别、完成目标可能性从下拉列表选择。偏差超过阈值的须填写偏差原因类别、说明、完成目标可能性和纠偏措施，"
             "否则不能提交审核。截至本期预期值（可选，只填数字）是单位对本监控节点应达到的数值，不填时按年度指标值 × 月份 ÷ 12 计算"
             "（反向指标以年度指标值为上限）；验收合格率、满意度等全年保持同一水平的比率类指标可填写本期应达到的比率。填好后在系统的监控批次页面“导入填报表”；请不要修改工作表结构和隐藏列。")


def _wan(amount) -> float:
    """The exact 万元 value of a yuan amount as a number cell (shown with two decimals)."""
    from decimal import Decimal

    return float(Decimal(amount) / 10000)


def _dropdown(choices, title: str) -> dict:
    return {"validate": "list", "source": list(choices.labels), "error_title": title,
            "error_message": f"请从下拉列表中选择：{'、'.join(choices.labels)}"}


def _light_text(light, note: str = "") -> str:
    return light.label if light else (note or "")


def table_layout(t, r, *, department: str, annual_goal: str, title: str, editable: bool) -> Printed:
    """One table (``t``: a MonitoringTable with round, agency, project; ``r``: its ``TableReading``) as a
    print grid, A4 landscape."""
    from jixiao.library.choices import Level1, Level2

    m = t.round.month
    span = f"1—{m}月"
    g = Printed(title=title, widths=TABLE_WIDTHS, wide=True, protect=True, hidden_columns=(layout.KEY_COLUMN,))
    text, centre, money = ("fill", "fill_centre", "fill_money") if editable else ("text", "centre", "money")
    key = layout.KEY_COLUMN

    def mark(row: int, value: str) -> None:
        g.put(row, key, value, "key")

    g.merge(0, 0, 0, LAST, PROJECT_TABLE_TITLE if t.project_id else AGENCY_TABLE_TITLE, "title")
    g.heights[0] = 30
    code = f"项目编码：{t.project.code}" if t.project_id else f"单位编码：{t.agency.code}"
    state = t.get_status_display() + ("" if editable else "（不能通过导入修改）")
    g.merge(1, 0, 1, 8, f"{code}  年度：{t.round.year}  监控批次：{t.round.title}（{span}）  状态：{state}", "note")
    g.merge(1, 9, 1, LAST, "金额单位：万元", "note_right")
    mark(0, layout.table_key(region_code=t.region.code, round_id=t.round_id, table_id=t.pk, version=t.version))
    # 项目名称 / 主管部门 / 实施单位
    g.put(2, 0, "项目名称" if t.project_id else "部门（单位）", "head")
    g.merge(2, 1, 2, 5, t.project.name if t.project_id else f"{t.agency.name}（部门整体支出）", "text")
    g.put(2, 6, "主管部门", "head")
    g.merge(2, 7, 2, 8, department, "text")
    g.put(2, 9, "实施单位", "head")
    g.merge(2, 10, 2, LAST, t.agency.name, "text")
    # 预算执行
    g.merge(3, 0, 4, 0, "预算执行", "head")
    heads = ["年初预算数", "全年预算数", f"{span}执行数", f"{span}执行率", "预期执行进度", None, "预期执行数",
             "全年预计执行数（填报）", "全年执行预测", "执行信号"]
    col = 1
    for h in heads:
        if h is None:
            continue
        if h == "预期执行进度":
            g.put(3, col, h, "head")
            g.merge(3, col + 1, 3, col + 2, "预期进度依据", "head")
            col += 3
            continue
        if col == 11:  # 执行信号: to the last column
            g.merge(3, col, 3, LAST, h, "head")
        else:
            g.put(3, col, h, "head")
        col += 1
    g.heights[3] = 30
    unknown = "未知（没有已批复的绩效目标）"
    g.put(4, 1, _wan(r.budget_initial) if r.budget_initial is not None else unknown,
          "money" if r.budget_initial is not None else "text")
    g.put(4, 2, _wan(r.budget_adjusted) if r.budget_adjusted is not None else unknown,
          "money" if r.budget_adjusted is not None else "text")
    g.put(4, 3, _wan(r.executed), "money")
    g.put(4, 4, float(r.rate) if r.rate is not None else "无法计算", "percent" if r.rate is not None else "text")
    g.put(4, 5, float(r.expectation.value), "percent")
    g.merge(4, 6, 4, 7, r.expectation.label, "centre")
    g.put(4, 8, _wan(r.expected_amount) if r.expected_amount is not None else "无法计算",
          "money" if r.expected_amount is not None else "text")
    g.put(4, layout.ESTIMATE_COLUMN, _wan(r.estimate) if r.estimate is not None else None, money)
    g.put(4, 10, _wan(r.forecast) if r.forecast is not None else "8月起测算", "money" if r.forecast is not None else "text")
    g.merge(4, 11, 4, LAST, _light_text(r.budget_light, r.budget.note) if r.budget else "无法计算", "centre")
    mark(4, layout.ESTIMATE_ROW)
    # the money row's deviation
    g.merge(5, 0, 6, 0, "预算执行偏差" + ("（须填写）" if r.budget_required else ""), "head")
    reasons = {"cause": t.cause, "explanation": t.explanation, "likelihood": t.likelihood, "measures": t.measures}
    spans = {"cause": (1, 2), "explanation": (3, 5), "likelihood": (6, 7), "measures": (8, LAST)}
    labels = {"cause": CauseCategory, "likelihood": Likelihood}
    for name, (c1, c2) in spans.items():
        g.merge(5, c1, 5, c2, layout.HEADERS[name], "head")
        value = reasons[name]
        if name in labels:
            value = labels[name](value).label if value else None
        g.merge(6, c1, 6, c2, value or None, centre if name in labels else text)
    g.heights[6] = 36
    mark(6, layout.REASONS_ROW)
    # 总体目标
    g.merge(7, 0, 8, 0, "总体目标", "head")
    g.merge(7, 1, 7, 5, "年度总体目标", "head")
    g.merge(7, 6, 7, LAST, f"{span}完成情况（填报）", "head")
    g.merge(8, 1, 8, 5, annual_goal or None, "text")
    g.merge(8, layout.GOAL_COLUMN, 8, LAST, t.goal_progress or None, text)
    g.heights[8] = 48
    mark(8, layout.GOAL_ROW)
    # 绩效指标
    head = 9
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", f"{span}实际完成值", "全年预计完成值",
                           "完成情况（定性指标）", "信号", "偏差原因类别", "偏差原因说明", "完成目标可能性", "纠偏措施",
                           layout.HEADERS["stated_expected"])):
        g.put(head, c, h, "head")
    g.heights[head] = 30
    g.repeat_rows = (head, head)
    level1, level2 = dict(Level1.choices), dict(Level2.choices)
    row = head + 1
    if not r.rows:
        g.merge(row, 0, row, LAST, "没有已批复的绩效目标表，只监控预算执行" if not t.sheet_id else "绩效目标表没有指标", "text")
        row += 1
    first = row
    for x in r.rows:
        g.put(row, 0, level1.get(x.level1, x.level1), "centre")
        g.put(row, 1, level2.get(x.level2, x.level2), "centre")
        g.put(row, 2, x.name, "text")
        g.put(row, 3, x.target, "centre")
        g.put(row, 4, x.value_to_date or None, text)
        g.put(row, 5, x.year_end or None, text)
        if x.qualitative:
            g.put(row, 6, Achievement(x.achievement).label if x.achievement else None, centre)
        else:
            g.put(row, 6, "（数值指标）", "centre")
        g.put(row, 7, _light_text(x.light, x.signal.note) + ("；须填写偏差说明" if x.required else ""), "centre")
        g.put(row, 8, CauseCategory(x.reasons["cause"]).label if x.reasons["cause"] else None, centre)
        g.put(row, 9, x.reasons["explanation"] or None, text)
        g.put(row, 10, Likelihood(x.reasons["likelihood"]).label if x.reasons["likelihood"] else None, centre)
        g.put(row, 11, x.reasons["measures"] or None, text)
        if x.qualitative:
            g.put(row, layout.STATED_EXPECTED_COLUMN, "（定性指标）", "centre")
        else:
            g.put(row, layout.STATED_EXPECTED_COLUMN, x.stated_expected or None, text)
        mark(row, f"{layout.ROW_MARK}{x.position}" + (f":{layout.QUALITATIVE_MARK}" if x.qualitative else ""))
        if editable and x.qualitative:
            g.validations.append((row, 6, row, 6, _dropdown(Achievement, "完成情况")))
        row += 1
    last = row - 1
    for col, keys in ((0, ("level1",)), (1, ("level1", "level2"))):
        run = first
        for n in range(1, len(r.rows) + 1):
            prev, cur = r.rows[n - 1], r.rows[n] if n < len(r.rows) else None
            if cur is None or any(getattr(cur, k) != getattr(prev, k) for k in keys):
                end = first + n - 1
                if end > run:
                    g.merges.append((run, col, end, col))
                    for rr in range(run + 1, end + 1):
                        g.cells[(rr, col)] = (None, "centre")
                run = end + 1
    if editable:
        g.validations.append((6, 1, 6, 1, _dropdown(CauseCategory, "偏差原因类别")))
        g.validations.append((6, 6, 6, 6, _dropdown(Likelihood, "完成目标可能性")))
        if r.rows:
            g.validations.append((first, 8, last, 8, _dropdown(CauseCategory, "偏差原因类别")))
            g.validations.append((first, 10, last, 10, _dropdown(Likelihood, "完成目标可能性")))
    g.merge(row, 0, row, LAST, FILL_NOTE, "note")
    return g


def table_layouts(tables, *, progress=None):
    """One grid per table (MonitoringTable instances with round, region, agency, project and sheet), in order:
    read in chunks of :data:`TABLE_CHUNK` — ``readings.read_tables`` (its fixed number of queries) and one
    query for the departments — never a query per table."""
    from jixiao.monitoring.readings import read_tables
    from jixiao.org.models import Agency
    from jixiao.targets.exports import _top_agency_id, sheet_title

    tables = list(tables)
    taken: set[str] = set()
    for at in range(0, len(tables), TABLE_CHUNK):
        part = tables[at:at + TABLE_CHUNK]
        readings = read_tables(part)
        tops = {t.pk: _top_agency_id(t.agency.path) for t in part}
        departments = dict(Agency.objects.filter(pk__in={v for v in tops.values() if v}).values_list("pk", "name"))
        for t in part:
            title = sheet_title(project_code=t.project.code if t.project_id else None, agency_code=t.agency.code,
                                number=1, taken=taken)
            editable = t.is_editable and t.round.status == "open"
            yield table_layout(t, readings[t.pk], department=departments.get(tops[t.pk], t.agency.name),
                               annual_goal=t.sheet.annual_goal if t.sheet_id else "", title=title, editable=editable)
        if progress is not None:
            progress(min(at + TABLE_CHUNK, len(tables)), len(tables))


def tables_workbook(tables, *, progress=None, target=None) -> bytes | None:
    """The fill-in workbook of ``tables`` (one worksheet each, A4 landscape), to import back with
    ``imports.import_tables``."""
    return write_printed(table_layouts(tables, progress=progress), styles=TABLE_STYLES, target=target)
