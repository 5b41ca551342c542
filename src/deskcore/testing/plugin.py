"""The pytest plugin of deskcore, registered under the ``pytest11`` entry point.

Fixtures:

- ``desk_settings``: the settings of the other two, ``DeskSettings()`` unless a test
  module or ``conftest.py`` overrides the fixture;
- ``desk``: a new :class:`~deskcore.Desk` with them;
- ``desk_driver``: a new :class:`~deskcore.testing.DeskDriver` with them.

Scenario files: every ``*.json`` under the folders that the ini option ``desk_scenarios``
(relative to the ini file) or the command-line option ``--desk-scenarios PATH`` names is
collected as one test, which runs the scenario as ``deskcore check`` does and fails with
its field-level differences.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .._desk import Desk
from .._replay import check_scenario
from .._scenario import ScenarioError, load_scenario
from .._settings import DeskSettings
from ._driver import DeskDriver

__all__ = [
    "ScenarioFailure",
    "ScenarioFile",
    "ScenarioItem",
    "desk",
    "desk_driver",
    "desk_settings",
    "pytest_addoption",
    "pytest_collect_file",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini option ``desk_scenarios`` and the option ``--desk-scenarios``."""
    parser.addini(
        "desk_scenarios",
        type="paths",
        default=[],
        help="folders (or files) of deskcore scenario files to collect as tests",
    )
    parser.getgroup("deskcore").addoption(
        "--desk-scenarios",
        action="append",
        default=[],
        metavar="PATH",
        help="a folder (or file) of deskcore scenario files to collect as tests",
    )


def _roots(config: pytest.Config) -> list[Path]:
    roots = [Path(path).resolve() for path in config.getini("desk_scenarios")]
    roots += [Path(path).resolve() for path in config.getoption("desk_scenarios") or []]
    return roots


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A ``*.json`` file under a scenario folder becomes a :class:`ScenarioFile`."""
    if file_path.suffix != ".json":
        return None
    path = file_path.resolve()
    if any(path == root or root in path.parents for root in _roots(parent.config)):
        collected: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
        return collected
    return None


class ScenarioFailure(Exception):
    """A scenario fell short of its ``expect`` blocks, or could not be read."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ScenarioFile(pytest.File):
    """A scenario file: one test, named after the file."""

    def collect(self) -> Iterator[ScenarioItem]:
        """The scenario's one test item."""
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    """Runs one scenario file as ``deskcore check`` does."""

    def runtest(self) -> None:
        """Load and check the scenario; raise :class:`ScenarioFailure` when it falls short."""
        try:
            scenario = load_scenario(self.path)
        except ScenarioError as exc:
            raise ScenarioFailure(
                [f"{place}: {message}" if place else message for place, message in exc.errors]
            ) from None
        problems = check_scenario(scenario)
        if problems:
            raise ScenarioFailure([f"scenario: {scenario.name}", *problems])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The scenario's problems, a line each, instead of a traceback."""
        if isinstance(excinfo.value, ScenarioFailure):
            return "\n".join(excinfo.value.problems)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the test comes from, for pytest's report."""
        return self.path, 0, f"scenario {self.name}"


@pytest.fixture
def desk_settings() -> DeskSettings:
    """The settings of ``desk`` and ``desk_driver``; override this fixture to change them."""
    return DeskSettings()


@pytest.fixture
def desk(desk_settings: DeskSettings) -> Desk:
    """A new desk with ``desk_settings``."""
    return Desk(desk_settings)


@pytest.fixture
def desk_driver(desk_settings: DeskSettings) -> DeskDriver:
    """A new :class:`~deskcore.testing.DeskDriver` with ``desk_settings``."""
    return DeskDriver(desk_settings)
