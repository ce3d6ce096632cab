"""Creating what a result lacks (create-missing, the explicit way): tests, then instances.

Tests that do not exist are created (after one more look by name, just before
creating); missing instances are created in bulks of 20; a test another upload created
meanwhile is found, not doubled. After each bulk of instances, one look at those tests'
instances in the set: where another upload created one first (lower id), ours is
deleted and theirs used, so racing uploads converge on one instance per test. A
refusal every test would get (the author) stops creating, said once.

``Creating`` is the ``Resolver``'s (``targets.py``) part that writes; it uses the
resolver's client, project, set and index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..api.shape import data_of
from ..errors import APIError, ConfigError, ValidationError
from ..events import Event, EventSink, Kind
from ..limits import MAX_INSTANCES_PER_POST, PAGE_SIZE
from ..model import Target
from ..spool.resume import AUTHOR_ADVICE, NEEDS_AUTHOR, REFUSED_AUTHOR
from .answers import Verdict, classify
from .index import InstanceIndex, fitted_name, instances_of

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client


class Creating:
    """Creates tests and instances for ``Resolver`` (its fields, declared here)."""

    client: Client
    project_id: int
    author_id: int | None
    test_type: str
    on_event: EventSink
    index: InstanceIndex
    #: a refusal to create tests that will repeat (the author, or the same 422 twice)
    refusal: str | None
    _last_refusal: str | None

    def _path(self, tail: str) -> str:
        raise NotImplementedError

    def resolve_set(self) -> int:
        raise NotImplementedError

    def _create_missing(self, targets: Sequence[Target]) -> None:
        test_ids: dict[Target, int] = {}
        ids = sorted({t.test_id for t in targets if t.test_id is not None})
        for test_id in ids:
            test_ids[Target(test_id=test_id)] = test_id
        displays = sorted({t.display_id for t in targets if t.display_id is not None})
        for start in range(0, len(displays), PAGE_SIZE):
            chunk = displays[start : start + PAGE_SIZE]
            params = {"display-ids": ",".join(map(str, chunk))}
            for test in self.client.paginate(self._path("/tests.json"), params):
                test_ids[Target(display_id=int(test["attributes"]["display-id"]))] = int(test["id"])
        # Never the project's whole listing: it grows with the project, a name lookup does not.
        names = list(dict.fromkeys(t.name for t in targets if t.name is not None))
        created: dict[str, int] = {}
        for name in names:
            if self.refusal is not None:
                break  # the same refusal would come for every other test
            stored = fitted_name(name)
            found = self._find_test(stored)
            if found is None:
                found = self._create_test(stored, full_name=name)
                if found is not None:
                    created[stored] = found
            if found is not None:
                test_ids[Target(name=name)] = found
        winners = self._converge_tests(created)
        for target in list(test_ids):
            if target.name is not None and fitted_name(target.name) in winners:
                test_ids[target] = winners[fitted_name(target.name)]
        wanted = [test_id for target, test_id in test_ids.items() if target in set(targets)]
        self._create_instances(list(dict.fromkeys(wanted)))

    def _converge_tests(self, created: dict[str, int]) -> dict[str, int]:
        """After creating tests: where another upload made one of the same name first, use it.

        A server may let two tests share a name, and two jobs that create the same
        tests at once then make both. Each looks again once its tests exist, keeps
        the oldest (lowest id) and deletes its own if it is not that one: ids only
        grow, so whichever looks last sees both and gives way. The look is one exact
        name lookup per test created (a paged listing would skip tests while another
        job deletes its duplicates, and the reference does not promise an order), so
        a new test costs two calls, once. Returns the id to use per name.
        """
        winners = {}
        for name, ours in created.items():
            same = {
                int(t["id"])
                for t in self.client.paginate(self._path("/tests.json"), {"name_exact": name})
            }
            winners[name] = winner = min(same | {ours})
            if winner != ours:  # another job's is used: ours is not counted as created
                self._remove(f"/tests/{ours}.json", f"duplicate test {ours}")
                self.on_event(Event(Kind.CREATED, f"used test {winner} {name!r}", tests=-1))
        return winners

    def _find_test(self, name: str) -> int | None:
        found = [
            int(t["id"])
            for t in self.client.paginate(self._path("/tests.json"), {"name_exact": name})
        ]
        return min(found) if found else None

    def _create_test(self, name: str, full_name: str | None = None) -> int | None:
        attributes: dict[str, Any] = {"name": name, "test-type": self.test_type}
        if full_name is not None and full_name != name:
            attributes["description"] = full_name
        if self.author_id is not None:
            attributes["author-id"] = self.author_id
        path = self._path("/tests.json")
        try:
            body = {"data": {"type": "tests", "attributes": attributes}}
            created = int(data_of(self.client.post(path, body), "POST", path)["id"])
        except APIError as error:
            if error.ambiguous:
                return self._find_test(name)  # it may have been made: look
            if classify(error) is Verdict.STOP and error.status != 403:
                raise
            if any("already been taken" in e.detail for e in error.errors):
                return self._find_test(name)  # another upload created it meanwhile
            refusal = self.author_problem(error)
            if error.status == 403:  # a tester's token: no test can be made by it
                refusal = f"PractiTest refused to create it: {error.reason}"
            if not self.refused(error.reason, refusal):
                self.on_event(
                    Event(Kind.WARNING, f"could not create test {name!r}: {error.reason}")
                )
            return None
        except (KeyError, ValueError, TypeError):  # an answer without a usable id: look
            return self._find_test(name)
        self.on_event(Event(Kind.CREATED, f"created test {created} {name!r}", tests=1))
        return created

    def refused(self, reason: str, refusal: str | None = None) -> bool:
        """A new test refused for ``reason``: stop creating (True) on a ``refusal`` every
        test would get (the author) or on the last reason again; else remember it."""
        if refusal is None and reason == self._last_refusal:
            refusal = f"PractiTest refused two tests for the same reason: {reason}"
        if refusal is None:
            self._last_refusal = reason
            return False
        self.refusal = refusal  # stop asking: the next test would be refused the same way
        self.on_event(Event(Kind.WARNING, f"{refusal}; no more tests are created"))
        return True

    def _check_author(self, error: ValidationError) -> None:
        """Raise ConfigError (what to set) when ``error`` refuses the author."""
        problem = self.author_problem(error)
        if problem is not None:
            raise ConfigError(problem) from None

    def author_problem(self, error: APIError) -> str | None:
        """A refusal of the author (missing, or not a user) is a setting to fix: say which.

        Recognised by the JSON:API pointer (``/data/attributes/author-id``), or by the
        word "author" in the error's title or detail: servers say it either way.
        """
        if not any(
            "author" in (e.pointer or "").lower()
            or "author" in e.detail.lower()
            or "author" in (e.title or "").lower()
            for e in error.errors
        ):
            return None
        if self.author_id is not None:
            return f"{REFUSED_AUTHOR} {self.author_id} ({error.reason}): give {AUTHOR_ADVICE}"
        return f"{NEEDS_AUTHOR}: give {AUTHOR_ADVICE}"

    def _create_instances(self, test_ids: list[int]) -> None:
        set_id = self.resolve_set()
        needed = [t for t in test_ids if t not in self.index.by_test]
        for start in range(0, len(needed), MAX_INSTANCES_PER_POST):
            chunk = needed[start : start + MAX_INSTANCES_PER_POST]
            items = [
                {"type": "instances", "attributes": {"set-id": set_id, "test-id": t}} for t in chunk
            ]
            path = self._path("/instances.json")
            try:
                created = data_of(self.client.post(path, {"data": items}), "POST", path, list)
            except APIError as error:  # refused, or unclear: the set is looked at below
                if classify(error) is Verdict.STOP and error.status != 403:
                    raise
                self.on_event(Event(Kind.WARNING, f"could not create instances: {error.reason}"))
                created = []
            if created:
                self.on_event(
                    Event(Kind.CREATED, f"created {len(created)} instances in test set {set_id}")
                )
            self._converge(set_id, chunk, {int(i["id"]) for i in created if "id" in i})

    def _converge(self, set_id: int, test_ids: list[int], ours: set[int]) -> None:
        """If another upload created an instance of the same test first, use it, drop ours."""
        found = instances_of(self.client, self._path("/instances.json"), set_id, test_ids)
        for instance in sorted(found, key=lambda i: int(i["id"])):
            instance_id = int(instance["id"])
            if instance_id in ours and int(instance["attributes"]["test-id"]) in self.index.by_test:
                self._remove(f"/instances/{instance_id}.json", f"duplicate instance {instance_id}")
                continue
            self.index.add(instance)

    def _remove(self, tail: str, what: str) -> None:
        """Delete a duplicate; deleting needs "Runs - Admin", so a refusal only warns."""
        try:
            self.client.delete(self._path(tail))
        except APIError as error:
            self.on_event(Event(Kind.WARNING, f"could not remove {what}: {error.reason}"))
