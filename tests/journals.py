"""Helpers for tests of journals on either backend."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable

JournalUrl = Callable[[str], str]
"""Gives the URL of a new, empty journal (the argument tells journals apart)."""

_schemas = itertools.count(1)


def fresh_schema(server: str) -> str:
    """A URL whose tables live in a new, empty schema of ``server``."""
    import psycopg

    name = f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        db.execute(f"CREATE SCHEMA {name}")
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}options=-csearch_path%3D{name}"
