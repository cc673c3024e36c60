"""The gates of the project library, as registries that later apps fill.

* 先评估后入库 (中发〔2018〕34号; 财预〔2018〕167号): a project that needs an ex-ante assessment
  (``rules.needs_exante``) is admitted to the library only with a supporting conclusion. The
  assessment app (F4) calls :func:`register_exante_check` in its ``AppConfig.ready``.
* 未设置绩效目标不得安排预算 (《预算法》第三十二条; 财预〔2018〕167号): a project is included in the budget
  only with an approved target sheet, at that sheet's annual amount (四个同步: the budget and its
  targets are approved together). The targets app (F5) calls :func:`register_target_check`.
* 四个同步: the budget amount of a budgeted project changes only after an adjusted target sheet is
  approved. The targets app calls :func:`register_adjustment_check`.
* The supported amount caps the budget: a project an ex-ante assessment supported with 300 万 of a
  500 万 request is budgeted (and its target sheet written) for at most 300 万. The assessment app
  calls :func:`register_budget_ceiling`; with none registered nothing is capped.

A check is ``fn(project) -> bool | str`` (target and adjustment checks also get the amount:
``fn(project, amount)``): ``True`` lets the project through; ``False`` or a Chinese
message refuses it. Every registered check must let it through. With no check registered the gate
refuses — the project library cannot know that an assessment or a target sheet exists until the
app that keeps them says so, and letting projects through meanwhile would teach users the wrong
order of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack, contextmanager
from decimal import Decimal

from jixiao.core.registry import Registry
from jixiao.projects import rules

Check = Callable[[object], "bool | str"]

EXANTE_REFUSED = "须先完成事前绩效评估并获得支持（予以支持或部分支持）后方可入库"
TARGET_REFUSED = "未设置经批复的绩效目标，不得纳入预算安排资金"
ADJUSTMENT_REFUSED = "调整项目预算须先调整绩效目标并经审核批复"

exante_checks = Registry("projects.gates.exante_checks")
#: ``fn(project, amount) -> bool | str``: may the project be included in the budget at ``amount``?
target_checks = Registry("projects.gates.target_checks")
#: ``fn(project, new_amount) -> bool | str``: may a budgeted project's budget amount change to
#: ``new_amount``? (四个同步: a budget adjustment follows an approved adjusted target sheet.)
adjustment_checks = Registry("projects.gates.adjustment_checks")
#: ``fn(project_ids) -> {project id: (amount, reason)}``: the most each project may be budgeted at,
#: and why in words that follow "超过" ("事前绩效评估“部分支持”的支持金额"). Many at once: an import of
#: target sheets asks for all its projects together.
budget_ceilings = Registry("projects.gates.budget_ceilings")

register_exante_check = exante_checks.register
unregister_exante_check = exante_checks.unregister
register_target_check = target_checks.register
unregister_target_check = target_checks.unregister
register_adjustment_check = adjustment_checks.register
unregister_adjustment_check = adjustment_checks.unregister
register_budget_ceiling = budget_ceilings.register
unregister_budget_ceiling = budget_ceilings.unregister


def adjustment_refusal(project, amount) -> str | None:
    return _run([lambda p, fn=fn: fn(p, amount) for fn in adjustment_checks], project, ADJUSTMENT_REFUSED)


def _run(checks, project, refused: str) -> str | None:
    """None when every check lets the project through, else the refusal message."""
    if not checks:
        return refused
    for check in checks:
        answer = check(project)
        if answer is True:
            continue
        return answer if isinstance(answer, str) and answer else refused
    return None


def exante_refusal(project) -> str | None:
    return _run(exante_checks, project, EXANTE_REFUSED)


def target_refusal(project, amount) -> str | None:
    return _run([lambda p, fn=fn: fn(p, amount) for fn in target_checks], project, TARGET_REFUSED)


def ceilings(project_ids: Iterable[int]) -> dict[int, tuple[Decimal, str]]:
    """The lowest registered ceiling of each project that has one (none: not capped)."""
    ids = list(project_ids)
    out: dict[int, tuple[Decimal, str]] = {}
    for fn in budget_ceilings:
        for pk, (amount, reason) in (fn(ids) or {}).items():
            if pk not in out or amount < out[pk][0]:
                out[pk] = (amount, reason)
    return out


def ceiling(project) -> tuple[Decimal, str] | None:
    return ceilings([project.pk]).get(project.pk)


def default_budget(project) -> Decimal:
    """The amount a project is budgeted at, and its target sheet written for, unless someone says
    otherwise (``rules.default_budget``: its budget amount or else its request, within its ceiling)."""
    cap = ceiling(project)
    return rules.default_budget(budget_amount=project.budget_amount, requested_amount=project.requested_amount,
                                ceiling=cap[0] if cap else None)


def ceiling_refusal(project, amount) -> str | None:
    cap = ceiling(project)
    return rules.ceiling_refusal(amount=amount, ceiling=cap[0], reason=cap[1]) if cap else None


@contextmanager
def overridden(*, exante=None, target=None, adjustment=None, ceilings=None):
    """Run with the given checks in place of the registered ones (tests of the project library that
    must not depend on the apps above it)."""
    with ExitStack() as stack:
        for registry, fns in ((exante_checks, exante), (target_checks, target), (adjustment_checks, adjustment),
                              (budget_ceilings, ceilings)):
            if fns is not None:
                stack.enter_context(registry.overridden(fns))
        yield
