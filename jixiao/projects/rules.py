"""Pure rules of the project library: the stage machine, who needs an ex-ante assessment, and the
shape of a function code. No ORM; the services feed them plain values."""

from __future__ import annotations

import re

from jixiao.projects.choices import ProjectAction as A
from jixiao.projects.choices import ProjectStage as S
from jixiao.projects.data.function_codes import FUNCTION_CLASSES

FINAL_STAGES = frozenset({S.COMPLETED, S.TERMINATED})

#: action → (stages it may start from, stage it leads to). 储备 → 评估中 → 已入库 → 已纳入预算 → 执行中 →
#: 已完结, and 已终止 from any stage that is not final (中发〔2018〕34号: one project, one code, the
#: whole life). A project that needs no ex-ante assessment may be admitted straight from 储备;
#: 评估中 can be sent back to 储备 (e.g. an assessment that says 暂缓支持).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.SUBMIT: (frozenset({S.RESERVE}), S.ASSESSING),
    A.RETURN: (frozenset({S.ASSESSING}), S.RESERVE),
    A.ADMIT: (frozenset({S.RESERVE, S.ASSESSING}), S.ADMITTED),
    A.BUDGET: (frozenset({S.ADMITTED}), S.BUDGETED),
    A.START: (frozenset({S.BUDGETED}), S.EXECUTING),
    A.COMPLETE: (frozenset({S.EXECUTING}), S.COMPLETED),
    A.TERMINATE: (frozenset(set(S) - FINAL_STAGES), S.TERMINATED),
}

#: Actions whose note (reason) is required.
NOTE_REQUIRED = frozenset({A.RETURN, A.TERMINATE})


def target_stage(action: str, stage: str) -> str | None:
    """The stage ``action`` leads to from ``stage``, or None when the move is illegal."""
    sources, target = TRANSITIONS[action]
    return target if stage in sources else None


def available_actions(stage: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if stage in sources]


def needs_exante(*, is_new: bool, is_major: bool, year: int, end_year: int) -> bool:
    """先评估后入库 (中发〔2018〕34号; 财预〔2018〕167号): new major projects and policies, and continuing
    ones proposed for a year past the end of their approved span, need a supporting ex-ante
    assessment before they enter the library. Not-major projects and continuing ones within their
    span enter without one."""
    if is_new:
        return is_major
    return year > end_year


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
