"""What the plugin prints and writes for CI: one line per line, markdown taken literally."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_practitest.collect.reporter import markdown

#: the ``run`` fixture: pytest with reporting on, to the simulator's demo set
Run = Callable[..., pytest.RunResult]


def test_markdown_in_a_node_id_is_literal_in_the_step_summary(
    pytester: pytest.Pytester, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    pytester.makepyfile(
        test_md="import pytest\n"
        "@pytest.mark.practitest(instance_id=1)\n"
        "@pytest.mark.parametrize('x', ['[click](https://evil.example)', '<img src=x>', '**b**'])\n"
        "def test_a(x): pass\n"
    )
    run()
    text = summary.read_text()
    assert r"test\_md.py::test\_a\[\[click\]\(https://evil.example\)\]" in text
    assert r"test\_md.py::test\_a\[&lt;img src=x&gt;\]" in text
    assert r"test\_md.py::test\_a\[\*\*b\*\*\]" in text
    assert "[click](" not in text
    assert "<img" not in text


def test_markdown_escapes_what_github_renders() -> None:
    assert markdown("a_b *c* [d](e) `f` | g ~h~ <i> & \\ \n") == (
        r"a\_b \*c\* \[d\]\(e\) \`f\` \| g \~h\~ &lt;i&gt; &amp; \\ \\n"
    )
