"""``--practitest-select``: which instances of the test set are planned to run.

One listing of the set's instances (paged, 100 per call, within the rate limit), kept
to those whose last run status is one of the chosen ones. Whether a collected test is
one of them is the uploader's own rule (``testset.in_set``, then ``InstanceIndex``), so
a test is selected exactly when its result would be delivered to a planned instance:
one mapped to an instance of another set is selected by its test's instance here.
Which test such an instance stands for is learnt as the uploader learns it
(``InstanceTests``): the mapping file's when the plan is fetched, a marker's or a hook's
when collection meets it. The plan is plain JSON, so the xdist controller fetches it
once (with the mapping file's) and hands it to its workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..events import count
from ..model import Target
from .index import InstanceIndex
from .targets import Resolver, SetChoice
from .testset import InstanceTests, foreign, in_set

if TYPE_CHECKING:
    from ..mapping import MappingFile
    from ..settings import Settings


class PlannedInstances:
    """The planned instances: where each collected test's target must land to run.

    ``set_ids``: every instance id of the set (planned or not); ``tests``: the test of
    each instance id of another set learnt so far (None: no such instance);
    ``settings``: to learn more (``learn``), where a token is at hand.
    """

    def __init__(
        self,
        instances: list[dict[str, Any]],
        statuses: tuple[str, ...],
        set_ids: Iterable[int] = (),
        tests: Mapping[int, int | None] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.instances = instances
        self.statuses = statuses
        self.set_ids = set(set_ids)
        self.tests = dict(tests or {})
        self.settings = settings
        self.index = InstanceIndex()
        for instance in instances:
            self.index.add(instance)

    def instance_of(self, target: Target) -> int | None:
        """The planned instance ``target`` lands on, or None: not planned here."""
        placed = in_set(target, self.set_ids, self.tests)
        found = None if placed is None else self.index.lookup(placed)
        return found if found in self.index.ids else None

    def learn(self, targets: Iterable[Target]) -> None:
        """Learn the test of each instance of another set among ``targets`` not known yet
        (one call for the first, then its set's listing: ``InstanceTests``).

        Raises APIError when PractiTest cannot be read.
        """
        unknown = foreign(targets, self.set_ids) - self.tests.keys()
        if not unknown or self.settings is None:
            return
        from ..api.client import Client

        client = Client.from_settings(self.settings)
        with client.session:
            InstanceTests(client, self.settings.project_id or 0, self.tests).learn(unknown)

    def missing(self, seen: Iterable[int]) -> list[str]:
        """Planned instances no collected test lands on, by name."""
        ran = set(seen)
        return [
            str(i["attributes"].get("name") or i["id"])
            for i in self.instances
            if int(i["id"]) not in ran
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "instances": self.instances,
            "statuses": list(self.statuses),
            "set_ids": sorted(self.set_ids),
            "tests": [[key, value] for key, value in self.tests.items()],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], settings: Settings | None = None) -> PlannedInstances:
        tests = {int(key): value for key, value in data.get("tests", ())}
        return cls(
            list(data["instances"]), tuple(data["statuses"]), data["set_ids"], tests, settings
        )


def fetch(settings: Settings, mapping: MappingFile | None = None) -> tuple[PlannedInstances, str]:
    """The plan for ``settings`` (select, project, test set), and a line that says what it is;
    the test of each instance of another set that ``mapping`` names is learnt with it.

    Raises ConfigError (a setting to fix) or APIError (PractiTest refused or is away).
    """
    from ..api.client import Client  # only with --practitest-select: it needs the API

    statuses = settings.select or ()
    if settings.token() is None:
        raise ConfigError(
            f"--practitest-select asks PractiTest which tests are planned: set "
            f"{settings.token_env}, also for a dry run"
        )
    client = Client.from_settings(settings)
    with client.session:
        resolver = Resolver.of(client, settings, SetChoice.of(settings, create=False))
        listed = resolver.instances()
        set_name = resolver.set_name
        set_id = resolver.set_id
        set_ids = {int(i["id"]) for i in listed}
        tests = InstanceTests(client, settings.project_id or 0)
        if mapping is not None:
            tests.learn(foreign(mapping.targets(), set_ids))
    planned = [
        {
            "id": i["id"],
            "attributes": {
                key: i["attributes"].get(key)
                for key in ("test-id", "test-display-id", "name", "run-status")
            },
        }
        for i in listed
        if not statuses or (i["attributes"].get("run-status") or "NO RUN") in statuses
    ]
    which = f" whose last run is {', '.join(statuses)}" if statuses else ""
    line = (
        f"{len(planned)} of the {len(listed)} instances of test set {set_id} "
        f"{set_name!r}{which} ({count(client.calls, 'API call')})"
    )
    return PlannedInstances(planned, statuses, set_ids, tests.tests, settings), line
