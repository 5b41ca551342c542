"""A desk that survives its host: an event journal with snapshots, on SQLite or
PostgreSQL.

:class:`DurableDesk` journals every event (and settings change) before it returns the
actions, keeps snapshots every so many entries or so much desk time, and recovers on
open to exactly the state it had. Several processes may share one desk: the database
orders their events and each process catches up before it applies its own.
``deskcore journal show|verify|export URL`` reads a journal from the command line.
"""

from __future__ import annotations

from ._durable import DurableDesk, JournalSettings
from ._sqlite import path_of
from ._store import Durability, JournalError

__all__ = ["Durability", "DurableDesk", "JournalError", "JournalSettings", "path_of"]
