"""New tests in one call each: ``POST runs/auto_create.json``.

With create-missing, a result known by a test name that has no instance in the
set goes alone to ``runs/auto_create.json``: the server finds the test by name or
creates it, finds or creates its instance in the set, and stores the run, in one
call, whatever the size of the project. The explicit way costs a lookup, a create,
a look for a racing duplicate and a share of an instance bulk, and listing the
project's tests to find names grows with the project. The answer's run names its
instance and test; both are indexed, so the test's other results go 20 per post.

Where the reference is silent, and what is done:

- *An account token's author.* ``auto_create``'s test attributes do not list
  ``author-id``, while creating a test with an account token needs one
  (``tests.md``). So it is never sent: with an author set, new tests take the
  explicit path (``POST tests.json``, whose ``author-id`` is documented) from the
  start. Without one (a personal token's tests are its user's), a refusal of the
  author is the setting to fix, said once (as on the explicit path). A server
  that refuses the test attributes (a 422 pointing into ``test-attributes``) or
  has no ``auto_create`` (404, 405, 501) turns ``auto_create`` off for the upload:
  the explicit path takes the rest. One call is lost, once.
- *A token that may not create tests or instances* (403: a tester's personal
  token lacks ``tests_editor`` or ``instances_editor``): results for new tests
  are rejected with the service's words, once said for all of them; results for
  tests that are in the set still go.
- *An unclear answer* (timeout, 5xx, an answer that names no run) is never
  simply posted again: after the same wait as a bulk, the test is looked up by
  exact name and its instance in the set (two calls), and the run by its key in
  the instance's runs. Only if none is found does the result go again (by
  ``runs.json`` when its instance was found).
- *Two jobs creating the same test at once* rely on the server's find-or-create,
  which is one request; the explicit path converges on its own (lowest id wins).
  One publisher per pipeline (``--practitest-defer``) removes the race.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import APIError, ValidationError
from ..events import Event, EventSink, Kind
from ..model import RunRecord
from ..spool.journal import Attempt
from .answers import AnsweredUnclearly, Verdict, classify
from .index import fitted_name
from .posting import Items
from .recovery import Recovery
from .targets import Resolver

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client

#: where a 422 points when it is about the result itself (its run, steps or files)
RUN_POINTERS = ("/data/attributes", "/data/steps", "/data/files")

#: the statuses of a server that does not offer the endpoint
NO_ENDPOINT = (404, 405, 501)


def auto_create_item(
    record: RunRecord, set_id: int, items: Items, test_type: str
) -> dict[str, Any]:
    """The ``runs/auto_create.json`` item: the run in ``set_id``, and the test to find or make.

    Only the test attributes the reference lists for this endpoint (no ``author-id``).
    """
    assert record.target.name is not None
    item = items.new_test_run(record, set_id)
    stored = fitted_name(record.target.name)
    test: dict[str, Any] = {"name": stored, "test-type": test_type}
    if stored != record.target.name:
        test["description"] = record.target.name
    item["test-attributes"] = test
    return item


class AutoCreate:
    """Posts the first result of a new test through ``runs/auto_create.json`` (a ``Way``)."""

    def __init__(
        self,
        client: Client,
        resolver: Resolver,
        recovery: Recovery,
        items: Items,
        on_event: EventSink,
    ) -> None:
        self.client = client
        self.resolver = resolver
        self.recovery = recovery
        self.items = items
        self.on_event = on_event
        self.path = f"/projects/{resolver.project_id}/runs/auto_create.json"

    def post(
        self, batch: Sequence[RunRecord], instances: Mapping[str, int]
    ) -> list[tuple[str, int]]:
        [record] = batch
        resolver = self.resolver
        item = auto_create_item(record, resolver.resolve_set(), self.items, resolver.test_type)
        answer = self.client.post(self.path, {"data": item})
        del item
        run = self._run_of(answer)
        if run is None:
            raise AnsweredUnclearly(self.path, "the answer did not name the run")
        run_id, instance_id, test_id = run
        assert record.target.name is not None
        name = fitted_name(record.target.name)
        resolver.index.add({"id": instance_id, "attributes": {"test-id": test_id, "name": name}})
        meta = answer.get("meta") if isinstance(answer, dict) else None
        if isinstance(meta, dict) and meta.get("created-test") is not None:
            self.on_event(Event(Kind.CREATED, f"created test {test_id} {name!r}", tests=1))
        return [(record.key, run_id)]

    @staticmethod
    def _run_of(answer: Any) -> tuple[int, int, int] | None:
        """(run id, instance id, test id) from the answer, or None if it does not say."""
        try:
            data = answer["data"]
            attributes = data["attributes"]
            return int(data["id"]), int(attributes["instance-id"]), int(attributes["test-id"])
        except (KeyError, TypeError, ValueError):
            return None

    def verdict(self, error: APIError) -> Verdict:
        """As any post, but a missing endpoint or a missing permission (403) is about new
        tests, not the session: the record is refused, and ``refused`` says what follows."""
        if error.status in NO_ENDPOINT or error.status == 403:
            return Verdict.REFUSED
        return classify(error)

    def refused(self, record: RunRecord, error: APIError) -> str | None:
        """A refusal: about this result (its reason), about every new test (the author, a
        permission: said once), or about ``auto_create`` itself (None: turned off, the
        record goes the explicit way).

        A refusal that points at no part of the run, twice for the same reason, is
        taken as the server's answer for every new test: no more are sent (as on the
        explicit path).
        """
        resolver = self.resolver
        if error.status in NO_ENDPOINT:
            self._turn_off(f"runs/auto_create.json answered {error.status}")
            return None
        if error.status == 403:
            resolver.refused(error.reason, f"PractiTest refused to create it: {error.reason}")
            return resolver.why_missing(record.target)
        pointers = [e.pointer or "" for e in error.errors]
        author = resolver.author_problem(error) if isinstance(error, ValidationError) else None
        if author is not None and resolver.author_id is None:
            resolver.refused(error.reason, author)  # the explicit path would be refused too
            return resolver.why_missing(record.target)
        if author is not None or any(p.startswith("/data/test-attributes") for p in pointers):
            self._turn_off(f"runs/auto_create.json refused the test attributes: {error.reason}")
            return None
        if not any(p.startswith(RUN_POINTERS) for p in pointers):
            resolver.refused(error.reason)  # not this result's own content: count it
        return error.reason

    def _turn_off(self, why: str) -> None:
        self.resolver.auto_create = False
        self.on_event(
            Event(Kind.WARNING, f"{why}; new tests are created one by one instead (more calls)")
        )

    def look_for(
        self, batch: Sequence[RunRecord], instances: dict[str, int], attempt: Attempt
    ) -> list[RunRecord]:
        """The test by exact name, its instance in the set, then the run by key."""
        missing = []
        for record in batch:
            assert record.target.name is not None
            found = self.resolver.index.lookup(record.target) or self.resolver.locate(
                record.target.name
            )
            if found is None:
                missing.append(record)  # no instance: nothing was stored
                continue
            instances[record.key] = found
            missing += self.recovery.find_stored([record], instances, attempt)
        return missing
