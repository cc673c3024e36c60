"""The region configuration keys of in-year monitoring (issue #13), registered with ``core.config``
(``MonitoringConfig.ready`` imports this module): the spending profiles that give a project without a
spending plan its expected execution (``rules.expected_progress``, basis 地区支出进度曲线), and the
lead time of the round deadline reminders.

A profile is written as 12 cumulative percentages (1 月 … 12 月, "3,8,15,…,100"), one per kind of
object (项目, 政策, 部门整体支出); an empty profile means none is configured for that kind, so the
expectation falls back to the time progress m ÷ 12. Checked by ``rules.profile_error``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jixiao.core.config import OBJECT, SPECS, Field, Spec
from jixiao.monitoring import rules

#: the kinds of object a profile is configured for: a project's ``kind``, or an agency's whole budget
PROFILE_KINDS = (("project", "项目"), ("policy", "政策"), ("agency", "部门整体支出"))
AGENCY_KIND = "agency"

_SPLIT = re.compile(r"[,，、;；\s]+")


def parse_profile(text: str | None) -> tuple[list[Decimal] | None, str | None]:
    """(the 12 cumulative shares as ratios, None) of a profile written as percentages, or (None, the
    Chinese error). An empty text is no profile: (None, None)."""
    text = (text or "").strip()
    if not text:
        return None, None
    shares = []
    for part in _SPLIT.split(text):
        if not part:
            continue
        try:
            value = Decimal(part.rstrip("%％"))
        except InvalidOperation:
            return None, f"“{part}”不是数字（请填写 12 个累计百分比，以逗号分隔）"
        if not value.is_finite():
            return None, f"“{part}”不是数字"
        shares.append(value / 100)
    error = rules.profile_error(shares)
    return (None, error) if error else (shares, None)


def _profiles_check(value: dict) -> list[str]:
    labels = dict(PROFILE_KINDS)
    errors = []
    for kind, _label in PROFILE_KINDS:
        _shares, error = parse_profile(value.get(kind))
        if error:
            errors.append(f"{labels[kind]}：{error}")
    return errors


SPENDING_PROFILES = Spec(
    key="spending_profiles",
    label="支出进度曲线",
    help="没有用款计划的项目，按本地区该类对象的支出进度曲线计算预期执行进度：填写 1—12 月末的累计支出百分比（12 个数，"
         "以逗号分隔，逐月不减，12 月为 100）；留空则按时间进度（月份÷12）计算。",
    shape=OBJECT,
    fields=tuple(Field(kind, f"{label}（1—12 月累计 %）", required=False) for kind, label in PROFILE_KINDS),
    default={kind: None for kind, _ in PROFILE_KINDS},
    source="预算支出通常前低后高，按直线时间进度会把大量项目误判为执行滞后；曲线由本地区历年支出进度确定",
    check=_profiles_check,
)

MONITORING_PARAMS = Spec(
    key="monitoring_params",
    label="监控填报提醒",
    help="监控批次填报截止前多少天提醒未提交的单位；截止后仍未提交的再提醒一次（逾期）。",
    shape=OBJECT,
    fields=(Field("remind_days", "截止前提醒天数", "int", minimum=Decimal(1), maximum=Decimal(30)),),
    default={"remind_days": 3},
    source="各地监控办法：按时报送监控结果",
)

for _spec in (SPENDING_PROFILES, MONITORING_PARAMS):
    if _spec.key not in SPECS:
        SPECS.register(_spec.key, _spec)


def profile_for(region, year: int, kind: str) -> list[Decimal] | None:
    """The region's configured profile for ``kind`` in ``year`` (ratios), or None."""
    from jixiao.core import config

    shares, _error = parse_profile(config.get(region, year, "spending_profiles").get(kind))
    return shares
