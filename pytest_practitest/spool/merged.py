"""Several spools delivered as one: each record once, its state written to every spool holding it.

``practitest upload`` takes the bundles of every job of a CI matrix and sends them
as one delivery (one rate limiter, one lookup of the test set and its instances,
full posts of 20 across bundles). A record is known by its key, which it keeps
from the session that made it into any copy: the same bundle given twice, or one
copied under two names, holds the same keys, so its records are sent once.

Every mark (attempt, delivered, rejected, unsent) is written to each spool that
holds the record, so each bundle on its own says what became of it, a later
upload of any of them sends only what is still missing, and one already
delivered through a copy is marked in the others before anything is sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from ..model import RunRecord
from .journal import Attempt, Spool, SpoolMeta


class Journal(Protocol):
    """What delivery reads and marks: a ``Spool``, or several as one (``merged.SpoolSet``)."""

    path: Path
    records: dict[str, RunRecord]

    @property
    def where(self) -> str:
        """The spool file, or files, as a command line names them."""

    @property
    def meta(self) -> SpoolMeta: ...
    @property
    def count(self) -> int: ...
    @property
    def delivered(self) -> dict[str, int]: ...
    @property
    def rejected(self) -> dict[str, str]: ...
    @property
    def attempts(self) -> dict[str, Attempt]: ...
    def pending(self) -> list[RunRecord]: ...
    def elsewhere(self) -> set[str]:
        """Keys held by a spool not made here (a bundle, a copy): an upload of another copy
        may have delivered them without a mark in these files."""

    def mark_attempt(self, keys: list[str]) -> Attempt: ...
    def mark_unsent(self, keys: list[str]) -> None: ...
    def mark_delivered(self, key: str, run_id: int) -> None: ...
    def mark_delivered_many(self, pairs: list[tuple[str, int]]) -> None: ...
    def mark_rejected(self, key: str, reason: str) -> None: ...


class SpoolSet:
    """The ``Spool`` interface the uploader uses, over several open spools."""

    def __init__(self, spools: Sequence[Spool]) -> None:
        if not spools:
            raise ValueError("a SpoolSet needs at least one spool")
        self.spools = list(spools)
        self.records: dict[str, RunRecord] = {}
        self.owners: dict[str, list[Spool]] = {}
        for spool in self.spools:
            for key, record in spool.records.items():
                self.records.setdefault(key, record)
                self.owners.setdefault(key, []).append(spool)
        self.path: Path = self.spools[0].path
        self.warnings = [w for s in self.spools for w in s.warnings]
        # The spools' states, merged once and then kept by the marks below: the uploader
        # and the report read them once per record, so they are plain dicts, not rebuilt.
        self.delivered: dict[str, int] = {
            key: run for spool in self.spools for key, run in spool.delivered.items()
        }
        self.rejected: dict[str, str] = {
            key: why
            for spool in self.spools
            for key, why in spool.rejected.items()
            if key not in self.delivered
        }
        self.attempts: dict[str, Attempt] = {}
        for spool in self.spools:
            for key, attempt in spool.attempts.items():
                if key not in self.attempts or attempt.at < self.attempts[key].at:
                    self.attempts[key] = attempt
        # Delivered through one copy: say so in the others before anything is sent.
        for key, run_id in self.delivered.items():
            for spool in self.owners.get(key, ()):
                if key not in spool.delivered:
                    spool.mark_delivered(key, run_id)

    @property
    def meta(self) -> SpoolMeta:
        """The first spool's, with the oldest creation time (``--verify`` looks from then); an
        unreadable one is the oldest."""
        oldest = min(self.spools, key=lambda s: s.meta.made_at() or float("-inf"))
        return replace(self.spools[0].meta, created=oldest.meta.created)

    @property
    def where(self) -> str:
        return " ".join(str(s.path) for s in self.spools)

    @property
    def count(self) -> int:
        return len(self.records)

    def pending(self) -> list[RunRecord]:
        return [r for key, r in self.records.items() if key not in self.delivered]

    def elsewhere(self) -> set[str]:
        return set().union(*(spool.elsewhere() for spool in self.spools))

    def _by_spool(self, keys: Iterable[str]) -> dict[int, tuple[Spool, list[str]]]:
        grouped: dict[int, tuple[Spool, list[str]]] = {}
        for key in keys:
            for spool in self.owners.get(key, ()):
                grouped.setdefault(id(spool), (spool, []))[1].append(key)
        return grouped

    def mark_attempt(self, keys: list[str]) -> Attempt:
        attempt = Attempt(time.time())
        for spool, owned in self._by_spool(keys).values():
            spool.mark_attempt(owned)
        for key in keys:
            self.attempts[key] = attempt
        return attempt

    def mark_unsent(self, keys: list[str]) -> None:
        for spool, owned in self._by_spool(keys).values():
            spool.mark_unsent(owned)
        for key in keys:
            self.attempts.pop(key, None)

    def mark_delivered(self, key: str, run_id: int) -> None:
        self.mark_delivered_many([(key, run_id)])

    def mark_delivered_many(self, pairs: list[tuple[str, int]]) -> None:
        run_ids = dict(pairs)
        for spool, owned in self._by_spool(run_ids).values():
            spool.mark_delivered_many([(key, run_ids[key]) for key in owned])
        for key, run_id in pairs:
            self.delivered[key] = run_id
            self.rejected.pop(key, None)

    def mark_rejected(self, key: str, reason: str) -> None:
        for spool in self.owners.get(key, ()):
            spool.mark_rejected(key, reason)
        self.rejected[key] = reason

    def close(self) -> None:
        for spool in self.spools:
            spool.close()

    def __enter__(self) -> SpoolSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
