"""Optimistic concurrency (house style 6): a version travels with each edit form and each API update
(``If-Match``); the service locks the row, compares, and refuses a stale write."""

from __future__ import annotations

from jixiao.core.errors import StaleVersion


def lock_checked(model, pk, expected_version: int | None):
    """Lock the row for the rest of the transaction and check the caller saw the current version.

    ``expected_version=None`` is refused: every update must say which version it edits."""
    obj = model.objects.select_for_update().get(pk=pk)
    try:
        given = None if expected_version is None else int(expected_version)
    except (TypeError, ValueError):  # a garbled hidden field is a stale form, not a server error
        given = None
    if given is None or given != obj.version:
        raise StaleVersion(current=obj.version, given=given)
    return obj


def bump(obj) -> None:
    obj.version = (obj.version or 0) + 1


def parse_if_match(header: str | None) -> int | None:
    """``If-Match: "3"`` or ``If-Match: 3`` → 3; anything else → None."""
    if not header:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    return int(value) if value.isdigit() else None
