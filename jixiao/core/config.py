"""Region configuration: typed records per region and year, seeded with the national defaults of
domain-rules.md. Every threshold, weight, band and outcome list the rules use is read from here —
never a constant in a rule — so provinces and counties can vary them.

A spec is either an *object* (named fields) or a list of *rows* (each with the same fields). Values
are stored as JSON with decimals as strings and come back as plain Python with ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.core.registry import Registry
from jixiao.core.roles import REVIEW_ROLES, Role

OBJECT, ROWS = "object", "rows"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "str"  # str | decimal | int | bool | choice
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    #: an internal code (English, what the code matches on): edited on the form, not shown on the page
    internal: bool = False
    #: Chinese names of known values of a free-text field, shown instead of the code (e.g. 条件)
    labels: tuple[tuple[str, str], ...] = ()

    def parse(self, raw: Any) -> tuple[Any, str | None]:
        """Parse a form or JSON value; return (value, Chinese error or None)."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.kind == "bool":
                return False, None
            if self.required:
                return None, f"“{self.label}”不能为空"
            return None, None
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw, None
            return str(raw).strip().lower() in ("1", "true", "on", "yes", "是"), None
        if self.kind in ("decimal", "int"):
            try:
                value = Decimal(str(raw).strip())
            except InvalidOperation:
                return None, f"“{self.label}”应为数字，收到“{raw}”"
            if not value.is_finite():
                return None, f"“{self.label}”应为数字，收到“{raw}”"
            if self.kind == "int":
                if value != value.to_integral_value():
                    return None, f"“{self.label}”应为整数，收到“{raw}”"
                value = int(value)
            if self.minimum is not None and value < self.minimum:
                return None, f"“{self.label}”不能小于 {self.minimum}"
            if self.maximum is not None and value > self.maximum:
                return None, f"“{self.label}”不能大于 {self.maximum}"
            return value, None
        text = str(raw).strip()
        if self.kind == "choice" and text not in {c for c, _ in self.choices}:
            labels = "、".join(label for _, label in self.choices)
            return None, f"“{self.label}”应为以下之一：{labels}"
        return text, None


@dataclass(frozen=True)
class Spec:
    key: str
    label: str
    help: str
    shape: str
    fields: tuple[Field, ...]
    default: Any
    source: str = ""
    check: Any = None  # callable(value) -> list[str] of whole-record errors
    #: callable(year) -> the national default of that year, when it changed over the years (``taxonomy``)
    by_year: Any = None

    def default_for(self, year: int | None):
        """The national default in force in ``year`` (``default`` when the year does not matter)."""
        if self.by_year is not None and year is not None:
            return self.by_year(year)
        return self.default

    def display(self, value) -> dict:
        """What the configuration page shows: labels for fields, choice labels for codes, 是/否."""

        def cell(f: Field, v):
            if f.kind == "bool":
                return "是" if v else "否"
            if f.kind == "choice":
                return dict(f.choices).get(v, v)
            if f.labels and v in dict(f.labels):
                return dict(f.labels)[v]
            return "" if v is None else str(v)

        shown = [f for f in self.fields if not f.internal]
        if self.shape == OBJECT:
            return {"pairs": [(f.label, cell(f, (value or {}).get(f.name))) for f in shown]}
        return {"headers": [f.label for f in shown],
                "rows": [[cell(f, row.get(f.name)) for f in shown] for row in value or []]}

    def parse(self, raw: Any) -> tuple[Any, list[str]]:
        errors: list[str] = []
        # the API passes whatever JSON the client sent: the shape is checked before any field
        if self.shape == OBJECT and raw is not None and not isinstance(raw, dict):
            return None, [f"“{self.label}”应为一组字段（JSON 对象）"]
        if self.shape == ROWS and raw is not None and not (
                isinstance(raw, list) and all(isinstance(r, dict) for r in raw)):
            return None, [f"“{self.label}”应为若干行（JSON 数组，每行一个对象）"]
        if self.shape == OBJECT:
            value = {}
            for f in self.fields:
                v, err = f.parse((raw or {}).get(f.name))
                if err:
                    errors.append(err)
                value[f.name] = v
        else:
            value = []
            for i, row in enumerate(raw or [], start=1):
                parsed = {}
                for f in self.fields:
                    v, err = f.parse(row.get(f.name))
                    if err:
                        errors.append(f"第 {i} 行：{err}")
                    parsed[f.name] = v
                value.append(parsed)
            if not value:
                errors.append(f"“{self.label}”至少需要一行")
        if not errors and self.check:
            errors.extend(self.check(value))
        return value, errors


