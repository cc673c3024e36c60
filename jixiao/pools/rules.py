"""Pure rules of the expert and firm pools: the GB 32100 credit-code check digit, who is eligible for
a draw, and the seeded choice that makes every draw reproducible. No ORM: plain values in and out."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass

# --- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------------

#: The 31 characters of the code (I, O, Z, S, V are not used), in the order of their values 0…30.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weight of each of the first 17 positions: 3^i mod 31.
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(base17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §5): C18 = 31 − (Σ Ci·Wi mod 31), 31 → 0."""
    total = sum(CREDIT_CHARSET.index(ch) * w for ch, w in zip(base17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None when ``code`` is a well-formed unified social credit code, else the Chinese reason."""
    code = (code or "").strip()
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位（现为 {len(code)} 位）"
    bad = sorted({ch for ch in code if ch not in CREDIT_CHARSET})
    if bad:
        return f"统一社会信用代码含有无效字符：{'、'.join(bad)}（不使用 I、O、Z、S、V 及小写字母）"
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（第 18 位应为 {expected}）"
    return None


def with_check_char(base17: str) -> str:
    return base17 + credit_check_char(base17)


# --- draws ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """What the eligibility rule needs to know about one expert (``agency_path``: the ``Agency.path``
    of the expert's own agency, "/12/45/", the chain of ids from its department down)."""

    id: int
    active: bool
    fields: frozenset[int]
    agency_id: int | None = None
    firm_id: int | None = None
    agency_path: str = ""


# --- recusal (回避) -------------------------------------------------------------------------------

RECUSE_DEPARTMENT = "与被评单位同属一个部门（被评单位、其主管部门或该部门所属单位）"
RECUSE_FIRM = "所属第三方机构参与被评事项"


def department(path: str) -> str:
    """The department an agency belongs to, as the prefix of its ``Agency.path``: the first id of the
    chain ("/12/45/" → "/12/", a top-level department "/12/" → itself); "" for an empty path."""
    ids = [p for p in (path or "").split("/") if p]
    return f"/{ids[0]}/" if ids else ""


def recusal(candidate: Candidate, *, agencies: Iterable[str] = (), firms: Iterable[int] = ()) -> str | None:
    """Why the expert must recuse from a task, or None (domain-rules §10; 财预〔2021〕6号: conflicts of
    interest are avoided).

    ``agencies`` are the paths of the agencies under assessment (the applying agency): an expert whose
    own agency is in the same department — the applying agency itself, its department (the top of
    its path) or any unit of that department — recuses, since the department decides on, and
    answers for, its units' projects. ``firms`` are the firms involved in the task: an expert who
    belongs to one recuses."""
    own = department(candidate.agency_path)
    if own and any(department(p) == own for p in agencies):
        return RECUSE_DEPARTMENT
    if candidate.firm_id is not None and candidate.firm_id in frozenset(firms):
        return RECUSE_FIRM
    return None


def eligible(candidates: Iterable[Candidate], *, fields: Iterable[int], recuse_agencies: Iterable[str] = (),
             exclude_firms: Iterable[int] = (), exclude_experts: Iterable[int] = ()) -> list[int]:
    """Ids of the experts who may be drawn, ascending (the order the seeded choice runs over).

    财预〔2021〕6号 / domain-rules §10: only active members; with at least one of the required fields;
    not recused (:func:`recusal`: the department of the agencies whose paths are ``recuse_agencies``,
    the firms ``exclude_firms``); those already drawn in the round are left out when asked."""
    wanted = frozenset(fields)
    agencies, firms, experts = tuple(recuse_agencies), frozenset(exclude_firms), frozenset(exclude_experts)
    return sorted(
        c.id for c in candidates
        if c.active and c.fields & wanted and c.id not in experts
        and recusal(c, agencies=agencies, firms=firms) is None
    )


def conflicted(candidates: Iterable[Candidate], *, fields: Iterable[int], recuse_agencies: Iterable[str] = (),
               exclude_firms: Iterable[int] = ()) -> list[int]:
    """Active experts of the fields who were left out only because they recuse (the draw records them)."""
    wanted = frozenset(fields)
    agencies, firms = tuple(recuse_agencies), frozenset(exclude_firms)
    return sorted(c.id for c in candidates if c.active and c.fields & wanted
                  and recusal(c, agencies=agencies, firms=firms) is not None)


#: The refusal of a seed chosen by a person (page, API): the system draws it (``secrets``).
SEED_REFUSAL = "随机种子由系统随机生成并记录，不能指定；如需核验，请在抽取结果页点“复核”。"


def shortfall_message(available: int, count: int) -> str:
    return (f"符合条件的专家只有 {available} 名，少于需要抽取的 {count} 名。"
            "请放宽专业领域或回避条件，或先充实专家库。")


def choose(pool: Iterable[int], count: int, seed: int) -> list[int]:
    """Draw ``count`` ids from ``pool`` with ``random.Random(seed)`` over the ids in ascending order,
    so the same seed and the same pool give the same experts in the same order (reproducible)."""
    ordered = sorted(pool)
    if count > len(ordered):
        raise ValueError(shortfall_message(len(ordered), count))
    return random.Random(seed).sample(ordered, count)


def derived_seed(seed: int, n: int) -> int:
    """The seed of the n-th replacement draw of a draw seeded ``seed``: recorded, yet not guessable
    from the first draw's result alone."""
    digest = hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()
    return int(digest[:12], 16) % 10**12


@dataclass(frozen=True)
class Check:
    """One step of a draw's verification: what re-running the recorded seed over the recorded pool
    gives (``expected``; None when the step's pool was not recorded) against who was recorded."""

    label: str
    seed: int
    pool_size: int
    expected: tuple[int, ...] | None
    recorded: tuple[int, ...]

    @property
    def ok(self) -> bool | None:
        return None if self.expected is None else self.expected == self.recorded


def verify(*, pool: Iterable[int], count: int, seed: int, recorded: Iterable[int],
           replacements: Iterable[tuple[int, list[int] | None, int]] = ()) -> list[Check]:
    """Re-run a recorded draw (复核): the original draw of ``count`` over ``pool`` with ``seed`` must
    give ``recorded`` (the original experts, in order), and the n-th replacement — ``(seed, pool,
    expert)`` in order — must carry ``derived_seed(seed, n)`` and give its expert from its pool.
    Anyone who sees the draw can run this; nothing is trusted but the recorded values."""
    def run(p, k, s):
        try:
            return tuple(choose(p, k, s))
        except ValueError:  # a pool shorter than the count cannot have given the recorded result
            return ()

    pool = list(pool)
    checks = [Check("原始抽取", seed, len(pool), run(pool, count, seed), tuple(recorded))]
    for n, (r_seed, r_pool, expert) in enumerate(replacements, start=1):
        expected_seed = derived_seed(seed, n)
        if r_pool is None:
            expected = None
        elif r_seed != expected_seed:
            expected = ()  # the recorded seed is not the one the draw's seed derives
        else:
            expected = run(r_pool, 1, expected_seed)
        checks.append(Check(f"第 {n} 次替补", r_seed, len(r_pool or ()), expected, (expert,)))
    return checks
