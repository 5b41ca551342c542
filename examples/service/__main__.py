"""``python -m examples.service --settings examples/desk.toml --port 8080``."""

from __future__ import annotations

import sys

from examples.service.app import main

sys.exit(main())
