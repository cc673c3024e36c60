"""The registry primitive behind the cross-app hooks (jixiao/core/registry.py)."""

from __future__ import annotations

import pytest

from jixiao.core.registry import DuplicateKey, Registry


def test_list_registry_keeps_order_and_one_of_each():
    hooks = Registry("test.hooks")

    @hooks.register
    def first():
        return 1

    def second():
        return 2

    assert hooks.register(second) is second
    hooks.register(first)  # a repeated ready() adds nothing
    assert list(hooks) == [first, second] and len(hooks) == 2 and first in hooks
    hooks.unregister(first)
    hooks.unregister(first)  # absent: ignored
    assert list(hooks) == [second]
    with pytest.raises(TypeError):
        hooks["x"]


def test_keyed_registry_refuses_a_second_value_for_a_key():
    specs = Registry("test.specs", keyed=True)
    value = object()
    specs.register("a", value)
    specs.register("a", value)  # the same value again is harmless
    with pytest.raises(DuplicateKey, match="test.specs: 'a' is already registered"):
        specs.register("a", object())
    assert specs["a"] is value and specs.get("b") is None and list(specs) == ["a"] and "a" in specs
    assert specs.items() == [("a", value)] and specs.values() == [value]


def test_overridden_swaps_for_the_block_only():
    hooks = Registry("test.hooks")
    hooks.register(print)
    with hooks.overridden([len]):
        assert list(hooks) == [len]
        hooks.register(repr)
    assert list(hooks) == [print]

    keyed = Registry("test.keyed", keyed=True)
    keyed.register("a", 1)
    keyed.register("b", 2)
    with keyed.overridden({"a": 10}):
        assert keyed["a"] == 10 and keyed["b"] == 2  # only the given keys change
    assert keyed.items() == [("a", 1), ("b", 2)]
    with pytest.raises(RuntimeError), keyed.overridden({"a": 3}):
        raise RuntimeError  # restored on an error too
    assert keyed["a"] == 1