def to_json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def _sum_check(fields: list[str], total: int, label: str):
    def check(value):
        s = sum((value[f] or 0) for f in fields)
        return [] if s == total else [f"{label}合计应为 {total}，现为 {s}"]

    return check


def _bands_check(rows):
    errors = []
    mins = [r["min_score"] for r in rows]
    if mins != sorted(mins, reverse=True):
        errors.append("评价等级应按下限从高到低排列")
    if mins and mins[-1] != 0:
        errors.append("最低一档的下限应为 0，使每个分数都有等级")
    if len({r["code"] for r in rows}) != len(rows):
        errors.append("标准等级不能重复")
    return errors


def _chain_check(rows):
    errors = []
    seen = set()
    chains = dict(REVIEW_CHAIN_CODES)
    reviewers = {r.value for r in REVIEW_ROLES}
    for i, r in enumerate(rows, start=1):
        k = (r["chain"], r["position"])
        if k in seen:
            errors.append(f"审核链 {r['chain']} 的第 {r['position']} 步重复")
        seen.add(k)
        if r["role"] not in reviewers:
            errors.append(
                f"第 {i} 行（{chains.get(r['chain'], r['chain'])}审核链第 {r['position']} 步“{r['name']}”）："
                f"“{Role(r['role']).label}”不能担任审核角色，该步骤将无人能审核；"
                f"可选的审核角色：{'、'.join(role.label for role in REVIEW_ROLES)}")
    return errors


RATING_CODES = (("excellent", "优"), ("good", "良"), ("fair", "中"), ("poor", "差"))
ROLE_CHOICES = tuple((r.value, r.label) for r in Role)
OBJECT_KINDS = (("project", "项目"), ("policy", "政策"), ("agency", "部门整体"))

D = Decimal

#: key → :class:`Spec`; reads like a dict (``SPECS[key]``, ``for key in SPECS``). A key registered twice
#: is a mistake and fails at import.
SPECS = Registry("core.config.specs", keyed=True)


def _register(spec: Spec) -> Spec:
    return SPECS.register(spec.key, spec)


