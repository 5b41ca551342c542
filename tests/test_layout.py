"""The package's layout: imports point one way, nobody reaches into another module's private
names, modules stay small, and the public namespaces hold what they should.

Read from the source with ``ast`` (nothing is imported), so the checks see function-level
and ``TYPE_CHECKING`` imports too.
"""

from __future__ import annotations

import ast
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

import deskcore
import deskcore.aio
import deskcore.journal
import deskcore.sim
import deskcore.testing

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "deskcore"
MAX_LINES = 700
MODULES = frozenset(path.stem for path in PACKAGE.rglob("_*.py"))  # `from . import _codec`
# Private names of the standard library that it offers no public name for.
STANDARD = frozenset({"_SubParsersAction"})


def module_name(path: Path) -> str:
    """The dotted name of a module file under ``src``."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, ast.Module]:
    """Every module of the package, parsed, by dotted name."""
    return {
        module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def imported(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package modules that module ``name`` imports, anywhere in its code."""
    package = name if name in known and _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base in known:
                found.add(base)
            for alias in node.names:  # `from . import _erlang`
                if f"{base}.{alias.name}" in known:
                    found.add(f"{base}.{alias.name}")
    found.discard(name)
    return found


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").exists()


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, as a path that ends where it starts, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def import_graph() -> dict[str, set[str]]:
    """The package's import graph; a package's ``__init__`` is left out (it only
    re-exports, and every submodule import passes through it)."""
    modules = package_modules()
    known = set(modules)
    return {
        name: {target for target in imported(name, tree, known) if not _is_package(target)}
        for name, tree in modules.items()
        if not _is_package(name)
    }


class TestImports:
    """Arrows point down: no module imports one that imports it back."""

    def test_no_cycles(self) -> None:
        """The package's import graph has no cycle."""
        assert find_cycle(import_graph()) is None

    def test_the_check_finds_a_cycle(self) -> None:
        """A graph with a loop is reported with the loop's path."""
        graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
        assert find_cycle(graph) == ["a", "b", "c", "a"]
        assert find_cycle({"a": {"b"}, "b": set()}) is None

    def test_core_does_not_import_the_simulator(self) -> None:
        """Only the command line and the simulator itself import deskcore.sim."""
        for name, targets in import_graph().items():
            if name.startswith("deskcore.sim") or name == "deskcore._cli":
                continue
            assert not {t for t in targets if t.startswith("deskcore.sim")}, name


def own_names(tree: ast.Module) -> set[str]:
    """Every name a module defines or assigns anywhere (functions, classes, attributes of
    ``self`` and others, keywords of ``__slots__``), which its own code may use."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # __slots__ entries, attrs field names
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def private_reach(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """``(line, what)`` for each use of another module's private name: ``x._name`` where
    the module itself defines no ``_name``, and ``from m import _name``."""
    own = own_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = node.attr
            private = name.startswith("_") and not name.startswith("__")
            if private and name not in own and name not in STANDARD:
                yield node.lineno, f".{name}"
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__") and name not in MODULES:
                    yield node.lineno, f"from {node.module} import {name}"


def checked_files() -> list[Path]:
    """The package, the tests, the benchmarks and the examples."""
    folders = (PACKAGE, ROOT / "tests", ROOT / "benchmarks", ROOT / "examples")
    return [path for folder in folders for path in sorted(folder.rglob("*.py"))]


class TestPrivateNames:
    """No module reaches a private name that another module owns."""

    @pytest.mark.parametrize("path", checked_files(), ids=lambda p: str(p.relative_to(ROOT)))
    def test_no_private_reach(self, path: Path) -> None:
        """Every ``_name`` a file uses is one it defines itself."""
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert list(private_reach(tree)) == []

    def test_the_check_finds_reach(self) -> None:
        """An attribute or an import of someone else's private name is reported."""
        tree = ast.parse(
            "from deskcore._engine import _helper\n"
            "def f(desk):\n"
            "    self_made = desk._own\n"
            "    desk._own = 1\n"
            "    return desk._engine.rooms\n"
        )
        assert list(private_reach(tree)) == [
            (1, "from deskcore._engine import _helper"),
            (5, "._engine"),
        ]


class TestModuleSizes:
    """One concept per module: none grows past about 700 lines."""

    @pytest.mark.parametrize(
        "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
    )
    def test_small(self, path: Path) -> None:
        """The module has at most 700 lines."""
        assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


class TestNamespaces:
    """The top level holds the desk's vocabulary; the simulator's lives in deskcore.sim."""

    SIMULATOR = frozenset(
        {
            "Agents",
            "Arrivals",
            "DistributionKind",
            "ErlangAResult",
            "ErlangCResult",
            "Handling",
            "RatingBehaviour",
            "Report",
            "Routing",
            "Simulation",
            "Team",
            "Timing",
            "Users",
            "Workload",
            "erlang_a",
            "erlang_b",
            "erlang_c",
            "load_workload",
            "simulate",
            "HourStaffing",
            "Replications",
            "Staffing",
            "Target",
            "parse_target",
            "replicate",
            "replication_seed",
            "size",
            "t_quantile",
        }
    )

    def test_simulator_names_in_sim_only(self) -> None:
        """Every simulator name is exported by deskcore.sim and none by deskcore."""
        assert set(deskcore.sim.__all__) == self.SIMULATOR
        assert not self.SIMULATOR & set(deskcore.__all__)

    @pytest.mark.parametrize(
        "module",
        [deskcore, deskcore.sim, deskcore.testing, deskcore.journal, deskcore.aio],
        ids=lambda m: m.__name__,
    )
    def test_every_export_exists_and_is_documented(self, module: object) -> None:
        """Each name in ``__all__`` is there and has a docstring (or is a plain value); a
        type alias, which cannot carry one at run time, is described in docs/api.md."""
        api = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text()
        for name in module.__all__:  # type: ignore[attr-defined]
            value = getattr(module, name)
            if typing.get_origin(value) is not None or isinstance(value, types.UnionType):
                assert f"`{name}`" in api or f".{name}" in api, name
            elif callable(value):
                assert value.__doc__, name
