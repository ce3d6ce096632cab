"""The numbers the PractiTest API v2 reference fixes, in one place.

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