_register(Spec(
    key="taxonomy",
    label="指标体系版本",
    help="本年度目标表使用的一、二级指标体系。",
    shape=OBJECT,
    fields=(Field("version", "体系版本", "choice", (("classic", "经典版（10号文配套表）"), ("2021", "2021版（财预〔2021〕101号）"))),),
    default={"version": "2021"},
    # domain-rules §2: the 2021 taxonomy is that of 财预〔2021〕101号, in force from the 2021 budget year;
    # earlier years' sheets were drawn up on the classic one (the 10号文-era tables), so a year before 2021
    # (an import of an old file, a sheet or a region configuration opened for such a year) defaults to it
    by_year=lambda year: {"version": "2021" if year >= 2021 else "classic"},
    source="财预〔2021〕101号（2021版，自2021年度起）；此前各年度沿用的10号文配套表（经典版）",
))
_register(Spec(
    key="rating_bands",
    label="评价等级",
    help="得分不低于下限即为该等级，按下限从高到低排列。",
    shape=ROWS,
    fields=(
        Field("code", "标准等级", "choice", RATING_CODES),
        Field("label", "本地名称（如 优秀）"),
        Field("min_score", "分数下限", "decimal", minimum=D(0), maximum=D(100)),
    ),
    default=[
        {"code": "excellent", "label": "优", "min_score": D(90)},
        {"code": "good", "label": "良", "min_score": D(80)},
        {"code": "fair", "label": "中", "min_score": D(60)},
        {"code": "poor", "label": "差", "min_score": D(0)},
    ],
    source="财预〔2020〕10号：优 90–100、良 80–90、中 60–80、差 60 以下",
    check=_bands_check,
))
_register(Spec(
    key="self_evaluation_weights",
    label="自评分值",
    help="项目支出绩效自评表的分值构成，合计 100 分；成本指标未单列分值时从产出中划出。",
    shape=OBJECT,
    fields=(
        Field("execution", "预算执行率", "decimal", minimum=D(0)),
        Field("output", "产出指标", "decimal", minimum=D(0)),
        Field("benefit", "效益指标", "decimal", minimum=D(0)),
        Field("satisfaction", "满意度指标", "decimal", minimum=D(0)),
        Field("cost", "成本指标（单列时）", "decimal", minimum=D(0)),
        Field("over_achievement_ratio", "超额完成需说明的比例", "decimal", minimum=D(1)),
        Field("consistency_gap", "指标得分率高于执行率的预警差值", "decimal", minimum=D(0), maximum=D(1)),
    ),
    default={
        "execution": D(10), "output": D(50), "benefit": D(30), "satisfaction": D(10), "cost": D(0),
        "over_achievement_ratio": D("1.3"), "consistency_gap": D("0.05"),
    },
    source="财预〔2020〕10号《项目支出绩效评价管理办法》",
    check=lambda v: [] if v["execution"] + v["output"] + v["benefit"] + v["satisfaction"] + v["cost"] == 100
    else [f"自评分值合计应为 100，现为 {v['execution'] + v['output'] + v['benefit'] + v['satisfaction'] + v['cost']}"],
))
_register(Spec(
    key="monitoring_signals",
    label="监控预警阈值",
    help="预算执行：执行率÷时间进度；指标：实际÷预期。低于红色下限为红灯，低于黄色下限为黄灯，高于蓝色上限为蓝灯。",
    shape=OBJECT,
    fields=(
        Field("budget_red_below", "执行红灯下限", "decimal", minimum=D(0)),
        Field("budget_yellow_below", "执行黄灯下限", "decimal", minimum=D(0)),
        Field("indicator_red_below", "指标红灯下限", "decimal", minimum=D(0)),
        Field("indicator_yellow_below", "指标黄灯下限", "decimal", minimum=D(0)),
        Field("indicator_blue_above", "指标蓝灯上限", "decimal", minimum=D(1)),
    ),
    default={
        "budget_red_below": D("0.6"), "budget_yellow_below": D("0.8"),
        "indicator_red_below": D("0.6"), "indicator_yellow_below": D("0.8"), "indicator_blue_above": D("1.2"),
    },
    source="“双监控”通行做法：执行率与时间进度之比、指标完成进度",
    check=lambda v: [] if v["budget_red_below"] <= v["budget_yellow_below"] and v["indicator_red_below"] <= v["indicator_yellow_below"]
    else ["红灯下限不能高于黄灯下限"],
))
_register(Spec(
    key="deviation",
    label="偏差阈值",
    help="进度与计划之差超过计划的该比例即为偏差，须说明原因。",
    shape=OBJECT,
    fields=(Field("threshold", "偏差阈值（比例）", "decimal", minimum=D(0), maximum=D(1)),),
    default={"threshold": D("0.20")},
    source="各地监控办法通行标准：偏离计划 20% 以上须说明原因",
))
_register(Spec(
    key="exante_dimensions",
    label="事前评估维度",
    help="事前绩效评估的评估维度及分值（项目与政策分别设置）。",
    shape=ROWS,
    fields=(
        Field("object_kind", "对象", "choice", OBJECT_KINDS[:2]),
        Field("code", "维度代码（英文）", internal=True),
        Field("name", "维度名称"),
        Field("points", "分值", "decimal", minimum=D(0)),
    ),
    default=[
        {"object_kind": "project", "code": "necessity", "name": "立项必要性", "points": D(20)},
        {"object_kind": "project", "code": "economy", "name": "投入经济性", "points": D(20)},
        {"object_kind": "project", "code": "target_reasonableness", "name": "绩效目标合理性", "points": D(20)},
        {"object_kind": "project", "code": "feasibility", "name": "实施方案可行性", "points": D(20)},
        {"object_kind": "project", "code": "financing_compliance", "name": "筹资合规性", "points": D(20)},
        {"object_kind": "policy", "code": "necessity", "name": "政策设立必要性", "points": D(20)},
        {"object_kind": "policy", "code": "adequacy", "name": "政策保障充分性", "points": D(20)},
        {"object_kind": "policy", "code": "target_reasonableness", "name": "政策目标合理性", "points": D(20)},
        {"object_kind": "policy", "code": "sustainability", "name": "政策实施可持续性", "points": D(20)},
        {"object_kind": "policy", "code": "financing_compliance", "name": "政策资金合规性", "points": D(20)},
    ],
    source="中发〔2018〕34号“先评估后入库”；五个评估维度为各地事前评估办法通行做法",
))
_register(Spec(
    key="exante_conclusions",
    label="事前评估结论",
    help="评估结论及其对入库的影响。",
    shape=ROWS,
    fields=(
        Field("code", "结论代码（英文）", internal=True),
        Field("label", "结论"),
        Field("enters_library", "准予入库", "bool"),
        Field("closes_project", "终止项目", "bool"),
    ),
    default=[
        {"code": "support", "label": "予以支持", "enters_library": True, "closes_project": False},
        {"code": "partial", "label": "部分支持", "enters_library": True, "closes_project": False},
        {"code": "defer", "label": "暂缓支持", "enters_library": False, "closes_project": False},
        {"code": "reject", "label": "不予支持", "enters_library": False, "closes_project": True},
    ],
    source="中发〔2018〕34号：评估未通过的不得入库、不得安排预算",
))
_register(Spec(
    key="results_rules",
    label="结果应用规则",
    help="评价结果与下年度预算挂钩的规则：对象、条件（等级或情形）→ 处理及比例。",
    shape=ROWS,
    fields=(
        Field("object_kind", "对象", "choice", OBJECT_KINDS),
        Field("condition", "条件", labels=(*RATING_CODES, ("refused_performance_management", "拒不开展绩效管理"),
                                         ("exante_reject", "事前评估不予支持"))),
        Field("action", "处理", "choice", (
            ("priority", "优先保障"), ("keep", "维持"), ("cut", "核减"), ("cancel", "取消"),
            ("suspend", "暂缓"), ("recover", "收回闲置资金"), ("no_budget", "不安排预算"),
        )),
        Field("percent", "比例（%）", "decimal", required=False, minimum=D(0), maximum=D(100)),
        Field("note", "说明", required=False),
    ),
    default=[
        {"object_kind": "project", "condition": "fair", "action": "cut", "percent": D(5), "note": "评价等级为“中”，在一般压减基础上再核减 5%（平罗）"},
        {"object_kind": "project", "condition": "poor", "action": "cut", "percent": D(10), "note": "评价等级为“差”，核减 10%（平罗）"},
        {"object_kind": "agency", "condition": "refused_performance_management", "action": "no_budget", "percent": None, "note": "拒不开展绩效管理的单位，下年度不安排项目预算（察布查尔）"},
        {"object_kind": "project", "condition": "exante_reject", "action": "cut", "percent": D(100), "note": "事前评估不予支持，核减该项目金额"},
    ],
    source="中发〔2018〕34号“评价结果与预算安排挂钩”；示例规则取自平罗、临朐、察布查尔等地做法",
))

