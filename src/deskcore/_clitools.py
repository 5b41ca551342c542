"""Helpers shared by the command-line modules: reading a file and reporting its faults."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from ._errors import SettingsError

__all__ = ["load_file", "print_faults"]

T = TypeVar("T")


def print_faults(name: str, exc: SettingsError, out: TextIO) -> None:
    """One line ``FILE: path: message`` per fault (``FILE: message`` for the whole file)."""
    for path, message in exc.errors:
        print(f"{name}: {path}: {message}" if path else f"{name}: {message}", file=out)


def load_file(load: Callable[[Path], T], name: str) -> T | None:
    """``load(Path(name))``; on a fault print it to stderr and return ``None`` (exit 2)."""
    try:
        return load(Path(name))
    except OSError as exc:
        print(f"{name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
    except SettingsError as exc:
        print_faults(name, exc, sys.stderr)
    return None
