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
    """What the eligibility rule needs to know about one expert."""

    id: int
    active: bool
    fields: frozenset[int]
    agency_id: int | None = None
    firm_id: int | None = None


def eligible(candidates: Iterable[Candidate], *, fields: Iterable[int], exclude_agencies: Iterable[int] = (),
             exclude_firms: Iterable[int] = (), exclude_experts: Iterable[int] = ()) -> list[int]:
    """Ids of the experts who may be drawn, ascending (the order the seeded choice runs over).

    财预〔2021〕6号 / domain-rules §10: only active members; with at least one of the required fields;
    experts recuse from their own agency and from the firms they belong to; those already drawn in the
    round are left out when asked."""
    wanted = frozenset(fields)
    agencies, firms, experts = frozenset(exclude_agencies), frozenset(exclude_firms), frozenset(exclude_experts)
    return sorted(
        c.id for c in candidates
        if c.active and c.fields & wanted and c.id not in experts
        and (c.agency_id is None or c.agency_id not in agencies)
        and (c.firm_id is None or c.firm_id not in firms)
    )


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