REVIEW_CHAIN_CODES = (("target", "绩效目标"), ("assessment", "事前评估"), ("monitoring", "绩效运行监控"),
                      ("evaluation", "绩效评价"), ("rectification", "整改"))
_register(Spec(
    key="review_chains",
    label="审核链",
    help="各类事项的审核步骤（按顺序），每步由一个角色审核；“可选”步骤只在发起时选择后才进入；“须全员通过”的步骤"
         "（如专家会审）要该步骤的每一位成员（含没有账号、由绩效股代录的专家）都通过才进入下一步，任何一人退回即退回。"
         "某一步没有审核人时，事项停在该步，绩效股待办中出现“【无审核人】”并可指定审核人；勾选“无审核人时跳过”的步骤"
         "（最后一步除外）则由系统跳过并记录原因。",
    shape=ROWS,
    fields=(
        Field("chain", "审核链", "choice", REVIEW_CHAIN_CODES),
        Field("position", "顺序", "int", minimum=D(1)),
        Field("code", "步骤代码（英文）", internal=True),
        Field("name", "步骤名称"),
        Field("role", "审核角色", "choice", ROLE_CHOICES),
        Field("optional", "可选", "bool"),
        Field("all_must_approve", "须全员通过", "bool"),
        Field("skip_when_empty", "无审核人时跳过", "bool"),
    ),
    default=[
        {"chain": "target", "position": 1, "code": "agency_self", "name": "单位自审", "role": Role.AGENCY_HEAD.value, "optional": False, "all_must_approve": False, "skip_when_empty": True},
        {"chain": "target", "position": 2, "code": "department", "name": "主管部门审核", "role": Role.DEPARTMENT_REVIEWER.value, "optional": False, "all_must_approve": False, "skip_when_empty": True},
        {"chain": "target", "position": 3, "code": "section", "name": "业务股室初审", "role": Role.SECTION_REVIEWER.value, "optional": False, "all_must_approve": False, "skip_when_empty": False},
        {"chain": "target", "position": 4, "code": "performance", "name": "绩效股复审", "role": Role.PERFORMANCE_SECTION.value, "optional": False, "all_must_approve": False, "skip_when_empty": False},
        {"chain": "target", "position": 5, "code": "expert_panel", "name": "专家会审", "role": Role.EXPERT.value, "optional": True, "all_must_approve": True, "skip_when_empty": False},
        # 绩效运行监控表 (issue #13): the agency's head confirms, its department reviews, the performance
        # section accepts (监控结果由财政汇总应用)
        {"chain": "monitoring", "position": 1, "code": "agency_self", "name": "单位自审", "role": Role.AGENCY_HEAD.value, "optional": False, "all_must_approve": False, "skip_when_empty": True},
        {"chain": "monitoring", "position": 2, "code": "department", "name": "主管部门审核", "role": Role.DEPARTMENT_REVIEWER.value, "optional": False, "all_must_approve": False, "skip_when_empty": True},
        {"chain": "monitoring", "position": 3, "code": "performance", "name": "绩效股审核", "role": Role.PERFORMANCE_SECTION.value, "optional": False, "all_must_approve": False, "skip_when_empty": False},
    ],
    source="谁申请资金、谁编制目标；谁安排资金、谁审核（单位自审、主管部门审核在没有相应账号时可跳过，"
           "财政业务股室和绩效股的审核不可跳过）",
    check=_chain_check,
))


