"""The numbers the PractiTest API v2 reference fixes, and the deadlines, in one place.

Everything that batches, pages, cuts text or paces calls takes its number from
here (the simulator keeps its own copy on purpose: it stands alone).
"""

from __future__ import annotations

#: runs.md: "Users can update 20 instances (maximum) with results by sending one request"
MAX_RUNS_PER_POST = 20
#: instances.md: "Users can create 20 instances (maximum) by sending one request"
MAX_INSTANCES_PER_POST = 20
#: pagination.md: page[size] is at most 100
PAGE_SIZE = 100
#: runs.md: automated-execution-output "up to 255 characters"; steps.md: step names too
MAX_TEXT = 255
#: index.md: more than 30 API calls a minute per account gets an error (429)
DEFAULT_RATE_LIMIT: tuple[int, float] = (30, 60.0)

#: Seconds each entry point gives delivery before it stops (``--deadline``,
#: ``PRACTITEST_DEADLINE`` or ini ``practitest_deadline`` replace it): pytest after its
#: last test; ``practitest upload`` for all it is given; ``import-junit``, a CI step of
#: its own, for its files (10,000 results take about 20 minutes at 30 calls a minute).
DEADLINES = {"pytest": 120.0, "upload": 900.0, "import-junit": 3600.0}
