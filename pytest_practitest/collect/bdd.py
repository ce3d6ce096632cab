"""pytest-bdd: each Gherkin step becomes a step run, without any code in the tests.

Registered only when pytest-bdd is loaded (its hooks would be unknown otherwise).
Steps after a failing one are listed as NO RUN, so the run shows the whole scenario.
"""

from __future__ import annotations

from typing import Any

from .steps import current


def _name(step: Any) -> str:
    return f"{step.keyword} {step.name}".strip()


class BddSteps:
    """pytest-bdd's step hooks; each takes only the arguments it uses (pluggy allows it)."""

    def pytest_bdd_after_step(self, step: Any) -> None:
        capture = current.get()
        if capture is not None:
            capture.steps.append({"name": _name(step), "status": "PASSED", "files": []})

    def pytest_bdd_step_error(self, scenario: Any, step: Any, exception: Exception) -> None:
        self._failed(scenario, step, f"{type(exception).__name__}: {exception}")

    def pytest_bdd_step_func_lookup_error(
        self, scenario: Any, step: Any, exception: Exception
    ) -> None:
        self._failed(scenario, step, f"no step definition: {exception}")

    @staticmethod
    def _failed(scenario: Any, step: Any, actual: str) -> None:
        capture = current.get()
        if capture is None:
            return
        capture.steps.append(
            {"name": _name(step), "status": "FAILED", "actual": actual[:1000], "files": []}
        )
        steps = list(getattr(scenario, "steps", []))
        if step in steps:
            for later in steps[steps.index(step) + 1 :]:
                capture.steps.append({"name": _name(later), "status": "NO RUN", "files": []})