SEVERITY_CHOICES = (("error", "错误（须修改）"), ("warning", "提示"), ("off", "不检查"))
_register(Spec(
    key="target_quality_rules",
    label="目标质量自动检查",
    help="绩效目标表提交前自动检查的项目及其级别：“错误”须修改后才能提交，“提示”只提醒，“不检查”关闭该项。",
    shape=ROWS,
    fields=(
        Field("code", "检查项代码（英文）", internal=True),
        Field("name", "检查项"),
        Field("severity", "级别", "choice", SEVERITY_CHOICES),
    ),
    default=[
        {"code": "incomplete_row", "name": "指标要素不全", "severity": "error"},
        {"code": "wrong_level", "name": "一、二级指标不符合本年度指标体系", "severity": "error"},
        {"code": "goal_empty", "name": "总体目标为空", "severity": "error"},
        {"code": "missing_level1", "name": "缺少一级指标（产出、效益、满意度；2021版另含成本）", "severity": "error"},
        {"code": "non_numeric", "name": "数值运算符的指标值不是数字", "severity": "error"},
        {"code": "duplicate_name", "name": "三级指标名称重复", "severity": "error"},
        {"code": "no_timeliness", "name": "缺少时效指标", "severity": "warning"},
        {"code": "qualitative_share", "name": "定性指标占比过高", "severity": "warning"},
        {"code": "weight_total", "name": "分值合计不等于满分", "severity": "error"},
        {"code": "no_weights", "name": "所有指标均未填分值", "severity": "warning"},
        {"code": "weaker_than_last_year", "name": "指标值低于上年实际完成值", "severity": "warning"},
        {"code": "cost_above_standard", "name": "成本指标高于支出标准", "severity": "warning"},
        {"code": "goal_copied", "name": "总体目标照搬上年", "severity": "warning"},
    ],
    source="财预〔2021〕101号 绩效目标审核“四性”（完整性、相关性、适当性、可行性）",
))
_register(Spec(
    key="target_quality_params",
    label="目标质量检查参数",
    help="定性指标占比上限、目标表分值满分，以及审核超期提醒的天数。",
    shape=OBJECT,
    fields=(
        Field("qualitative_share_max", "定性指标占比上限（%）", "decimal", minimum=D(0), maximum=D(100)),
        Field("weight_total", "分值满分", "decimal", minimum=D(1)),
        Field("review_days", "每步审核时限（天）", "int", minimum=D(1), maximum=D(90)),
    ),
    default={"qualitative_share_max": D("30"), "weight_total": D("100"), "review_days": 5},
    source="财预〔2021〕101号：绩效指标应尽量量化",
))
_register(Spec(
    key="spending_standards",
    label="预算支出标准",
    help="成本指标的上限：名称含“关键词”、计量单位相同的成本指标，指标值不得高于“标准”。",
    shape=ROWS,
    fields=(
        Field("keyword", "关键词"),
        Field("unit", "计量单位", required=False),
        Field("ceiling", "标准", "decimal", minimum=D(0)),
        Field("source", "依据", required=False),
    ),
    default=[
        {"keyword": "会议费", "unit": "元/人天", "ceiling": D("550"), "source": "财行〔2016〕214号 二类会议综合定额"},
        {"keyword": "培训费", "unit": "元/人天", "ceiling": D("550"), "source": "财行〔2016〕540号 二类培训综合定额"},
        {"keyword": "住宿费", "unit": "元/人天", "ceiling": D("380"), "source": "财行〔2013〕531号 差旅住宿标准（一般地区）"},
    ],
    source="各地预算支出标准",
))
_register(Spec(
    key="target_import_checks",
    label="目标表导入金额检查",
    help="导入目标表时，万元单元格中的金额达到上限，或达到项目金额的该倍数，即视为误按“元”填写，报错不导入。",
    shape=OBJECT,
    fields=(
        Field("amount_max_wan", "单项金额上限（万元）", "decimal", minimum=D(1)),
        Field("yuan_ratio", "相对项目金额的倍数", "decimal", minimum=D(10)),
    ),
    default={"amount_max_wan": D("1000000"), "yuan_ratio": D("1000")},
    source="按元填写的金额读作万元会放大一万倍；一个县级项目一年或一项任务很少达到 100 亿元",
))


