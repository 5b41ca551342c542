"""The optional compiled build: which modules it compiles, and that it acts as the pure one.

``make test`` runs this suite on the pure build, ``make test-compiled`` on the compiled
one (``DESKCORE_COMPILE=1 pip install .`` into its own environment, with
``DESKCORE_EXPECT_COMPILED=1``). Both compare the simulator's reports for fixed seeds with
the same stored figures, so the two builds give the same reports; the scenario files
compare their actions event by event.

Regenerate the stored figures (after a change that moves them on purpose) with
``DESKCORE_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_build.py``.
"""

from __future__ import annotations

import importlib
import json
import os
import tomllib
from datetime import timedelta
from pathlib import Path
from random import Random
from typing import Any

import pytest

import deskcore
import deskcore.aio
import deskcore.journal
import deskcore.sim
import deskcore.testing
from deskcore import DeskSettings, QueueSettings, load_settings
from deskcore.sim import Workload, load_workload, simulate

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden_reports.json"
PUBLIC = [deskcore, deskcore.sim, deskcore.testing, deskcore.journal, deskcore.aio]


def compiled_modules() -> list[str]:
    """The modules the compiled build compiles, as pyproject.toml lists them."""
    document = tomllib.loads((ROOT / "pyproject.toml").read_text())
    hook = document["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["custom"]
    modules: list[str] = hook["modules"]
    return modules


class TestCompiledModules:
    def test_this_build_is_the_one_expected(self) -> None:
        """Under ``DESKCORE_EXPECT_COMPILED=1`` every listed module is an extension, else
        none is: a compiled run cannot silently test the pure build."""
        expected = os.environ.get("DESKCORE_EXPECT_COMPILED") == "1"
        assert deskcore.COMPILED is expected
        for name in compiled_modules():
            path = importlib.import_module(name).__file__
            assert path is not None
            assert path.endswith(".py") is not expected, (name, path)

    def test_listed_modules_exist_and_hold_no_public_name(self) -> None:
        """A compiled class or function loses its docstring, so no public name may be
        defined in a compiled module."""
        modules = compiled_modules()
        assert modules == sorted(modules)
        for name in modules:
            importlib.import_module(name)
        for namespace in PUBLIC:
            for name in namespace.__all__:
                value = getattr(namespace, name)
                home = getattr(value, "__module__", None)
                assert home not in modules, f"{namespace.__name__}.{name} is defined in {home}"


# -- the same reports for fixed seeds -------------------------------------------------------


def _runs() -> dict[str, tuple[DeskSettings, Workload, int]]:
    """Desks and workloads that between them use most of the engine."""
    example = load_settings(ROOT / "examples" / "desk.toml")
    workload = load_workload(ROOT / "examples" / "workload.toml")
    mmc = Workload.simple(agents=20, arrival_rate=200, handle_time=timedelta(minutes=5), hours=2)
    manual = load_settings(
        {
            "service": {"mode": "manual", "accept_timeout": "20s"},
            "queue": {"max_concurrent": 2, "update_interval": "30s", "max_wait": "10m"},
            "closure": {"user_timeout": "5m", "reminder": "3m"},
            "ratings": {"send_on_end": True},
        }
    )
    busy = load_workload(
        {
            "length": "3h",
            "arrivals": {"rate": 150},
            "users": {"patience": "4m", "reply_delay": "40s", "silent": 0.1},
            "handling": {"time": {"mean": "6m"}, "messages": 3, "transfers": 0.1},
            "agents": {
                "count": 8,
                "missed": 0.15,
                "declined": 0.05,
                "dropouts": 0.5,
                "accept_delay": "6s",
            },
            "ratings": {"respond": 0.5},
        }
    )
    return {
        "example": (example, workload, 3),
        "mmc": (DeskSettings(queue=QueueSettings(max_concurrent=1)), mmc, 5),
        "manual": (manual, busy, 8),
    }


def _figures() -> dict[str, Any]:
    return {
        name: simulate(settings, workload, Random(seed)).to_json()
        for name, (settings, workload, seed) in _runs().items()
    }


def test_reports_for_fixed_seeds_are_the_stored_ones() -> None:
    """The simulator's reports for fixed seeds, to the last figure, are those stored
    (made with the pure build): the compiled build must give the very same."""
    figures = json.loads(json.dumps(_figures()))
    if os.environ.get("DESKCORE_WRITE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    stored = json.loads(GOLDEN.read_text())
    assert figures.keys() == stored.keys()
    for name in figures:
        assert figures[name] == stored[name], name
    assert all(stored[name]["served"] > 0 for name in stored)


@pytest.mark.parametrize("name", ["example", "mmc", "manual"])
def test_runs_use_the_rules_they_are_meant_to(name: str) -> None:
    """Each stored run exercises its part of the engine (so the comparison means something)."""
    stored = json.loads(GOLDEN.read_text())[name]
    if name == "manual":
        assert stored["offers"] > stored["served"]  # missed and declined offers
        assert stored["transfers"] > 0 and stored["abandoned"] > 0
        assert sum(stored["closes"].values()) > 0
    assert stored["requests"] > 100
