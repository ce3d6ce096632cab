"""The simulator's state: tables of entities, id counters, tokens.

Entities are plain dicts of their JSON:API attributes (dashed names, as the API
shows them) plus an ``id``. Keys that start with ``_`` are internal (an
attachment's bytes, a test's project) and never leave the server.

Each entity type draws ids from its own range, far apart from the others, so a
client that sends a test id where an instance id belongs gets a 422 instead of
silently hitting some other entity.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

Entity = dict[str, Any]

#: table name -> (JSON:API type, first id)
TABLES: dict[str, tuple[str, int]] = {
    "projects": ("projects", 4500),
    "users": ("users", 5300),
    "custom_fields": ("custom-fields", 45000),
    "tests": ("tests", 80000),
    "steps": ("steps", 140000),
    "sets": ("sets", 20000),
    "instances": ("instances", 300000),
    "runs": ("runs", 900000),
    "step_runs": ("step-runs", 3700000),
    "attachments": ("attachments", 14000),
    "requirements": ("requirements", 60000),
}


@dataclass
class Token:
    """An API token the simulator accepts.

    ``kind`` is ``"account"`` (sees every project, needs ``author-id`` to
    create tests) or ``"personal"`` (acts as ``user_id``, sees that user's
    projects only).
    """

    value: str
    kind: str
    user_id: int | None = None
    impersonation: bool = False


@dataclass
class Principal:
    """Who a request acts as, after authentication."""

    token: Token
    visible_projects: set[int] | None  # None: every project

    @property
    def is_personal(self) -> bool:
        return self.token.kind == "personal"

    def can_see(self, project_id: int) -> bool:
        return self.visible_projects is None or project_id in self.visible_projects


@dataclass
class Store:
    """All simulator state, guarded by one re-entrant lock."""

    tables: dict[str, dict[int, Entity]] = field(
        default_factory=lambda: {name: {} for name in TABLES}
    )
    tokens: dict[str, Token] = field(default_factory=dict)
    memberships: dict[int, set[int]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(
        default_factory=lambda: {name: start for name, (_, start) in TABLES.items()}
    )
    display_ids: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(16), repr=False)
    #: seconds the server's clock is ahead of (or, negative, behind) this machine's: every
    #: timestamp and ``updated-hours-ago`` use it (the reference says nothing of the clock)
    clock_offset: float = 0.0
    #: how a bulk of runs is answered: "request" (the order of the request) or "reversed"
    #: (the reference does not say that the answer keeps the request's order)
    bulk_order: str = "request"
    #: whether a test's name must be unique in its project (422 "has already been taken");
    #: the reference does not say, and a server that allows two lets racing jobs make both
    unique_test_names: bool = True
    #: whether ``runs/auto_create.json`` takes ``test-attributes.author-id`` (an account
    #: token's author for a test it creates); the reference does not list it, so a
    #: server may refuse it as an unknown member
    auto_create_author: bool = True
    #: what a bulk of runs holding an instance id that does not exist gets: 422 with a
    #: pointer per bad entry (nothing stored), or 404 naming the id, with the good
    #: entries stored (the reference says neither)
    stale_bulk_status: int = 422
    #: how a stored bulk of runs is answered: "list" (one run per entry), "object" (the
    #: first run only) or "empty" (``{}``); the reference shows no answer for a bulk
    bulk_answer: str = "list"
    #: "full", or "tester": every token is a tester's personal token, which may run tests
    #: but not list custom fields, delete, or create tests or instances (the reference's
    #: PAT permissions: customize fields, Runs - Admin, tests_editor, instances_editor)
    permissions: str = "full"
    #: whether ``test-ids`` on ``instances.json`` reads only its first id (documented as
    #: "a certain test_id"), as a server that takes no comma list may
    single_test_ids: bool = False
    #: refuse members the reference does not list for an endpoint (``author-id`` in
    #: ``auto_create``'s test-attributes, ``tester-id`` on an AutomatedRun)
    strict: bool = False
    _iso: tuple[int, str] = field(default=(0, ""), repr=False, compare=False)
    #: lookups by field values, built on first use (see ``find``); never saved
    indexes: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], set[int]]] = field(
        default_factory=dict, repr=False
    )

    def now(self) -> datetime:
        """The server's time (its own clock: see ``clock_offset``)."""
        return datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset)

    def now_iso(self) -> str:
        """``now`` to the second, as the API writes times (made once a second: a bulk of
        20 runs stamps each, and formatting a datetime is most of a run's storing)."""
        second = int(time.time() + self.clock_offset)
        cached = self._iso  # one read: another thread may replace it meanwhile
        if cached[0] != second:
            cached = (second, datetime.fromtimestamp(second, timezone.utc).isoformat())
            self._iso = cached
        return cached[1]

    def blob_signature(self, attachment_id: int) -> str:
        """Signs the token-free download URL an attachment redirects to."""
        return hmac.new(self.secret, str(attachment_id).encode(), hashlib.sha256).hexdigest()[:32]

    def table(self, name: str) -> dict[int, Entity]:
        return self.tables[name]

    def insert(self, name: str, attributes: Entity) -> Entity:
        with self.lock:
            new_id = self.next_ids[name]
            self.next_ids[name] = new_id + 1
            entity = {"id": new_id, **attributes}
            self.tables[name][new_id] = entity
            self.reindex(name, entity)
            return entity

    def find(self, table: str, match: dict[str, Any]) -> list[Entity]:
        """The entities of ``table`` whose fields equal ``match``, in id order.

        Through an index per (table, fields), built by one scan on first use and
        kept by ``insert`` and ``reindex``: a 60,000-test project answers a name
        lookup without scanning its tests. Entries are checked when read, so a
        deleted or changed entity is never returned by a stale one.
        """
        fields = tuple(sorted(match))
        with self.lock:
            index = self.indexes.get((table, fields))
            if index is None:
                index = {}
                for entity in self.tables[table].values():
                    index.setdefault(tuple(entity.get(f) for f in fields), set()).add(entity["id"])
                self.indexes[(table, fields)] = index
            rows = self.tables[table]
            ids = sorted(index.get(tuple(match[f] for f in fields), ()))
            return [
                rows[i]
                for i in ids
                if i in rows and all(rows[i].get(f) == match[f] for f in fields)
            ]

    def reindex(self, table: str, entity: Entity) -> None:
        """Keep the indexes ``find`` built for ``table`` after ``entity`` was added or changed."""
        with self.lock:
            for (name, fields), index in self.indexes.items():
                if name == table:
                    index.setdefault(tuple(entity.get(f) for f in fields), set()).add(entity["id"])

    def next_display_id(self, scope: str) -> int:
        """The next display id in ``scope`` (e.g. ``"tests:4500"``, ``"set:20001"``)."""
        with self.lock:
            value = self.display_ids.get(scope, 0) + 1
            self.display_ids[scope] = value
            return value

    def get(self, name: str, entity_id: int) -> Entity | None:
        return self.tables[name].get(entity_id)

    def in_project(self, name: str, project_id: int) -> list[Entity]:
        """Entities of one table that belong to a project, in id order."""
        with self.lock:
            return [e for e in self.tables[name].values() if e.get("project-id") == project_id]

    def in_project_where(
        self, name: str, project_id: int, key: str, wanted: set[Any] | None
    ) -> list[Entity]:
        """``in_project``, only those whose ``key`` is one of ``wanted`` (all when None), in
        one pass: a client lists a 5,000-instance set in 50 pages, each a scan."""
        if wanted is None:
            return self.in_project(name, project_id)
        with self.lock:
            return [
                e
                for e in self.tables[name].values()
                if e.get("project-id") == project_id and e.get(key) in wanted
            ]

    def add_token(self, token: Token) -> None:
        self.tokens[token.value] = token

    def principal_for(self, value: str) -> Principal | None:
        token = self.tokens.get(value)
        if token is None:
            return None
        if token.kind == "account":
            return Principal(token, None)
        assert token.user_id is not None
        return Principal(token, set(self.memberships.get(token.user_id, set())))

    # -- persistence -----------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """A JSON-safe copy of everything (attachment bytes as base64)."""
        with self.lock:
            tables = copy.deepcopy(self.tables)
        for entity in tables["attachments"].values():
            entity["_content"] = base64.b64encode(entity["_content"]).decode("ascii")
        return {
            "tables": {name: list(rows.values()) for name, rows in tables.items()},
            "tokens": [asdict(t) for t in self.tokens.values()],
            "memberships": {str(k): sorted(v) for k, v in self.memberships.items()},
            "next_ids": dict(self.next_ids),
            "display_ids": dict(self.display_ids),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Store:
        store = cls()
        for name, rows in data["tables"].items():
            for row in rows:
                if name == "attachments":
                    row["_content"] = base64.b64decode(row["_content"])
                store.tables[name][int(row["id"])] = row
        for token in data["tokens"]:
            store.add_token(Token(**token))
        store.memberships = {int(k): set(v) for k, v in data["memberships"].items()}
        store.next_ids.update(data["next_ids"])
        store.display_ids.update(data["display_ids"])
        return store


def resource(table: str, entity: Entity) -> dict[str, Any]:
    """An entity as a JSON:API resource object (string id, public attributes)."""
    json_type = TABLES[table][0]
    attributes = {k: v for k, v in entity.items() if k[0] != "_" and k != "id"}
    return {"id": str(entity["id"]), "type": json_type, "attributes": attributes}