#: the budget execution imports' fields a region may name its own columns for (monitoring.imports)
IMPORT_COLUMN_FIELDS = (
    ("code", "项目编码"), ("agency", "单位代码（部门整体支出）"), ("date", "支付日期"), ("month", "月份"),
    ("amount", "实际支付金额（元）"), ("amount_wan", "实际支付金额（万元）"), ("fund_source", "资金来源"),
    ("function_code", "功能科目"), ("plan_amount", "计划金额（元）"), ("plan_amount_wan", "计划金额（万元）"),
)


def column_names(text) -> list[str]:
    """The column names one field of ``import_columns`` holds: several separated by 、，,；; or a new line."""
    import re

    return [n for n in (part.strip() for part in re.split(r"[、，,；;\n]", text or "")) if n]


def _columns_check(value) -> list[str]:
    """A column name may stand for one field only (else the import could not tell which it is)."""
    seen: dict[str, str] = {}
    errors = []
    labels = dict(IMPORT_COLUMN_FIELDS)
    for key, label in IMPORT_COLUMN_FIELDS:
        for name in column_names(value.get(key)):
            norm = "".join(name.split()).replace("（", "(").replace("）", ")")
            if norm in seen and seen[norm] != key:
                errors.append(f"列名“{name}”同时对应“{labels[seen[norm]]}”和“{label}”，只能对应其中一项")
            seen.setdefault(norm, key)
    return errors


