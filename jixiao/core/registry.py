"""One primitive for the cross-app hooks (dependencies stay downward).

A lower app that must ask a later one declares a :class:`Registry`; the later app fills it in its
``AppConfig.ready`` (the project library's gates, the review chain's assignee resolvers, the project
page's facts …). Two shapes:

* a **list** registry (``Registry("…")``) holds callables in registration order; registering the
  same callable twice keeps one;
* a **keyed** registry (``Registry("…", keyed=True)``) maps a key to one value and reads like a
  read-only dict; a second, different value for a key is a programming error and raises
  :class:`DuplicateKey` (the same value again is a no-op, so a repeated ``ready()`` is harmless).

``overridden(...)`` swaps the contents for the duration of a ``with`` block, for tests of a lower
app that must not depend on what the apps above it registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class DuplicateKey(ValueError):
    pass


class Registry:
    def __init__(self, name: str, *, keyed: bool = False):
        self.name = name
        self.keyed = keyed
        self._items: list[Any] = []
        self._map: dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self)} entries>"

    # --- filling ----------------------------------------------------------------------------------

    def register(self, *args):
        """``register(fn)`` (list) or ``register(key, value)`` (keyed); returns the value, so a list
        registry's ``register`` works as a decorator."""
        if self.keyed:
            key, value = args
            if key in self._map and self._map[key] is not value:
                raise DuplicateKey(f"{self.name}: {key!r} is already registered ({self._map[key]!r})")
            self._map[key] = value
            return value
        (value,) = args
        if value not in self._items:
            self._items.append(value)
        return value

    def unregister(self, item) -> None:
        """Remove a callable (list) or a key (keyed); absent ones are ignored."""
        if self.keyed:
            self._map.pop(item, None)
        elif item in self._items:
            self._items.remove(item)

    # --- reading ----------------------------------------------------------------------------------

    def __iter__(self) -> Iterator:
        """The callables (list) or the keys (keyed, like a dict)."""
        return iter(list(self._map) if self.keyed else list(self._items))

    def __len__(self) -> int:
        return len(self._map) if self.keyed else len(self._items)

    def __contains__(self, item) -> bool:
        return item in (self._map if self.keyed else self._items)

    def __getitem__(self, key):
        self._require_keyed()
        return self._map[key]

    def get(self, key, default=None):
        self._require_keyed()
        return self._map.get(key, default)

    def items(self):
        self._require_keyed()
        return list(self._map.items())

    def values(self) -> list:
        return list(self._map.values()) if self.keyed else list(self._items)

    def _require_keyed(self) -> None:
        if not self.keyed:
            raise TypeError(f"{self.name} is a list registry, not a keyed one")

    # --- tests ------------------------------------------------------------------------------------

    @contextmanager
    def overridden(self, entries: Iterable | Mapping):
        """Within the block, a list registry holds exactly ``entries``; a keyed one has the given
        ``{key: value}`` in place of its own for those keys (the other keys stay)."""
        saved_items, saved_map = list(self._items), dict(self._map)
        if self.keyed:
            self._map.update(dict(entries))
        else:
            self._items[:] = list(entries)
        try:
            yield self
        finally:
            self._items[:] = saved_items
            self._map.clear()
            self._map.update(saved_map)
