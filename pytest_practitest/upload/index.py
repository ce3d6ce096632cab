"""Where a Target lands in a test set: the instance index, and the 255-character name rule.

One home for both, used by the uploader (which instance a result goes to, the name of a
test it creates) and by ``--practitest-select`` (whether a collected test is planned).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..limits import MAX_TEXT
from ..model import RunRecord, Target

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client

HASH_LENGTH = 10


def fitted_name(name: str) -> str:
    """A test name within 255 characters: a longer one is cut, then ends with a hash of it.

    The reference caps step names and outputs at 255 and says nothing of test
    names, so they are held to the same. Real parametrized node ids pass it; the
    hash of the whole name keeps two that share their first 242 characters two
    tests, and gives the same name on every run. The full name goes into the
    test's description when it is created.
    """
    if len(name) <= MAX_TEXT:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{name[: MAX_TEXT - HASH_LENGTH - 3]}… #{digest}"


class Resolution(NamedTuple):
    """Where records go: an instance id per key, a reason per key that has none, and the
    records known by a test name that has no instance yet, for ``runs/auto_create.json``."""

    found: dict[str, int]
    failed: dict[str, str]
    new: list[RunRecord]


@dataclass
class InstanceIndex:
    """A test set's instances by test id, test display id and name: where a Target lands.

    The one rule for the uploader (which instance a result goes to) and for
    ``--practitest-select`` (whether a collected test is planned in the set).
    """

    by_test: dict[int, int] = field(default_factory=dict)
    by_display: dict[int, int] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)
    ids: set[int] = field(default_factory=set)

    def add(self, instance: Mapping[str, Any]) -> None:
        instance_id = int(instance["id"])
        attributes = instance["attributes"]
        self.ids.add(instance_id)
        # The first (lowest id) instance of a test wins when a set holds several.
        self.by_test.setdefault(int(attributes["test-id"]), instance_id)
        if attributes.get("test-display-id") is not None:
            self.by_display.setdefault(int(attributes["test-display-id"]), instance_id)
        if attributes.get("name") is not None:
            self.by_name.setdefault(str(attributes["name"]), instance_id)

    def lookup(self, target: Target) -> int | None:
        if target.instance_id is not None:  # of this set; another set's is not found here
            return target.instance_id if target.instance_id in self.ids else None
        if target.test_id is not None:
            return self.by_test.get(target.test_id)
        if target.display_id is not None:
            return self.by_display.get(target.display_id)
        assert target.name is not None
        return self.by_name.get(fitted_name(target.name))


def instances_of(
    client: Client, path: str, set_id: int, test_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The set's instances of ``test_ids`` (``path``: the project's instances.json), checked.

    One comma-list call; the reference documents ``test-ids`` as one test id, and a
    server that reads only the first answers for that one: the tests the answer
    leaves out are asked one by one.
    """
    found = list(
        client.paginate(path, {"set-ids": set_id, "test-ids": ",".join(map(str, test_ids))})
    )
    seen = {int(i["attributes"]["test-id"]) for i in found}
    for test_id in test_ids:
        if test_id not in seen and len(test_ids) > 1:
            found += client.paginate(path, {"set-ids": set_id, "test-ids": test_id})
    return found
