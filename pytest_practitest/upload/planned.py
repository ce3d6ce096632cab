"""``--practitest-select``: which instances of the test set are planned to run.

One listing of the set's instances (paged, 100 per call, within the rate limit), kept
to those whose last run status is one of the chosen ones. Whether a collected test is
one of them is the uploader's own rule (``InstanceIndex``), so a test is selected
exactly when its result would be delivered to a planned instance. The plan is plain
JSON, so the xdist controller fetches it once and hands it to its workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..events import count
from ..model import Target
from .index import InstanceIndex
from .targets import Resolver, SetChoice

if TYPE_CHECKING:
    from ..settings import Settings


class PlannedInstances:
    """The planned instances: where each collected test's target must land to run."""

    def __init__(self, instances: list[dict[str, Any]], statuses: tuple[str, ...]) -> None:
        self.instances = instances
        self.statuses = statuses
        self.index = InstanceIndex()
        for instance in instances:
            self.index.add(instance)

    def instance_of(self, target: Target) -> int | None:
        """The planned instance ``target`` lands on, or None: not planned here."""
        found = self.index.lookup(target)
        return found if found in self.index.ids else None

    def missing(self, seen: Iterable[int]) -> list[str]:
        """Planned instances no collected test lands on, by name."""
        ran = set(seen)
        return [
            str(i["attributes"].get("name") or i["id"])
            for i in self.instances
            if int(i["id"]) not in ran
        ]

    def to_json(self) -> dict[str, Any]:
        return {"instances": self.instances, "statuses": list(self.statuses)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedInstances:
        return cls(list(data["instances"]), tuple(data["statuses"]))


def fetch(settings: Settings) -> tuple[PlannedInstances, str]:
    """The plan for ``settings`` (select, project, test set), and a line that says what it is.

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
        resolver = Resolver(
            client,
            settings.project_id or 0,
            SetChoice.of(settings, create=False),
        )
        listed = resolver.instances()
        set_name = resolver.set_name
        set_id = resolver.set_id
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
    return PlannedInstances(planned, statuses), line
