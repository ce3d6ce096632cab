"""The session's test set: had before anything is sent; other sets' instances land in it.

The set the user names is where every result lands. An instance id (a marker, the
mapping file, the hook) names a test by way of its instance: when that instance is
in another set, the result goes to the same test's instance in the session's set.
Which test an instance stands for is learnt here, with as few calls as the
reference allows: its instance listing filters by set, test and display id, not by
instance id, so the first unknown instance is read alone (``instances/ID.json``),
and when more ids are still unknown its set's listing follows (100 a page), stopped
as soon as every id asked is known. An id that listing did not show is read alone.
Instance ids already in the session's set cost nothing. Reporting (the Resolver) and
``--practitest-select`` (``planned``) place a target by the same rule (``in_set``).

A test id with an instance hint for the session's set (``practitest sync`` wrote it:
an instance belongs to one set for ever) is placed without a call (``by_hint``); a
batch whose records all are needs no listing of the set.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import NotFoundError
from ..model import RunRecord, Target

if TYPE_CHECKING:
    from ..api.client import Client
    from ..settings import Settings


@dataclass(frozen=True)
class SetChoice:
    """Which test set: by id, or by exact name (created if missing when allowed).

    ``source``: what gave the id (``--practitest-set-id``, ``PRACTITEST_SET_ID``, ``ini
    practitest_set_id``, a command's ``--set-id``), named when the set is not there.
    """

    set_id: int | None = None
    set_name: str | None = None
    create: bool = True
    source: str | None = None

    @classmethod
    def of(cls, settings: Settings, *, create: bool = True) -> SetChoice:
        """The settings' test set, with the source of its id."""
        return cls(settings.set_id, settings.set_name, create, settings.sources.get("set_id"))

    def not_there(self, project_id: int) -> str:
        """The one line for a set id that does not exist: which, and what gave it."""
        where = f"test set {self.set_id} does not exist in project {project_id}"
        return f"{where}; check {self.source}" if self.source else where


def project_not_there(project_id: int, source: str | None) -> str:
    """The one line for a project that cannot be had: which, and what gave its id."""
    where = f"project {project_id} does not exist, or this token cannot see it"
    return f"{where}; check {source}" if source else f"{where}; check the project id"


def by_hint(
    records: Sequence[RunRecord],
    set_id: int,
    listed: Collection[int] | None,
    found: dict[str, int],
    hinted: set[str],
) -> list[RunRecord]:
    """Put the records an instance hint places in set ``set_id`` into ``found`` (their keys
    into ``hinted``); the others are returned. ``listed``: the set's instance ids when it
    was listed (a hinted instance not among them is gone: the test id decides); a hint
    for another set is ignored."""
    rest = []
    for record in records:
        hint = record.target.hint
        if (
            hint is not None
            and hint.set_id == set_id
            and (listed is None or hint.instance_id in listed)
        ):
            found[record.key] = hint.instance_id
            hinted.add(record.key)
        else:
            rest.append(record)
    return rest


def in_set(target: Target, ids: Collection[int], tests: Mapping[int, int | None]) -> Target | None:
    """``target`` in the set whose instance ids are ``ids``: an instance of another set
    stands for its test (``tests``: instance id -> test id, None when there is no such
    instance), by test id; None when it does not exist (or is not learnt yet)."""
    instance_id = target.instance_id
    if instance_id is None or instance_id in ids:
        return target
    test_id = tests.get(instance_id)
    return None if test_id is None else Target(test_id=test_id)


def foreign(targets: Iterable[Target], ids: Collection[int]) -> set[int]:
    """The instance ids of ``targets`` that are not in the set whose instance ids are ``ids``."""
    return {
        t.instance_id for t in targets if t.instance_id is not None and t.instance_id not in ids
    }


@dataclass
class InstanceTests:
    """Which test each instance id stands for (None: no such instance in the project)."""

    client: Client
    project_id: int
    tests: dict[int, int | None] = field(default_factory=dict)
    _listed: set[int] = field(default_factory=set)

    def in_set(
        self, records: Sequence[RunRecord], ids: Collection[int], failed: dict[str, str]
    ) -> dict[str, Target]:
        """Each record's target in the set whose instance ids are ``ids``: an instance of
        another set becomes its test (by id); one that does not exist goes in ``failed``."""
        unknown = foreign((r.target for r in records), ids)
        if not unknown:
            return {r.key: r.target for r in records}
        self.learn(unknown)
        targets: dict[str, Target] = {}
        for record in records:
            found = in_set(record.target, ids, self.tests)
            if found is None:
                failed[record.key] = (
                    f"instance {record.target.instance_id} does not exist in project "
                    f"{self.project_id}"
                )
            else:
                targets[record.key] = found
        return targets

    def learn(self, instance_ids: Iterable[int]) -> None:
        """Find the test of every id in ``instance_ids`` not known yet."""
        pending = sorted(set(instance_ids) - self.tests.keys())
        while pending:
            set_id = self._one(pending.pop(0))
            if pending and set_id is not None and set_id not in self._listed:
                self._listed.add(set_id)
                self._listing(set_id, set(pending))
            pending = [i for i in pending if i not in self.tests]

    def _one(self, instance_id: int) -> int | None:
        """Read one instance; its set's id (None: it does not exist)."""
        path = f"/projects/{self.project_id}/instances/{instance_id}.json"
        try:
            attributes = self.client.get(path)["data"]["attributes"]
        except NotFoundError:
            self.tests[instance_id] = None
            return None
        self.tests[instance_id] = int(attributes["test-id"])
        return int(attributes["set-id"])

    def _listing(self, set_id: int, wanted: set[int]) -> None:
        path = f"/projects/{self.project_id}/instances.json"
        for instance in self.client.paginate(path, {"set-ids": set_id}):
            instance_id = int(instance["id"])
            self.tests[instance_id] = int(instance["attributes"]["test-id"])
            wanted.discard(instance_id)
            if not wanted:
                return  # the next page would be a call for nothing
