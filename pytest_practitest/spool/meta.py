"""A spool's first line: where its results go (one ``Destination``), and what it is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..model import Destination
from . import origin

if TYPE_CHECKING:
    from ..settings import Settings

SPOOL_FORMAT = 1


@dataclass
class SpoolMeta:
    """What an upload session needs besides the token: where to, and what it is.

    On disk the destination's fields sit flat in the meta line, as before it had a type.
    """

    destination: Destination = field(default_factory=Destination)
    source: str = ""
    created: str = field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    #: a dry run's records: a plan to look at, never to send
    dry_run: bool = False
    #: a relocatable bundle (``spool/bundle.py``): file paths are relative to its folder
    bundle: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, source: str) -> SpoolMeta:
        # A deferred session names only what it was given: the publisher gives the rest.
        return cls(
            destination=Destination.of(settings, named_only=settings.defer),
            source=source,
            dry_run=settings.dry_run,
        )

    def made_at(self) -> float | None:
        """``created`` as a time of this machine's clock; None when it cannot be read (a
        bundle's is its job's word)."""
        try:
            moment = datetime.fromisoformat(self.created)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.timestamp()
        except (ValueError, TypeError, OverflowError, OSError):
            return None

    def line(self) -> dict[str, Any]:
        """The meta line's fields (the destination's flat, ``project_id`` 0 for none)."""
        data = asdict(self)
        where = data.pop("destination")
        where["project_id"] = where["project_id"] or 0
        return {"type": "meta", "format": SPOOL_FORMAT, **where, **data}

    @classmethod
    def read(cls, line: dict[str, Any]) -> SpoolMeta:
        """From a meta line (without ``type`` and ``format``); TypeError if it is not one."""
        fields = dict(line)
        fields.pop(origin.FIELD, None)
        if "project_id" not in fields:
            raise TypeError("no project_id")
        names = ("url", "project_id", "set_id", "set_name", "create_missing", "author_id")
        where = {name: fields.pop(name) for name in names if name in fields}
        where["project_id"] = where.get("project_id") or None
        return cls(destination=Destination(**where), **fields)


#: the meta line's members and the type each must have when read back (``validate.meta``)
META_TYPES = {
    **{f.name: str(f.type) for f in fields(Destination)},
    **{f.name: str(f.type) for f in fields(SpoolMeta) if f.name != "destination"},
    origin.FIELD: "str",
}
