"""Markers, the mapping file, parametrized policies, unmapped tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_practitest.errors import ConfigError
from pytest_practitest.mapping import MappingFile
from pytest_practitest.simulator import Simulator
from tests.helpers import Run, count_by, output, runs_by_test, step_runs


def test_markers_on_functions_classes_and_modules(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_shop="""
        import pytest
        pytestmark = pytest.mark.practitest(name="Catalog: search by name")

        def test_module_level(): pass

        @pytest.mark.practitest(instance_id=300000)
        def test_by_instance(): pass

        @pytest.mark.practitest(test_id=80002)
        def test_by_test_id(): pass

        @pytest.mark.practitest(display_id=4)
        def test_by_display_id(): pass

        @pytest.mark.practitest(name="Login: locked account")
        class TestLogin:
            def test_in_class(self): pass
        """
    )
    run("--strict-markers", create=False).assert_outcomes(passed=5)
    assert {name: [r["instance-id"] for r in runs] for name, runs in runs_by_test(sim).items()} == {
        "Catalog: search by name": [300004],
        "Cart: add an item": [300000],
        "Checkout: pay by card": [300002],
        "Checkout: pay by invoice": [300003],
        "Login: locked account": [300007],
    }


def test_mapping_file_exact_glob_and_params(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_cart="""
        import pytest
        def test_add(): pass
        def test_remove(): pass
        @pytest.mark.parametrize("currency", ["EUR", "USD"])
        def test_price(currency): pass
        """
    )
    pytester.path.joinpath("practitest.toml").write_text(
        """
        [tests]
        "test_cart.py::test_add" = { instance_id = 300000 }
        "test_cart.py::test_rem*" = { name = "Cart: remove an item", fields = { Browser = "Safari" } }
        "test_cart.py::test_price[EUR]" = { name = "Catalog: price formatting" }
        "test_cart.py::test_price[USD]" = { test_id = 80004 }
        """
    )
    result = run("--practitest-map=practitest.toml", create=False)
    result.assert_outcomes(passed=4)
    grouped = runs_by_test(sim)
    assert grouped["Cart: add an item"][0]["instance-id"] == 300000
    assert grouped["Cart: remove an item"][0]["custom-fields"] == {
        f"---f-{sim.info.custom_fields['Browser']}": "Safari"
    }
    assert grouped["Catalog: price formatting"][0]["instance-id"] == 300005
    assert grouped["Catalog: search by name"][0]["instance-id"] == 300004


def test_mapping_file_problems_are_reported_before_the_summary(
    pytester: pytest.Pytester, run: Run
) -> None:
    pytester.makepyfile(test_a="def test_one(): pass\ndef test_two(): pass")
    pytester.path.joinpath("map.toml").write_text(
        '[tests]\n"test_a.py::test_one" = { instance_id = 300000 }\n"test_a.py::test_gone" = { instance_id = 300001 }\n'
        '"test_a.py::test_t*" = { instance_id = 300002 }\n"test_a.py::*two" = { instance_id = 300003 }\n'
    )
    result = run("--practitest-map=map.toml", create=False)
    result.stdout.fnmatch_lines(
        [
            "*PractiTest: warning: *map.toml: 'test_a.py::test_gone' matches no collected test",
            "*PractiTest: warning: *map.toml: test_a.py::test_two matches 2 entries ('test_a.py::test_t*', 'test_a.py::*two'); 'test_a.py::test_t*' is used (the first glob in the file wins)",
        ]
    )


def test_a_deselected_test_still_matches_its_entry(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_a="def test_one(): pass\ndef test_two(): pass")
    pytester.path.joinpath("map.toml").write_text(
        '[tests]\n"test_a.py::test_one" = { instance_id = 300000 }\n'
        '"test_a.py::test_two" = { instance_id = 300001 }\n"test_a.py::test_gone" = '
        "{ instance_id = 300002 }\n"
    )
    result = run("--practitest-map=map.toml", "-k", "test_one", create=False)
    result.assert_outcomes(passed=1, deselected=1)
    warnings = [line for line in result.stdout.lines if "matches no collected test" in line]
    assert len(warnings) == 1  # test_two was collected, then deselected
    assert "'test_a.py::test_gone'" in warnings[0]
    assert [r["instance-id"] for r in sim.entities("runs")] == [300000]


def test_an_exact_entry_beats_a_glob_listed_before_it_and_says_so(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_a="def test_one(): pass\ndef test_two(): pass")
    pytester.path.joinpath("map.toml").write_text(
        '[tests]\n"test_a.py::*" = { instance_id = 300000 }\n'
        '"test_a.py::test_two" = { instance_id = 300001 }\n'
        '"gone/*.py::*" = { instance_id = 300002 }\n'
        '"test_*.py::test_three" = { instance_id = 300003 }\n'
    )
    result = run("--practitest-map=map.toml", create=False)
    result.stdout.fnmatch_lines(
        [
            "*PractiTest: warning: *map.toml: 'test_*.py::test_three' matches no collected test",
            "*PractiTest: warning: *map.toml: test_a.py::test_two matches 2 entries "
            "('test_a.py::test_two', 'test_a.py::*'); 'test_a.py::test_two' is used "
            "(an exact node id beats a glob)",
        ]
    )
    assert "gone/" not in result.stdout.str()  # a file this run did not collect
    assert sorted(r["instance-id"] for r in sim.entities("runs")) == [300000, 300001]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[tests]\n"a" = { instance_id = 1 }\n"a" = { test_id = 2 }\n',
            "map.toml:3: Cannot overwrite a value",
        ),
        ('[tests]\n"a" = { instance_ids = 1 }\n', "map.toml:2: 'a': unknown key 'instance_ids'"),
        (
            '[tests]\n"a" = { instance = { set = 1, id = 2 } }\n',
            "map.toml:2: 'a': instance = { set = S, id = I } goes with test_id",
        ),
        (
            '[tests]\n"a" = { display_id = 3, instance = { set = 1, id = 2 } }\n',
            "map.toml:2: 'a': instance = { set = S, id = I } goes with test_id",
        ),
        (
            '[tests]\n"a" = { test_id = 3, instance = { set = 1 } }\n',
            "map.toml:2: 'a': instance must be { set = S, id = I } (positive integers), "
            "got {'set': 1}",
        ),
        (
            '[tests]\n"a" = { instance_id = 1, name = "x" }\n',
            "map.toml:2: 'a': give exactly one of",
        ),
        (
            '[tests]\n"a" = { test_id = "12" }\n',
            "map.toml:2: 'a': test_id must be a positive integer, got '12'",
        ),
        (
            '[test]\n"a" = { test_id = 1 }\n',
            "map.toml:1: unknown section 'test'; put entries under [tests]",
        ),
        ("[tests\n", "map.toml:1: Expected ']'"),
    ],
)
def test_malformed_mapping_file_is_one_usage_error(
    pytester: pytest.Pytester, run: Run, content: str, message: str
) -> None:
    pytester.makepyfile("def test_x(): pass")
    pytester.path.joinpath("map.toml").write_text(content)
    result = run("--practitest-map=map.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1
    assert message in errors[0]
    assert "Traceback" not in result.stderr.str()


def test_mapping_file_load_unit(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[tests]\n"t.py::test_[ab]*" = { name = "literal bracket" }\n')
    mapping = MappingFile.load(path)
    assert mapping.lookup("t.py::test_[ab]x") is not None
    assert mapping.lookup("t.py::test_a") is None
    with pytest.raises(ConfigError, match="cannot read the mapping file"):
        MappingFile.load(tmp_path / "missing.toml")


def test_bad_marker_is_reported_and_the_result_still_goes_somewhere(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile("import pytest\n@pytest.mark.practitest(instance=1)\ndef test_x(): pass")
    result = run()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*warning: test_bad_marker*::test_x: marker: unknown key 'instance'*"]
    )
    assert (
        "test_bad_marker_is_reported_and_the_result_still_goes_somewhere.py::test_x"
        in runs_by_test(sim)
    )


def test_parametrized_one_instance_per_parameter_set(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_p="import pytest\n@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_n(n): assert n != 2"
    )
    run().assert_outcomes(passed=2, failed=1)
    grouped = runs_by_test(sim)
    assert {name: runs[0]["status"] for name, runs in grouped.items()} == {
        "test_p.py::test_n[1]": "PASSED",
        "test_p.py::test_n[2]": "FAILED",
        "test_p.py::test_n[3]": "PASSED",
    }


def test_parametrized_one_run_per_function(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_p="import pytest\n@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_n(n): assert n != 2\n"
        "def test_plain(): pass"
    )
    run("--practitest-parametrized=function").assert_outcomes(passed=3, failed=1)
    grouped = runs_by_test(sim)
    assert set(grouped) == {"test_p.py::test_n", "test_p.py::test_plain"}
    [run_n] = grouped["test_p.py::test_n"]
    assert run_n["status"] == "FAILED"
    assert step_runs(sim, run_n["id"]) == [("[1]", "PASSED"), ("[2]", "FAILED"), ("[3]", "PASSED")]
    assert (output(run_n) or "").startswith("[2] assert 2 != 2")


def test_create_missing_is_idempotent_across_runs(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_new="def test_a(): pass\ndef test_b(): pass")
    run().assert_outcomes(passed=2)
    run().assert_outcomes(passed=2)
    tests = count_by(sim.entities("tests"), "name")
    assert tests["test_new.py::test_a"] == 1
    assert tests["test_new.py::test_b"] == 1
    assert [len(r) for r in runs_by_test(sim).values()] == [2, 2]


def test_unmapped_without_create_missing_is_in_the_summary(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(test_u="def test_nowhere(): pass")
    result = run(create=False)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*PractiTest: 0 of 1 runs delivered*",
            "*PractiTest: rejected: test_u.py::test_nowhere: test 'test_u.py::test_nowhere' has no instance in test set 20000*",
            "PractiTest: 1 not delivered; kept in *; the 1 rejected is refused again by a plain "
            "resume: re-target it with practitest upload * --create-missing (an account token "
            "also needs --author-id), --set-id/--set-name (another set) or --map FILE (other "
            "tests)",
        ]
    )


def test_map_item_and_modify_record_hooks(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makeconftest(
        """
        import dataclasses, re
        from pytest_practitest.model import Target

        def pytest_practitest_map_item(item):
            found = re.search(r"PT-(\\d+)", item.function.__doc__ or "")
            return Target(instance_id=int(found.group(1))) if found else None

        def pytest_practitest_modify_record(record):
            return dataclasses.replace(record, version="build-77")
        """
    )
    pytester.makepyfile(
        test_hooks='''
        import pytest

        def test_tagged():
            """Checks the invoice. PT-300003"""

        @pytest.mark.practitest(name="Cart: add an item")
        def test_marker_still_applies_when_the_hook_defers():
            pass
        '''
    )
    run(create=False).assert_outcomes(passed=2)
    grouped = runs_by_test(sim)
    assert grouped["Checkout: pay by invoice"][0]["instance-id"] == 300003
    assert grouped["Cart: add an item"][0]["instance-id"] == 300000
    assert {r["version"] for r in sim.entities("runs")} == {"build-77"}


def test_node_ids_longer_than_255_characters_become_distinct_fitting_test_names(
    pytester: pytest.Pytester, run: Run, sim: Simulator
) -> None:
    pytester.makepyfile(
        test_long="""
        import pytest
        LONG = "x" * 300
        @pytest.mark.parametrize("value", [1, 2], ids=[LONG + "-a", LONG + "-b"])
        def test_p(value):
            pass
        """
    )
    run().assert_outcomes(passed=2)
    tests = {t["name"]: t for t in sim.entities("tests") if t["name"].startswith("test_long")}
    assert len(tests) == 2
    assert all(len(name) == 255 and "… #" in name for name in tests), list(tests)
    assert sorted(t["description"] for t in tests.values()) == [
        f"test_long.py::test_p[{'x' * 300}-a]",
        f"test_long.py::test_p[{'x' * 300}-b]",
    ]
    again = run()  # the next session finds the same tests: none created, two more runs
    again.stdout.fnmatch_lines(["PractiTest: 2 of 2 runs delivered*"])
    assert len([t for t in sim.entities("tests") if t["name"].startswith("test_long")]) == 2
    assert len(sim.entities("runs")) == 4
