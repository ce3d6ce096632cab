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
  (``tests.md``). It is sent when one is set. A server that refuses it (a 422
  pointing into ``test-attributes``, or naming the author), or that has no
  ``auto_create`` (404, 405), turns ``auto_create`` off for the upload: the
  explicit path, whose ``author-id`` is documented, takes the rest. One call is
  lost, once. Without an author set, a refusal of the author is the setting to
  fix, said once (as on the explicit path).
- *An unclear answer* (timeout, 5xx, an answer that names no run) is never
  simply posted again: after the same wait as a bulk, the test is looked up by
  exact name and its instance in the set (two calls), and the run by its key in
  the instance's runs. Only if none is found does the result go again.
- *Two jobs creating the same test at once* rely on the server's find-or-create,
  which is one request; the explicit path converges on its own (lowest id wins).
  One publisher per pipeline (``--practitest-defer``) removes the race.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import APIError, ValidationError
from ..events import Event, EventSink, Kind
from ..model import RunRecord
from ..spool.journal import Attempt
from ..spool.merged import Journal
from .index import fitted_name
from .payload import FilePolicy, build_item
from .recovery import Recovery
from .targets import Resolver

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client

#: where a 422 points when it is about the result itself (its run, steps or files)
RUN_POINTERS = ("/data/attributes", "/data/steps", "/data/files")

#: the statuses of a server that does not offer the endpoint
NO_ENDPOINT = (404, 405, 501)

#: (the error that left it unclear, how to look) -> the records still missing after looking
SettledLook = Callable[[APIError, Callable[[], list[RunRecord]]], list[RunRecord]]


def auto_create_item(
    record: RunRecord,
    set_id: int,
    policy: FilePolicy,
    fields: Mapping[str, Any],
    test_type: str,
    author_id: int | None,
) -> dict[str, Any]:
    """The ``runs/auto_create.json`` item: the run in ``set_id``, and the test to find or make."""
    assert record.target.name is not None
    item = build_item(record, None, policy, fields, set_id=set_id)
    stored = fitted_name(record.target.name)
    test: dict[str, Any] = {"name": stored, "test-type": test_type}
    if stored != record.target.name:
        test["description"] = record.target.name
    if author_id is not None:
        test["author-id"] = author_id
    item["test-attributes"] = test
    return item


class AutoCreate:
    """Sends the first result of each new test through ``runs/auto_create.json``."""

    def __init__(
        self,
        client: Client,
        resolver: Resolver,
        recovery: Recovery,
        spool: Journal,
        policy: FilePolicy,
        settled_look: SettledLook,
        reject: Callable[[RunRecord, str], None],
        on_event: EventSink,
    ) -> None:
        self.client = client
        self.resolver = resolver
        self.recovery = recovery
        self.spool = spool
        self.policy = policy
        self.settled_look = settled_look
        self._reject = reject
        self.on_event = on_event

    def send(self, record: RunRecord, fields: Mapping[str, Any], rounds: int) -> int | None:
        """Deliver ``record`` in one call, trying at most ``rounds`` times.

        Returns an instance id when the record must still go by ``runs.json`` (an
        unclear answer had made its instance but not its run), else None: delivered,
        rejected, or left pending (``resolver.auto_create`` is then off, or the
        error is raised).
        """
        resolver = self.resolver
        path = f"/projects/{resolver.project_id}/runs/auto_create.json"
        item = auto_create_item(
            record,
            resolver.resolve_set(),
            self.policy,
            fields,
            resolver.test_type,
            resolver.author_id,
        )
        attempt = self.spool.mark_attempt([record.key])
        try:
            answer = self.client.post(path, {"data": item})
        except ValidationError as error:
            self._refused(record, error)
            return None
        except APIError as error:
            if error.status in NO_ENDPOINT:
                self._turn_off(f"runs/auto_create.json answered {error.status}")
                self.spool.mark_unsent([record.key])
                return None
            if not error.ambiguous:
                self.spool.mark_unsent([record.key])
                raise
            return self._after_unclear(record, fields, error, attempt, rounds)
        del item
        run = self._run_of(answer)
        if run is None:
            unclear = APIError("POST", path, "the answer did not name the run", ambiguous=True)
            return self._after_unclear(record, fields, unclear, attempt, rounds)
        run_id, instance_id, test_id = run
        assert record.target.name is not None
        name = fitted_name(record.target.name)
        resolver.index.add({"id": instance_id, "attributes": {"test-id": test_id, "name": name}})
        self.spool.mark_delivered(record.key, run_id)
        meta = answer.get("meta") if isinstance(answer, dict) else None
        if isinstance(meta, dict) and meta.get("created-test") is not None:
            self.on_event(Event(Kind.CREATED, f"created test {test_id} {name!r}"))
        self.on_event(Event(Kind.BATCH_SENT, "1 run delivered", count=1))
        return None

    @staticmethod
    def _run_of(answer: Any) -> tuple[int, int, int] | None:
        """(run id, instance id, test id) from the answer, or None if it does not say."""
        try:
            data = answer["data"]
            attributes = data["attributes"]
            return int(data["id"]), int(attributes["instance-id"]), int(attributes["test-id"])
        except (KeyError, TypeError, ValueError):
            return None

    def _refused(self, record: RunRecord, error: ValidationError) -> None:
        """A 422: about this result (rejected), about the author, or about auto_create itself.

        A refusal that points at no part of the run, twice for the same reason, is
        taken as the server's answer for every new test: no more are sent (as on the
        explicit path).
        """
        resolver = self.resolver
        pointers = [e.pointer or "" for e in error.errors]
        about_test = any(p.startswith("/data/test-attributes") for p in pointers)
        author = resolver.author_problem(error)
        if author is not None and resolver.author_id is None:
            resolver.refused(error.reason, author)  # the explicit path would be refused too
            self._reject(record, resolver.why_missing(record.target))
        elif author is not None or about_test:
            self._turn_off(f"runs/auto_create.json refused the test attributes: {error.reason}")
            self.spool.mark_unsent([record.key])
        else:
            self._reject(record, error.reason)
            if not any(p.startswith(RUN_POINTERS) for p in pointers):
                resolver.refused(error.reason)  # not this result's own content: count it

    def _turn_off(self, why: str) -> None:
        self.resolver.auto_create = False
        self.on_event(
            Event(Kind.WARNING, f"{why}; new tests are created one by one instead (more calls)")
        )

    def _after_unclear(
        self,
        record: RunRecord,
        fields: Mapping[str, Any],
        error: APIError,
        attempt: Attempt,
        rounds: int,
    ) -> int | None:
        """Look for what the unclear post stored; send again only what it did not."""
        self.on_event(
            Event(Kind.RETRY, f"{error}; checking whether the run was stored before sending again")
        )
        assert record.target.name is not None
        name = record.target.name
        instance: dict[str, int] = {}

        def look() -> list[RunRecord]:
            found = self.resolver.index.lookup(record.target) or self.resolver.locate(name)
            if found is None:
                return [record]  # no instance: nothing was stored
            instance[record.key] = found
            return self.recovery.find_stored([record], instance, attempt)

        if not self.settled_look(error, look):
            return None
        if rounds <= 1:
            raise error
        if record.key in instance:
            return instance[record.key]  # the instance is there: the run goes by runs.json
        return self.send(record, fields, rounds - 1)
