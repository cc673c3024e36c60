"""Pure rules of the project library: the stage machine, who needs an ex-ante assessment, and the
shape of a function code. No ORM; the services feed them plain values."""

from __future__ import annotations

import re
from decimal import Decimal

from jixiao.core.money import format_wan
from jixiao.projects.choices import ASSESS
from jixiao.projects.choices import ProjectAction as A
from jixiao.projects.choices import ProjectStage as S
from jixiao.projects.data.function_codes import FUNCTION_CLASSES

FINAL_STAGES = frozenset({S.COMPLETED, S.TERMINATED})

#: action → (stages it may start from, stage it leads to). 储备 → 已申报 → 评估中 → 已入库 → 已纳入预算 →
#: 执行中 → 已完结, and 已终止 from any stage that is not final (中发〔2018〕34号: one project, one code, the
#: whole life).
#:
#: * 申报入库 (the agency applies) leads to 已申报: the project waits there — for the performance
#:   section's 批准入库, or, when it needs an ex-ante assessment (``needs_exante``), for the assessment.
#: * 评估中 is entered only by ``ASSESS``, the move the assessment app makes when it starts an
#:   assessment (from 储备 or 已申报), so a project in 评估中 always has its assessment.
#: * A project that needs no ex-ante assessment may be admitted straight from 储备 or 已申报 (the
#:   gate 先评估后入库 refuses the others until a supporting conclusion exists); 已申报 and 评估中 can
#:   be sent back to 储备 (e.g. an assessment that says 暂缓支持).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.SUBMIT: (frozenset({S.RESERVE}), S.SUBMITTED),
    ASSESS: (frozenset({S.RESERVE, S.SUBMITTED}), S.ASSESSING),
    A.RETURN: (frozenset({S.SUBMITTED, S.ASSESSING}), S.RESERVE),
    A.ADMIT: (frozenset({S.RESERVE, S.SUBMITTED, S.ASSESSING}), S.ADMITTED),
    A.BUDGET: (frozenset({S.ADMITTED}), S.BUDGETED),
    A.START: (frozenset({S.BUDGETED}), S.EXECUTING),
    A.COMPLETE: (frozenset({S.EXECUTING}), S.COMPLETED),
    A.TERMINATE: (frozenset(set(S) - FINAL_STAGES), S.TERMINATED),
}
#: The stages an ex-ante assessment can start from (the assessment app lists and accepts these).
ASSESSABLE_STAGES = TRANSITIONS[ASSESS][0]

#: Actions whose note (reason) is required.
NOTE_REQUIRED = frozenset({A.RETURN, A.TERMINATE})


def target_stage(action: str, stage: str) -> str | None:
    """The stage ``action`` leads to from ``stage``, or None when the move is illegal."""
    sources, target = TRANSITIONS[action]
    return target if stage in sources else None


def available_actions(stage: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if stage in sources]


def waiting_for(*, stage: str, needs_exante: bool) -> str:
    """What a project in ``stage`` waits for, in words the project page shows ("" when nothing: the
    next step is its own user's to take, or the project is finished)."""
    if stage == S.SUBMITTED:
        if needs_exante:
            return "已申报，等待绩效股发起事前绩效评估；评估结论为予以支持或部分支持后方可入库（先评估后入库）。"
        return "已申报，等待绩效股审核入库。"
    if stage == S.ASSESSING:
        return "事前绩效评估进行中；评估结论为予以支持或部分支持后方可入库（先评估后入库）。"
    return ""


def needs_exante(*, is_new: bool, is_major: bool, year: int, end_year: int) -> bool:
    """先评估后入库 (中发〔2018〕34号; 财预〔2018〕167号): new major projects and policies, and continuing
    ones proposed for a year past the end of their approved span, need a supporting ex-ante
    assessment before they enter the library. Not-major projects and continuing ones within their
    span enter without one."""
    if is_new:
        return is_major
    return year > end_year


def default_budget(*, budget_amount: Decimal, requested_amount: Decimal, ceiling: Decimal | None) -> Decimal:
    """The amount a project is budgeted at (and its target sheet written for) when nobody names one:
    its budget amount once set, else the amount requested — never more than its ceiling (the amount an
    ex-ante assessment supported: 部分支持 300 万 of a 500 万 request gives 300 万)."""
    amount = budget_amount if budget_amount > 0 else requested_amount
    return amount if ceiling is None else min(amount, ceiling)


def ceiling_refusal(*, amount: Decimal, ceiling: Decimal | None, reason: str) -> str | None:
    """A budget amount above the project's ceiling is refused (None when within it). ``reason`` names
    the ceiling ("事前绩效评估“部分支持”的支持金额")."""
    if ceiling is None or amount <= ceiling:
        return None
    return (f"预算金额 {format_wan(amount)} 万元超过{reason} {format_wan(ceiling)} 万元，"
            f"不能超出支持金额安排预算")


_FUNCTION_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


def function_code_error(code: str) -> str | None:
    """A function code is 类 (3 digits), 类款 (5) or 类款项 (7), with a known class."""
    if not _FUNCTION_CODE.match(code or ""):
        return f"支出功能分类科目“{code}”应为 3、5 或 7 位数字（类、款、项）"
    if code[:3] not in FUNCTION_CLASSES:
        return f"支出功能分类科目“{code}”的类级科目 {code[:3]} 不存在"
    return None


def year_errors(*, year: int, start_year: int, end_year: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in (("year", year), ("start_year", start_year), ("end_year", end_year)):
        if not 2000 <= value <= 2100:
            errors.setdefault(name, []).append(f"年度 {value} 不在 2000–2100 之间")
    if start_year > end_year:
        errors.setdefault("end_year", []).append("结束年度不能早于起始年度")
    elif end_year - start_year > 20:
        errors.setdefault("end_year", []).append("项目周期不能超过 20 年")
    if year < start_year:
        errors.setdefault("year", []).append("预算年度不能早于项目起始年度")
    return errors
