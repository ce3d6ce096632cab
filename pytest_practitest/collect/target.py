"""The one rule from a pytest item to where its result goes.

The hook (``pytest_practitest_map_item``), then the item's closest ``practitest``
marker, then the mapping file (the exact node id or the function's id), else the
default: a test named after the node id, or, one run per function
(``--practitest-parametrized function``), after the function's id. A marker or entry
that is wrong is a mapping error: the default is used, and the error is said once.

Reporting (``worker.py`` puts a ``Placement`` on the teardown report, ``recorder.py``
reads it), ``--practitest-select``, the start-of-session forecast and ``practitest
map`` all ask here, so they name the same test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest

from ..errors import ConfigError
from ..mapping import MARKER_FORM, Mapped, MappingFile, base_node_id, parse_entry, target_kwargs
from ..model import Target
from . import hooks


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an item goes (``item``) and where its function goes (``function``), as the
    hook, a marker or the mapping file says; None for either means the default."""

    item: Mapped | None = None
    function: Mapped | None = None
    #: a wrong marker or hook answer: the default is used
    error: str | None = None

    def of_item(self, node_id: str) -> Mapped:
        return self.item or Mapped(self.item_target(node_id))

    def item_target(self, node_id: str) -> Target:
        """The item's target alone (once per test in reporting: no Mapped for the default)."""
        return self.item.target if self.item is not None else Target(name=node_id)

    def of_function(self, node_id: str) -> Mapped:
        return self.function or Mapped(Target(name=base_node_id(node_id)))

    def target(self, node_id: str, per_function: bool) -> Target:
        return (self.of_function(node_id) if per_function else self.of_item(node_id)).target

    def to_payload(self, payload: dict[str, Any]) -> None:
        """Into the teardown report's payload: only what differs from the default."""
        if self.error is not None:
            payload["mapping_error"] = self.error
        if self.item is not None:
            payload["mapped"] = self.item.to_json()
        if self.function is not None:
            payload["function"] = self.function.to_json()

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Placement:
        item, function = payload.get("mapped"), payload.get("function")
        return cls(
            Mapped.from_json(item) if item else None,
            Mapped.from_json(function) if function else None,
            payload.get("mapping_error"),
        )


DEFAULT = Placement()


def place(
    item: pytest.Item, mapping: MappingFile | None, problems: list[str] | None = None
) -> Placement:
    """Where ``item`` goes. A hook that raises is put in ``problems`` (the markers and the
    mapping file decide instead); a wrong marker is the Placement's ``error``."""
    hooked, problem = hooks.call(
        item.config.hook.pytest_practitest_map_item,
        "markers and the mapping file decided instead",
        item=item,
    )
    if problem is not None and problems is not None:
        problems.append(problem)
    try:
        if hooked is not None:
            target = hooked if isinstance(hooked, Target) else Target(**hooked)
            return Placement(Mapped(target, {}, "hook"), Mapped(target, {}, "hook"))
        marker = item.get_closest_marker("practitest")
        if marker is not None and marker.args:
            raise ConfigError(f"{item.nodeid}: use keyword arguments: {MARKER_FORM}")
        chosen = target_kwargs(marker.kwargs) if marker is not None else {}
        if marker is not None and (chosen or not marker.kwargs):
            # A marker with only tags, requirements or steps (for sync) leaves the target
            # to the mapping file and the default.
            mapped = parse_entry(chosen, f"{item.nodeid}: marker", MARKER_FORM)
            mapped = Mapped(mapped.target, mapped.fields, "marker")
            return Placement(mapped, mapped)
    except (ConfigError, TypeError, ValueError) as error:
        return Placement(error=str(error))
    if mapping is None:
        return DEFAULT
    exact = mapping.lookup(item.nodeid)
    function = mapping.lookup(base_node_id(item.nodeid))
    if exact is None and function is None:
        return DEFAULT
    return Placement(exact or function, function or exact)


def per_function(item: pytest.Item, parametrized: str) -> bool:
    """One run per function: the policy says so and the item is one of its parameter sets."""
    return parametrized == "function" and getattr(item, "callspec", None) is not None


def target_of(
    item: pytest.Item,
    mapping: MappingFile | None,
    parametrized: str,
    mask: Callable[[str], str] | None = None,
) -> Target:
    """Where ``item``'s result goes: the one rule, for select, the forecast and map.

    ``mask``: what reporting does to a test's name before it leaves (``Redactor.text``: a
    secret among a test's parameters is in its node id, so in the default name)."""
    target = place(item, mapping).target(item.nodeid, per_function(item, parametrized))
    if mask is not None and target.name is not None and (name := mask(target.name)) != target.name:
        return replace(target, name=name)
    return target
