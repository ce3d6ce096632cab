"""The README's "your own project" steps, run as written against the simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUITE = """
def test_cart_add_an_item(): pass
def test_cart_remove_an_item(): pass
def test_brand_new_feature(): pass
"""


def readme_blocks() -> tuple[str, str]:
    """(the steps for the real service, the same against the simulator)."""
    section = (ROOT / "README.md").read_text().split("## Your own project in five steps", 1)[1]
    section = section.split("\n## ", 1)[0]
    real, simulated = re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)
    return real, simulated


def commands(block: str) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in block.splitlines()]


def test_the_simulator_block_is_the_real_steps_with_the_simulator_in_place_of_an_account() -> None:
    real, simulated = readme_blocks()
    shared = [c for c in commands(real) if c.startswith(("practitest ", "pytest "))]
    run = [c for c in commands(simulated) if c.startswith(("practitest ", "pytest "))][1:]
    assert len(run) == len(shared)
    assert all(sim.startswith(own) for sim, own in zip(run, shared, strict=True)), (run, shared)


def test_the_readmes_simulator_steps_run_as_written(tmp_path: Path) -> None:
    _, simulated = readme_blocks()
    (tmp_path / "test_shop.py").write_text(SUITE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTITEST")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    script = f"set -e\ntrap 'kill %1 2>/dev/null' EXIT\n{simulated}\n"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "ready to report." in out  # practitest check
    assert "matched 2 tests to instances; written to practitest.toml" in out  # practitest map
    assert "  new test: test_shop.py::test_brand_new_feature" in out  # practitest sync
    assert "PractiTest: 3 of 3 runs delivered to test set 20000 'Nightly regression'" in out
    lines = out.splitlines()  # practitest show
    assert "   1:1  PASSED        Cart: add an item" in lines
    assert "   1:2  PASSED        Cart: remove an item" in lines
    assert any(
        line.endswith("PASSED        test_shop.py::test_brand_new_feature") for line in lines
    )
