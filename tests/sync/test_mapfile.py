"""``practitest sync`` gives each test id entry of the mapping file its instance in the set."""

from __future__ import annotations

from pathlib import Path

from pytest_practitest.mapping import MappingFile
from pytest_practitest.model import InstanceHint, Target
from pytest_practitest.sync.mapfile import write_hints

BEFORE = """\
# kept
[tests]
"a.py::t1" = { test_id = 5 }  # a name {with braces}
"a.py::t2" = { test_id = 6, instance = { set = 1, id = 9 } }
"a.py::t3" = { instance_id = 7 }
"a.py::*" = { test_id = 8, fields = { Browser = "Chrome" } }
"a.py::t4" = { test_id = 99 }
"""
AFTER = """\
# kept
[tests]
"a.py::t1" = { test_id = 5, instance = { set = 2, id = 50 } }  # a name {with braces}
"a.py::t2" = { test_id = 6, instance = { set = 2, id = 60 } }
"a.py::t3" = { instance_id = 7 }
"a.py::*" = { test_id = 8, instance = { set = 2, id = 80 }, fields = { Browser = "Chrome" } }
"a.py::t4" = { test_id = 99 }
"""


def test_hints_are_written_in_place_once_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "practitest.toml"
    path.write_text(BEFORE)
    assert write_hints(path, 2, {5: 50, 6: 60, 8: 80, 7: 70}) == 3
    assert path.read_text() == AFTER
    assert write_hints(path, 2, {5: 50, 6: 60, 8: 80}) == 0  # nothing changed: not written
    mapping = MappingFile.load(path)
    one = mapping.lookup("a.py::t1")
    other = mapping.lookup("a.py::other")
    assert one is not None
    assert other is not None
    assert one.target == Target(test_id=5)
    assert one.target.hint == InstanceHint(2, 50)
    assert other.target.hint == InstanceHint(2, 80)
    assert other.fields == {"Browser": "Chrome"}
    assert write_hints(tmp_path / "none.toml", 2, {5: 50}) == 0
