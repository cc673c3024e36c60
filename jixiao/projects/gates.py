"""The two gates of the project library, as registries that later apps fill.

* 先评估后入库 (中发〔2018〕34号; 财预〔2018〕167号): a project that needs an ex-ante assessment
  (``rules.needs_exante``) is admitted to the library only with a supporting conclusion. The
  assessment app (F4) calls :func:`register_exante_check` in its ``AppConfig.ready``.
* 未设置绩效目标不得安排预算 (《预算法》第三十二条; 财预〔2018〕167号): a project is included in the budget
  only with an approved target sheet. The targets app (F5) calls :func:`register_target_check`.
* 四个同步: the budget amount of a budgeted project changes only after an adjusted target sheet is
  approved. The targets app calls :func:`register_adjustment_check`.

A check is ``fn(project) -> bool | str``: ``True`` lets the project through; ``False`` or a Chinese
message refuses it. Every registered check must let it through. With no check registered the gate
refuses — the project library cannot know that an assessment or a target sheet exists until the
app that keeps them says so, and letting projects through meanwhile would teach users the wrong
order of work.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack, contextmanager

from jixiao.core.registry import Registry

Check = Callable[[object], "bool | str"]

EXANTE_REFUSED = "须先完成事前绩效评估并获得支持（予以支持或部分支持）后方可入库"
TARGET_REFUSED = "未设置经批复的绩效目标，不得纳入预算安排资金"
ADJUSTMENT_REFUSED = "调整项目预算须先调整绩效目标并经审核批复"

exante_checks = Registry("projects.gates.exante_checks")
target_checks = Registry("projects.gates.target_checks")
#: ``fn(project, new_amount) -> bool | str``: may a budgeted project's budget amount change to
#: ``new_amount``? (四个同步: a budget adjustment follows an approved adjusted target sheet.)
adjustment_checks = Registry("projects.gates.adjustment_checks")

register_exante_check = exante_checks.register
unregister_exante_check = exante_checks.unregister
register_target_check = target_checks.register
unregister_target_check = target_checks.unregister
register_adjustment_check = adjustment_checks.register
unregister_adjustment_check = adjustment_checks.unregister


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


def target_refusal(project) -> str | None:
    return _run(target_checks, project, TARGET_REFUSED)


@contextmanager
def overridden(*, exante=None, target=None, adjustment=None):
    """Run with the given checks in place of the registered ones (tests of the project library that
    must not depend on the apps above it)."""
    with ExitStack() as stack:
        for registry, fns in ((exante_checks, exante), (target_checks, target), (adjustment_checks, adjustment)):
            if fns is not None:
                stack.enter_context(registry.overridden(fns))
        yield
