"""Where each record goes: test set and instance ids, with as few calls as the API allows.

- Every record needs the set: one that cannot be had stops the upload (ConfigError).
  An instance of another set stands for its test (``testset``): the result goes to that
  test's instance here. The set is found by id or by exact name (one call), and
  created when allowed. Test set names are not unique in PractiTest, so after
  creating one the name is looked up again: if another upload created one
  first (lower id), ours is deleted and theirs used.
- The set's instances are listed once per session (100 per call) and indexed by test
  id, display id and name; not at all while each record has a hint for it (``by_hint``).
- With ``create_missing``, a result known by test name whose test has no
  instance in the set is handed back as *new*: the uploader sends it through
  ``runs/auto_create.json`` (``autocreate``), which finds or creates the test and
  its instance and posts the run, one call per new test, without listing the
  project's tests. Results known by test id or display id, and names once
  ``auto_create`` is not available (``auto_create`` turned off after the server
  refused it for a reason no single result causes), take the explicit path
  (``creating``): tests that do not exist are created (after one more look by name, just before
  creating) and missing instances are created in bulks of 20; a test another
  upload created meanwhile is found, not doubled. After each bulk of instances,
  one look at those tests' instances in the set: where another upload created one
  first (lower id), ours is deleted and theirs used, so racing uploads converge
  on one instance per test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api.shape import data_of
from ..errors import ConfigError, NotFoundError, ValidationError
from ..events import Event, EventSink, Kind, ignore_events
from ..model import RunRecord, Target
from ..spool.resume import (
    MISSING_ADVICE,
    NO_INSTANCE,
)
from .creating import Creating
from .index import InstanceIndex, Resolution, fitted_name
from .testset import InstanceTests, SetChoice, by_hint, project_not_there

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client
    from ..settings import Settings


@dataclass
class Resolver(Creating):
    """Where each record goes in the test set ``test_set`` (see the module's text)."""

    client: Client
    project_id: int
    test_set: SetChoice
    create_missing: bool = False
    author_id: int | None = None
    test_type: str = "ApiTest"
    on_event: EventSink = ignore_events
    set_id: int | None = None
    set_name: str | None = None
    index: InstanceIndex = field(default_factory=InstanceIndex)
    _loaded: bool = False
    #: a refusal to create tests that will repeat (the author, or the same 422 twice)
    refusal: str | None = None
    _last_refusal: str | None = None
    #: whether new names go through ``runs/auto_create.json`` (off once the server refused it)
    auto_create: bool = True
    #: keys of the records mapped to another set's instance that went to this set's
    moved: set[str] = field(default_factory=set)
    hinted: set[str] = field(default_factory=set)  # keys placed by an instance hint
    _instance_tests: InstanceTests | None = None
    #: what gave the project's id (``--practitest-project-id``...): named when it is not there
    project_source: str | None = None

    @classmethod
    def of(
        cls, client: Client, settings: Settings, test_set: SetChoice, **options: Any
    ) -> Resolver:
        """For the settings' project, naming what gave its id when it is not there."""
        source = settings.sources.get("project_id")
        return cls(client, settings.project_id or 0, test_set, project_source=source, **options)

    def _path(self, tail: str) -> str:
        return f"/projects/{self.project_id}{tail}"

    # -- the test set ------------------------------------------------------

    def resolve_set(self) -> int:
        if self.set_id is not None:
            return self.set_id
        choice = self.test_set
        if choice.set_id is not None:
            try:
                path = self._path(f"/sets/{choice.set_id}.json")
                found = data_of(self.client.get(path), "GET", path)
            except NotFoundError:
                self.project()
                raise ConfigError(choice.not_there(self.project_id)) from None
            self.set_id, self.set_name = int(found["id"]), found["attributes"]["name"]
            return self.set_id
        if not choice.set_name:
            raise ConfigError(
                "results need a test set: set PRACTITEST_SET_ID or PRACTITEST_SET_NAME"
            )
        existing = self.sets_named(choice.set_name)
        if existing:
            self.set_id = min(existing)
        elif not choice.create:
            raise ConfigError(f"no test set named {choice.set_name!r} in project {self.project_id}")
        else:
            attributes: dict[str, Any] = {"name": choice.set_name}
            if self.author_id is not None:  # an account token's set shows an author, like its tests
                attributes["author-id"] = self.author_id
            body = {"data": {"type": "sets", "attributes": attributes}}
            try:
                created = int(self.client.post(self._path("/sets.json"), body)["data"]["id"])
            except ValidationError as error:
                self._check_author(error)
                raise
            self.on_event(Event(Kind.CREATED, f"created test set {created} {choice.set_name!r}"))
            winner = min(self.sets_named(choice.set_name) | {created})
            if winner != created:
                # Another upload created the same set first: use theirs, remove ours.
                self._remove(f"/sets/{created}.json", f"duplicate test set {created}")
            self.set_id = winner
        self.set_name = choice.set_name
        return self.set_id

    def sets_named(self, name: str) -> set[int]:
        try:
            listed = self.client.paginate(self._path("/sets.json"), {"name_exact": name})
            return {int(s["id"]) for s in listed}
        except NotFoundError:
            self.project()
            raise

    def project(self) -> dict[str, Any]:
        """The project (after a 404 under it too: it names the project if that is what is
        gone); ConfigError saying what gave its id when it does not exist or is not seen."""
        try:
            return dict(self.client.get(f"/projects/{self.project_id}.json")["data"])
        except NotFoundError:
            raise ConfigError(project_not_there(self.project_id, self.project_source)) from None

    # -- instances ---------------------------------------------------------

    def instances(self) -> list[dict[str, Any]]:
        """The set's instances as listed (100 per call), indexed; returned, not kept."""
        set_id = self.resolve_set()
        listed = list(self.client.paginate(self._path("/instances.json"), {"set-ids": set_id}))
        for instance in listed:
            self.index.add(instance)
        self._loaded = True
        return listed

    def resolve(self, records: Sequence[RunRecord], *, create: bool = True) -> Resolution:
        """Instance id per record key, a reason for each record that has none, and the
        records for ``runs/auto_create.json`` (create-missing, by a name not in the set);
        ``create`` False: every record whose test is to be created is returned as new.

        Raises ConfigError when the set cannot be had: no record goes anywhere else.
        """
        found: dict[str, int] = {}
        failed: dict[str, str] = {}
        new: list[RunRecord] = []
        listed = self.index.ids if self._loaded else None
        records = by_hint(records, self.resolve_set(), listed, found, self.hinted)
        if records and not self._loaded:
            self.instances()
        if self._instance_tests is None:
            self._instance_tests = InstanceTests(self.client, self.project_id)
        targets = self._instance_tests.in_set(records, self.index.ids, failed)
        records = [r for r in records if r.key in targets]

        def not_found(candidates: Sequence[RunRecord]) -> list[RunRecord]:
            left = []
            for record in candidates:
                instance_id = self.index.lookup(targets[record.key])
                if instance_id is None:
                    left.append(record)
                else:
                    found[record.key] = instance_id
                    if targets[record.key] is not record.target:
                        self.moved.add(record.key)
            return left

        missing = not_found(records)
        if missing and self.create_missing and self.refusal is None:
            if not create:
                new, missing = missing, []
            elif self.auto_create:
                new = [r for r in missing if targets[r.key].name is not None]
                missing = [r for r in missing if targets[r.key].name is None]
            if missing:
                self._create_missing([targets[r.key] for r in missing])
                missing = not_found(missing)
        for record in missing:
            failed[record.key] = self.why_missing(targets[record.key], record.target)
        return Resolution(found, failed, new)

    def locate(self, name: str) -> int | None:
        """The instance of the test named ``name`` in the set, looked up now (two calls at
        most: the test by exact name, then its instance), and indexed; None if there is none.

        After an unclear ``auto_create``: whether it made the instance the run would be on.
        """
        test_id = self._find_test(fitted_name(name))
        if test_id is None:
            return None
        params = {"set-ids": self.resolve_set(), "test-ids": test_id}
        for instance in self.client.paginate(self._path("/instances.json"), params):
            self.index.add(instance)
        return self.index.by_test.get(test_id)

    def why_missing(self, target: Target, mapped: Target | None = None) -> str:
        where = f"test set {self.set_id}" + (f" ({self.set_name!r})" if self.set_name else "")
        what = target.describe()
        if mapped is not None and mapped != target:
            what = f"{mapped.describe()} (of another set; {what})"
        if self.refusal is not None:
            return f"{what} {NO_INSTANCE} {where}; {self.refusal}"
        if self.create_missing:
            return f"{what} could not be found or created in {where}"
        return f"{what} {NO_INSTANCE} {where}; {MISSING_ADVICE}"


__all__ = ["Resolver", "SetChoice"]  # SetChoice lives in testset; imported from here too
