"""``python -m examples.chat_server``: run the chat server."""

import sys

from .server import main

sys.exit(main())
