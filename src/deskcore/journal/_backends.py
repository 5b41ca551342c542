"""Which backend a journal URL names."""

from __future__ import annotations

from ._store import Durability, JournalError, Store

__all__ = ["open_store"]


def open_store(url: str, desk: str, durability: Durability, *, create: bool = True) -> Store:
    """The store of desk ``desk`` at ``url``: ``sqlite:///PATH`` or ``postgresql://…``
    (also ``postgres://…``, which needs the ``postgres`` extra)."""
    if durability not in ("process", "power"):
        raise JournalError(f"durability must be 'process' or 'power', got {durability!r}")
    if not isinstance(desk, str) or not desk:
        raise JournalError(f"a desk's name is a non-empty string, got {desk!r}")
    if isinstance(url, str) and url.startswith(("postgresql://", "postgres://")):
        from ._postgres import PostgresStore

        return PostgresStore(url, desk, create=create)
    from ._sqlite import SQLiteStore

    return SQLiteStore(url, desk, durability, create=create)
