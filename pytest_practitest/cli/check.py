"""``practitest check``: can this token report where the settings say? A few calls, one line each.

For the first set-up of a pipeline: a wrong token, project or test set is found
in seconds instead of at the end of the first long run (whose results would
wait in the spool). Exit codes: 0 ready to report; 1 PractiTest refused or
could not be reached; 2 a usage error or an incomplete setting.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from ..errors import APIError, ConfigError, NotFoundError, PractiTestError
from ..upload.fields import FIELD_PREFIX, custom_fields, field_value
from ..upload.targets import Resolver, SetChoice
from .flags import LOOKUP_ONLY, add_command_flags, command_error, command_settings, command_values

if TYPE_CHECKING:
    from ..api.client import Client

Say = Callable[[str, str], None]

STEMS = ("url", "project-id", "set-id", "set-name", "author-id", "timeout", "field")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``practitest check``: the plugin's, without the ``practitest-`` prefix."""
    add_command_flags(parser, STEMS, helps=LOOKUP_ONLY)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Try the settings against PractiTest, one line per thing: 0 ready, 1 not, 2 usage error."""
    from ..api.client import Client

    out = out or sys.stdout
    try:
        cli = command_values(args, STEMS)
        # As for an upload: a token, a project and a test set are needed.
        settings = command_settings({**cli, "practitest": True}, "check")
        client = Client.from_settings(settings)
    except PractiTestError as error:
        print(
            f"practitest check: error: {command_error(error, getattr(args, 'parser', None))}",
            file=sys.stderr,
        )
        return 2
    project = settings.project_id
    assert project is not None  # resolve() checked it
    print(f"PractiTest check: {client.base_url}, token from {settings.token_env}", file=out)

    def say(status: str, text: str) -> None:
        print(f"  {status:<5} {text}", file=out, flush=True)

    code = 0
    with client.session:
        try:
            # resolve() made sure there is a test set, by id or by name.
            resolver = Resolver.of(client, settings, SetChoice.of(settings, create=False))
            found = resolver.project()
            say("ok", f"project {project} {found['attributes'].get('name')!r} is visible")
            try:
                set_id = resolver.resolve_set()
            except ConfigError as error:
                if settings.set_id is not None:
                    raise
                say("note", f"{error}; the first upload creates it")
            else:
                listing = client.get(
                    f"/projects/{project}/instances.json", {"set-ids": set_id, "page[size]": 1}
                )
                count = (listing.get("meta") or {}).get("total-count", "?")
                say("ok", f"test set {set_id} {resolver.set_name!r}, {count} instances")
            if settings.author_id is not None:
                source = settings.sources.get("author_id", "the author id")
                code = _check_author(client, settings.author_id, source, say)
            if settings.fields:
                source = settings.sources.get("fields", "the run fields")
                code = max(code, _check_fields(client, project, settings.fields, source, say))
        except (ConfigError, APIError) as error:
            say("error", str(error))
            return 1
    calls = f"{client.calls} API call{'s' if client.calls != 1 else ''}"
    print(f"  {calls}; {'ready to report' if code == 0 else 'not ready'}.", file=out)
    return code


def _check_author(client: Client, author_id: int, source: str, say: Say) -> int:
    try:
        user = client.get(f"/users/{author_id}.json")["data"]["attributes"]
    except NotFoundError:
        say("error", f"author {author_id} is not a user of this account ({source})")
        return 1
    except APIError as error:  # the users API is for corporate accounts only
        say("note", f"author {author_id} could not be looked up ({error.reason})")
        return 0
    say("ok", f"author {author_id} is {user.get('display-name')} <{user.get('email')}>")
    return 0


def _check_fields(
    client: Client, project: int, fields: Sequence[tuple[str, str]], source: str, say: Say
) -> int:
    """Each run field must exist and allow its value: otherwise runs go without it."""
    known = custom_fields(client, project)
    code = 0
    for name, value in dict.fromkeys(fields):
        found = field_value(known, name, value, project)
        if found.field is None and found.problem is None:
            say("note", f"run field {name!r} is not listed in project {project}; sent as given")
        elif found.field is None:
            say("error", f"{found.problem} ({source})")
            code = 1
        elif found.problem is not None:
            say("error", f"run field {name!r}: {found.problem} ({source})")
            code = 1
        else:
            shown = " | ".join(found.value) if isinstance(found.value, list) else repr(found.value)
            say(
                "ok",
                f"run field {name!r} is custom field {found.key.removeprefix(FIELD_PREFIX)}, "
                f"{found.field.format}: {shown}",
            )
    return code
