"""A websocket chat server on deskcore's runner and SQLite journal (see server.py)."""