_register(Spec(
    key="import_columns",
    label="预算执行数据导入列对应",
    help="本地国库集中支付系统导出文件的列名（如把“本期支付数”当作实际支付金额，把“预算项目编码”当作项目编码）。"
         "导入预算执行数据和用款计划时，除常见列名外也按这里的列名识别；一项可填多个列名，用“、”分隔；留空即只按常见列名识别。",
    shape=OBJECT,
    fields=tuple(Field(key, label, required=False) for key, label in IMPORT_COLUMN_FIELDS),
    default={key: None for key, _label in IMPORT_COLUMN_FIELDS},
    source="各地国库集中支付系统的导出格式不一（issue #13）：每个区划设置一次，以后年度沿用",
    check=_columns_check,
))


class UnknownConfigKey(KeyError):
    pass


def spec(key: str) -> Spec:
    try:
        return SPECS[key]
    except KeyError:
        raise UnknownConfigKey(key)


def from_json(key: str, raw) -> Any:
    """Stored JSON → typed value (decimals back to Decimal)."""
    value, errors = spec(key).parse(raw)
    if errors:
        raise ValueError(f"stored configuration {key} is invalid: {errors}")
    return value


def default_value(key: str, year: int | None = None):
    """The national default of ``key`` (in ``year``, for a key whose default changed: ``taxonomy``)."""
    return spec(key).default_for(year)


def get(region, year: int, key: str):
    """The value in force for a region and year: that year's record, else the latest earlier year's,
    else the national default. Read-only; ``seed_region`` writes the records."""
    from jixiao.core.models import RegionConfig

    region_id = getattr(region, "pk", region)
    row = (
        RegionConfig.objects.filter(region_id=region_id, key=key, year__lte=year)
        .order_by("-year")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        return default_value(key, year)
    return from_json(key, row)


def review_steps(region, year: int, chain: str, *, include_optional: bool = False) -> list[dict]:
    rows = [r for r in get(region, year, "review_chains") if r["chain"] == chain]
    rows.sort(key=lambda r: r["position"])
    return [
        {"code": r["code"], "name": r["name"], "role": r["role"], "optional": bool(r["optional"]),
         **({"all": True} if r.get("all_must_approve") else {}),
         **({"skip_when_empty": True} if r.get("skip_when_empty") else {})}
        for r in rows
        if include_optional or not r["optional"]
    ]
