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
