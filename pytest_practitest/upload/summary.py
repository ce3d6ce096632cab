"""What an upload delivered, and the summary lines that say so.

Apart from the uploader so the test process can print a delivery process's
report without loading the HTTP stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import CONNECT_FAILED
from ..events import WARNINGS_SHOWN, count, visible
from ..spool.resume import retarget

if TYPE_CHECKING:
    from ..spool.merged import Journal


#: a wait for the rate limit this long is worth a word in the summary
RATE_WAIT_SHOWN = 1.0


@dataclass
class UploadSummary:
    """What was delivered and what was not."""

    total: int = 0
    delivered: int = 0
    recovered: int = 0
    #: found stored by an earlier upload of the same records (a bundle's copy, a JUnit file's)
    earlier: int = 0
    #: delivered results mapped to an instance of another set: sent to the same test's here
    moved: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    #: None: not counted (the delivery process was stopped before it could say)
    calls: int | None = None
    seconds: float = 0.0
    set_id: int | None = None
    set_name: str | None = None
    fatal: str | None = None
    spool_path: str = ""
    #: ``practitest upload --verify``: each result in PractiTest once (None: not asked)
    verified: bool | None = None
    #: seconds the calls waited for the rate limit (30 a minute, shared by the account)
    rate_waited: float = 0.0
    #: new tests created for the results (create-missing)
    created: int = 0
    #: runs this upload posted, when some of ``delivered`` were delivered before it
    posted: int | None = None
    #: the command line's flags a resume repeats: where to (``--url``, ``--project-id``,
    #: the set), and how (``--create-missing``, ``--author-id``, ``--map``), each with a
    #: leading space (``practitest upload``: a bundle's destination is the publisher's)
    again_where: str = ""
    again_how: str = ""
    again_rest: str = ""
    #: said after the command: what it cannot print (``--redact`` values are secrets)
    again_note: str = ""
    #: the rejections grouped by reason, most common first: [text, count, first tests]
    #: (a group of one keeps its own text; JSON-safe: a delivery process sends it)
    rejected_groups: list[list[Any]] = field(default_factory=list)

    @classmethod
    def of_spool(cls, spool: Journal, **rest: Any) -> UploadSummary:
        """Where ``spool`` stands: its records, deliveries and standing rejections."""
        from ..spool.inventory import grouped

        rejected = {k: v for k, v in spool.rejected.items() if k not in spool.delivered}
        groups: list[list[Any]] = []
        for group in grouped(rejected, spool.records):
            if len(group.tests) == 1:  # said as PractiTest's answer named it
                groups.append([rejected[group.keys[0]], 1, []])
            else:
                groups.append([group.reason, len(group.tests), list(group.tests[:3])])
        return cls(
            total=spool.count,
            delivered=len(spool.delivered),
            rejected=rejected,
            spool_path=spool.where,
            rejected_groups=groups,
            **rest,
        )

    @property
    def undelivered(self) -> int:
        return self.total - self.delivered

    def lines(self) -> list[str]:
        where = (
            f"test set {self.set_id}" + (f" {self.set_name!r}" if self.set_name else "")
            if self.set_id
            else "PractiTest"
        )
        now = self.posted is not None and self.posted != self.delivered
        lines = [
            f"PractiTest: {self.delivered} of {self.total} runs delivered"
            + (f" ({self.posted} now)" if now else "")
            + f" to {where} in "
            + ("" if self.calls is None else f"{count(self.calls, 'API call')}, ")
            + f"{self.seconds:.1f} s"
            + (
                f"; the rate limit held the calls for {self.rate_waited:.1f} s"
                if self.rate_waited >= RATE_WAIT_SHOWN
                else ""
            )
        ]
        if self.created:
            lines.append(f"PractiTest: {count(self.created, 'new test')} created (create-missing)")
        if self.moved:
            lines.append(
                f"PractiTest: {self.moved} of them {'were' if self.moved != 1 else 'was'} "
                f"mapped to an instance of another test set: delivered to the same "
                f"test's instance in {where}"
            )
        if self.recovered:
            lines.append(
                f"PractiTest: {self.recovered} of them were found stored after an unclear "
                "answer (not posted twice)"
            )
        if self.earlier:
            lines.append(
                f"PractiTest: {self.earlier} of them {'were' if self.earlier != 1 else 'was'} "
                "in PractiTest already, from an earlier upload of the same results (not "
                "posted twice)"
            )
        lines += self._rejected_lines()
        if self.fatal:
            lines.append(f"PractiTest: stopped: {self.fatal}")
        if self.undelivered:
            lines.append(self.resume_line())
        return [visible(line) for line in lines]

    def _rejected_lines(self) -> list[str]:
        """A line per reason (results rejected for the same one are one line, with their
        count and first tests), then how many more, if any."""
        groups = self.rejected_groups or [[text, 1, []] for text in self.rejected.values()]
        lines = []
        for text, number, tests in groups[:WARNINGS_SHOWN]:
            if number == 1:
                lines.append(f"PractiTest: rejected: {text}")
                continue
            more = f", and {number - len(tests)} more" if number > len(tests) else ""
            named = f"{', '.join(tests)}{more}"
            lines.append(f"PractiTest: rejected: {number} results ({named}): {text}")
        left = sum(number for _, number, _ in groups[WARNINGS_SHOWN:])
        if left:
            lines.append(f"PractiTest: ... and {left} more rejected (see the spool)")
        return lines

    def resume_line(self) -> str:
        """What to run for the rest: a plain resume sends the unsent; the rejected go again
        as they are, and are refused again, unless they are re-targeted or fixed."""
        path = self.spool_path
        line = f"PractiTest: {self.undelivered} not delivered; kept in {path}; "
        rejected = len(self.rejected)
        where = path + self.again_where
        plain = f"practitest upload {where}{self.again_how}{self.again_rest}"
        if not rejected:
            line += f"resume with: {plain}{self.again_note}"
            if self.fatal and CONNECT_FAILED in self.fatal:
                # A session's own spool keeps its URL; the environment does not move it.
                line += " (to the same URL; add --url URL if that one was wrong)"
            return line
        unsent = self.undelivered - rejected
        if unsent > 0:
            line += f"the {unsent} unsent: {plain}; "
        them = "it" if rejected == 1 else "them"
        line += f"the {rejected} rejected {'is' if rejected == 1 else 'are'} refused again by a "
        advice = retarget(them, where + self.again_rest, self.rejected.values())
        return line + "plain resume: " + advice + self.again_note
