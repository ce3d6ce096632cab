"""Secrets out of records before they are spooled: the one place the rule lives.

A test that prints or asserts the API token would put it in its run's output,
its ``traceback.txt`` and its captured ``stdout``/``log``, then in the spool
and in PractiTest; one given as a parameter is in the node id and the test's
name too (``test_login[hunter2pass]``). Every record therefore passes
``Redactor.record`` before it is written (the plugin's reporter and
``import-junit`` alike), and a long text
the importer writes as a file passes ``Redactor.text``: the token's value and
each value the user lists (``--practitest-redact``) become ``***``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..events import count
from ..model import FileRef, RunRecord, StepRecord

if TYPE_CHECKING:
    from ..settings import Settings

MASK = "***"
#: shorter values are not masked: a one- or two-letter "secret" would mask half the text
MIN_LENGTH = 4


class Redactor:
    """Replaces each secret with ``***`` in texts, inline files and records."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        given = {s for s in secrets if s and len(s) >= MIN_LENGTH}
        # pytest writes a parameter's non-ASCII characters as escapes in a node id
        # (test_login[p\xe4ss]): that form of each secret is masked too
        given |= {escaped(s) for s in given}
        # the longest first, so a secret holding another is masked whole
        self.secrets = sorted(given, key=len, reverse=True)
        self._encoded = [(s.encode("utf-8"), MASK.encode()) for s in self.secrets]
        #: test names masked: each masked name, and the names it stands for (in memory only)
        self._renamed: dict[str, set[str]] = {}

    @classmethod
    def for_settings(cls, settings: Settings) -> Redactor:
        """The token's value (from its environment variable) and ``--practitest-redact``'s."""
        return cls((settings.token(), *settings.redact))

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def data(self, data: bytes) -> bytes:
        for secret, mask in self._encoded:
            if secret in data:
                data = data.replace(secret, mask)
        return data

    def file(self, ref: FileRef) -> FileRef:
        """A file's name masked, and an inline file's bytes (a traceback, a capture); the
        bytes of a file on disk are the test's own."""
        name = self.text(ref.name)
        data = ref.data if ref.data is None else self.data(ref.data)
        if name == ref.name and data == ref.data:
            return ref
        return replace(ref, name=name, data=data)

    def step(self, step: StepRecord) -> StepRecord:
        return replace(
            step,
            name=self.text(step.name),
            description=self.optional(step.description),
            expected=self.optional(step.expected),
            actual=self.optional(step.actual),
            files=tuple(self.file(f) for f in step.files),
        )

    def record(self, record: RunRecord) -> RunRecord:
        """``record`` with every secret masked: its label, its test's name, its custom field
        values, output, steps and inline files."""
        if not self.secrets or not self._holds_one(record):
            return record  # the usual case: no copy
        target = record.target
        if target.name is not None and (name := self.text(target.name)) != target.name:
            self._renamed.setdefault(name, set()).add(target.name)
            target = replace(target, name=name)
        return replace(
            record,
            label=self.text(record.label),
            target=target,
            custom_fields={k: self.value(v) for k, v in record.custom_fields.items()},
            output=self.text(record.output),
            steps=tuple(self.step(s) for s in record.steps),
            files=tuple(self.file(f) for f in record.files),
        )

    def renamed(self) -> str | None:
        """A warning, once, when masking changed test names: a secret was a test's parameter,
        and two tests may now share one name (so one PractiTest test, one last status)."""
        if not self._renamed:
            return None
        names = sum(len(originals) for originals in self._renamed.values())
        first = next(iter(self._renamed))
        line = (
            f"a secret is in {count(names, 'test name')} (a parameter of the test): "
            f"PractiTest gets *** instead ({first})"
        )
        shared = [name for name, originals in self._renamed.items() if len(originals) > 1]
        if shared:
            line += (
                f"; {count(len(shared), 'name')} now stand{'s' if len(shared) == 1 else ''} "
                f"for several tests, whose results go to one PractiTest test ({shared[0]}): "
                "give such parameters ids (pytest.mark.parametrize(..., ids=[...]))"
            )
        return line

    def value(self, value: Any) -> Any:
        """A custom field's value masked: a text, or each text of a list."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return [self.text(v) if isinstance(v, str) else v for v in value]
        return value

    def _holds_one(self, record: RunRecord) -> bool:
        texts = [record.label, record.target.name or ""]
        for value in record.custom_fields.values():
            texts += value if isinstance(value, list | tuple) else [value]
        if any(
            secret in text for text in texts if isinstance(text, str) for secret in self.secrets
        ):
            return True
        if not (record.output or record.steps or record.files):
            return False  # most passing tests: nothing more to look in
        texts = [record.output]
        for step in record.steps:
            texts += [step.name, step.description or "", step.expected or "", step.actual or ""]
        if any(secret in text for text in texts for secret in self.secrets):
            return True
        files = record.all_files()
        if any(secret in f.name for f in files for secret in self.secrets):
            return True
        return any(
            secret in f.data for f in files if f.data is not None for secret, _ in self._encoded
        )


def escaped(secret: str) -> str:
    """``secret`` as pytest writes a parameter into a node id: non-ASCII as escapes."""
    return secret.encode("unicode_escape").decode("ascii")
