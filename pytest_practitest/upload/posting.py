"""Two ways of posting runs behind one small interface: bulks to ``runs.json``, and
``runs/auto_create.json`` for a new test's first result (``autocreate``).

The uploader's pipeline (``uploader``) does not know which it holds: it posts a
batch, classifies a failure (``answers``) with the way's ``verdict``, asks the way
to ``look_for`` what an unclear post stored, and asks it why a refused record is
``refused`` (or whether another way should take it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import APIError
from ..model import RunRecord
from ..spool.journal import Attempt
from .answers import AnsweredUnclearly, Verdict, classify
from .fields import RunFields
from .payload import FilePolicy, build_item, encode_items, key_of
from .recovery import Recovery

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client


#: (record key, run id) for each record a post stored
Stored = list[tuple[str, int]]


class Way(Protocol):
    """A way of posting runs."""

    def post(
        self, batch: Sequence[RunRecord], instances: Mapping[str, int]
    ) -> list[tuple[str, int]]:
        """Post ``batch``; (record key, run id) for each; raises ``APIError`` (an answer that
        does not say what was stored: ``AnsweredUnclearly``)."""

    def verdict(self, error: APIError) -> Verdict:
        """What ``error`` means for the batch (``answers.classify``, or this way's reading)."""

    def refused(self, record: RunRecord, error: APIError) -> str | None:
        """Why ``record`` alone was refused, to reject it with; None: not the record's
        fault, it stays pending for another way."""

    def look_for(
        self, batch: Sequence[RunRecord], instances: dict[str, int], attempt: Attempt
    ) -> list[RunRecord]:
        """After an unclear answer: claim what ``attempt`` stored, by key; the records it did
        not store (an instance found on the way goes in ``instances``)."""


class Items:
    """Run items as PractiTest takes them: files by the policy, custom fields translated."""

    def __init__(self, policy: FilePolicy, fields: RunFields) -> None:
        self.policy = policy
        self.fields = fields

    def run(self, record: RunRecord, instance_id: int) -> dict[str, Any]:
        return build_item(record, instance_id, self.policy, self.fields.of(record))

    def new_test_run(self, record: RunRecord, set_id: int) -> dict[str, Any]:
        return build_item(record, None, self.policy, self.fields.of(record), set_id=set_id)


class BulkRuns:
    """``POST runs.json``: up to 20 runs on known instances per call."""

    def __init__(self, client: Client, project_id: int, items: Items, recovery: Recovery) -> None:
        self.client = client
        self.path = f"/projects/{project_id}/runs.json"
        self.items = items
        self.recovery = recovery

    def post(
        self, batch: Sequence[RunRecord], instances: Mapping[str, int]
    ) -> list[tuple[str, int]]:
        body = encode_items(self.items.run(r, instances[r.key]) for r in batch)
        answer = self.client.post(self.path, body)
        del body
        runs = answer.get("data") if isinstance(answer, dict) else None
        pairs = _pairs(batch, runs) if isinstance(runs, list) and len(runs) == len(batch) else None
        if pairs is None:
            raise AnsweredUnclearly(self.path, "the answer did not list one run per record")
        return pairs

    def verdict(self, error: APIError) -> Verdict:
        return classify(error)

    def refused(self, record: RunRecord, error: APIError) -> str | None:
        return error.reason

    def look_for(
        self, batch: Sequence[RunRecord], instances: dict[str, int], attempt: Attempt
    ) -> list[RunRecord]:
        return self.recovery.find_stored(batch, instances, attempt)


def _pairs(batch: Sequence[RunRecord], runs: Sequence[Any]) -> Stored | None:
    """(record key, run id) for a bulk the server stored, tied by the keys in the runs' outputs.

    The reference does not say that a bulk's answer keeps the request's order. An
    answer that does not show the keys still lists one run per record, so all were
    stored: its ids are taken in order (only the id noted per record can then be off).
    None when a run has no id.
    """
    try:
        by_key = {
            key_of(run.get("attributes", {}).get("automated-execution-output")): int(run["id"])
            for run in runs
        }
        if all(record.key in by_key for record in batch):
            return [(record.key, by_key[record.key]) for record in batch]
        return [(record.key, int(run["id"])) for record, run in zip(batch, runs, strict=True)]
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
