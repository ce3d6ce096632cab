"""A mapping file's instance hint whose instance is gone: the test id decides.

``practitest sync`` writes the instance of a test in one set beside its test id, and a
session into that set posts to it without listing the set (``testset.by_hint``). When
the instance was deleted in PractiTest since, the post is refused (422 pointing at the
entry, or 404). The result then goes where it would have gone with no hint: the test's
instance in the session's set, found by test id with one call for every such result of
the refused post (``index.instances_of``), created with create-missing, else rejected
saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import APIError
from ..model import RunRecord, Target
from .index import instances_of

if TYPE_CHECKING:  # the HTTP stack loads only where a Client is made
    from ..api.client import Client
    from .targets import Resolver


class StaleHints:
    """Re-targets the results whose hinted instance PractiTest refused."""

    def __init__(self, client: Client, project_id: int, resolver: Resolver) -> None:
        self.client = client
        self.project_id = project_id
        self.resolver = resolver

    def stale(self, record: RunRecord, error: APIError) -> bool:
        """Whether ``error`` refused ``record`` on the instance its hint named."""
        return (
            record.target.hint is not None
            and record.key in self.resolver.hinted
            and error.status in (404, 422)
        )

    def retarget(
        self, records: Sequence[RunRecord], reasons: dict[str, str], instances: dict[str, int]
    ) -> list[RunRecord]:
        """The ``records`` (each ``stale``, refused for ``reasons`` by key) that now have an
        instance by their test id (put in ``instances``), to post again; for the others,
        ``reasons`` now says why they have none."""
        if not records:
            return []
        for record in records:
            self.resolver.hinted.discard(record.key)
        set_id = self.resolver.resolve_set()
        test_ids = sorted({r.target.test_id for r in records if r.target.test_id is not None})
        path = f"/projects/{self.project_id}/instances.json"
        for instance in instances_of(self.client, path, set_id, test_ids):
            self.resolver.index.add(instance)
        found: dict[str, int] = {}
        for record in records:
            instance_id = self.resolver.index.lookup(_unhinted(record.target))
            if instance_id is not None:
                found[record.key] = instance_id
        missing = [r for r in records if r.key not in found]
        if missing and self.resolver.create_missing:
            # as a test id with no hint goes: its instance made in the set (a bulk of 20)
            unhinted = [replace(r, target=_unhinted(r.target)) for r in missing]
            found.update(self.resolver.resolve(unhinted, create=True).found)
        for record in records:
            if record.key in found:
                instances[record.key] = found[record.key]
                reasons.pop(record.key, None)
            else:
                reasons[record.key] = self._why(record, reasons.get(record.key, ""))
        return [r for r in records if r.key in found]

    def _why(self, record: RunRecord, refused: str) -> str:
        hint = record.target.hint
        assert hint is not None
        return (
            f"{refused} (instance {hint.instance_id} of test {record.target.test_id}, from the "
            f"mapping file: deleted since `practitest sync`?), and "
            + self.resolver.why_missing(_unhinted(record.target))
        )


def _unhinted(target: Target) -> Target:
    return replace(target, hint=None)
