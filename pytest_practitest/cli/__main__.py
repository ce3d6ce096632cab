"""``python -m pytest_practitest.cli``: the ``practitest`` command."""

import sys

from .main import main

sys.exit(main())
