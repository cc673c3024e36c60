"""Pure rules of the ex-ante assessment: who may be assessed, the dimensions snapshot, the range of
an expert's score, combining the experts' scores, and the amounts a conclusion implies. No ORM."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from jixiao.projects.choices import ProjectStage
from jixiao.projects.rules import ASSESSABLE_STAGES, needs_exante

CENT = Decimal("0.01")

#: Sub-items (评估要点) shown under each default dimension — the usual points of county ex-ante
#: assessment rules (e.g. 财预〔2018〕167号附件; 各地事前绩效评估办法). A dimension a region adds has none.
SUB_ITEMS: dict[tuple[str, str], str] = {
    ("project", "necessity"): "立项依据是否充分；是否符合政策导向和本地发展规划；需求是否真实迫切；是否与其他项目重复。",
    ("project", "economy"): "投入成本测算是否科学；支出标准是否合理；是否存在更经济的替代方案。",
    ("project", "target_reasonableness"): "绩效目标是否明确、细化、量化；是否与资金量和实施内容相匹配。",
    ("project", "feasibility"): "实施方案是否完整可行；组织管理、进度安排和风险应对是否到位。",
    ("project", "financing_compliance"): "资金来源是否合法合规；财政承受能力；是否存在违规举债。",
    ("policy", "necessity"): "政策出台依据是否充分；是否针对明确的问题和对象。",
    ("policy", "adequacy"): "配套制度、组织和资金保障是否充分。",
    ("policy", "target_reasonableness"): "政策目标是否清晰、可衡量，与政策内容相符。",
    ("policy", "sustainability"): "政策实施的持续条件和财政可承受性；退出机制是否明确。",
    ("policy", "financing_compliance"): "资金安排方式是否合规；是否与其他政策资金交叉重复。",
}


def round_half_up(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def dimensions_for(config_rows: list[dict], object_kind: str) -> list[dict]:
    """The snapshot an assessment keeps: the configured dimensions of the object kind (project or
    policy), in configured order, each with its points (text, 2 places) and sub-items."""
    out = []
    for row in config_rows:
        if row.get("object_kind") != object_kind:
            continue
        out.append({"code": row["code"], "name": row["name"], "points": str(round_half_up(Decimal(str(row["points"])))),
                    "sub_items": row.get("sub_items") or SUB_ITEMS.get((object_kind, row["code"]), "")})
    return out


def creation_refusal(*, stage: str, is_new: bool, is_major: bool, year: int, end_year: int,
                     has_open: bool, stage_label: str = "") -> str | None:
    """An ex-ante assessment is made for a project in 储备 or 已申报 (the stages the project library's
    move to 评估中 starts from, ``ASSESSABLE_STAGES``) that needs one (中发〔2018〕34号: new major
    projects and policies, and continuing ones proposed past their approved span — see
    ``projects.rules.needs_exante``), and only one at a time. None when allowed, else why not."""
    if stage not in ASSESSABLE_STAGES:
        label = stage_label or ProjectStage(stage).label
        return f"项目处于“{label}”阶段，只有储备或已申报阶段的项目可以发起事前绩效评估"
    if not needs_exante(is_new=is_new, is_major=is_major, year=year, end_year=end_year):
        if is_new:
            return "该项目不是重大项目，无需开展事前绩效评估"
        return "该项目为延续项目且在批准的实施期内，无需开展事前绩效评估"
    if has_open:
        return "该项目已有进行中的事前绩效评估，请先完成该评估"
    return None


def parse_score(value, points) -> tuple[Decimal | None, str | None]:
    """An expert's score on a dimension: a number from 0 to the dimension's points, at most two
    decimals. Returns (score, None) or (None, message)."""
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, f"得分“{value}”不是有效数字"
    if not score.is_finite():
        return None, f"得分“{value}”不是有效数字"
    if score != score.quantize(CENT, rounding=ROUND_HALF_UP):
        return None, "得分最多保留两位小数"
    top = Decimal(str(points))
    if not Decimal(0) <= score <= top:
        return None, f"得分应在 0—{round_half_up(top)} 分之间"
    return round_half_up(score), None


def combine(scores: list[Decimal]) -> Decimal | None:
    """The combined score of one dimension: the arithmetic mean of the submitted experts' scores,
    rounded half-up to two places (the default method; None when no expert has scored)."""
    if not scores:
        return None
    return round_half_up(sum((Decimal(s) for s in scores), Decimal(0)) / len(scores))


def combine_all(dimensions: list[dict], scores: dict[str, list[Decimal]]) -> tuple[dict[str, Decimal], Decimal]:
    """Combined score per dimension (in the snapshot's order) and the total (their sum)."""
    combined: dict[str, Decimal] = {}
    for d in dimensions:
        value = combine(scores.get(d["code"], []))
        if value is not None:
            combined[d["code"]] = value
    return combined, sum(combined.values(), Decimal(0))


def conclusion_amounts(*, code: str, enters_library: bool, closes_project: bool, requested: Decimal,
                       supported: Decimal | None) -> tuple[Decimal | None, Decimal | None, dict[str, list[str]]]:
    """(supported amount, budget effect, errors) for a conclusion (domain-rules §4):

    * 予以支持 (support): the amount requested;
    * 部分支持 (partial, or any other code that lets the project in): the amount given, more than zero
      and less than requested (at most requested for a region's own code);
    * 不予支持 (reject, or any code that closes the project): zero;
    * 暂缓支持 (defer, or any code that neither admits nor closes): no amount — nothing is decided yet.

    The budget effect is requested − supported (the cut), None when no amount is decided."""
    requested = round_half_up(requested)
    errors: dict[str, list[str]] = {}
    if closes_project:
        return Decimal("0.00"), requested, errors
    if not enters_library:
        return None, None, errors
    if code == "support":
        return requested, Decimal("0.00"), errors
    if supported is None:
        errors["supported_amount"] = ["部分支持须填写支持金额"]
        return None, None, errors
    supported = round_half_up(supported)
    if supported <= 0:
        errors["supported_amount"] = ["支持金额须大于零；不予支持请选择相应结论"]
    elif supported > requested or (code == "partial" and supported == requested):
        errors["supported_amount"] = ["部分支持的金额须小于申报金额；全额支持请选择“予以支持”"]
    if errors:
        return None, None, errors
    return supported, requested - supported, errors
