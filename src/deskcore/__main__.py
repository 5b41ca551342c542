"""``python -m deskcore``: the same as the ``deskcore`` command."""

import sys

from ._cli import main

sys.exit(main())
