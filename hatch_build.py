"""The optional compiled build: ``DESKCORE_COMPILE=1 pip install .`` compiles the engine's
modules with mypyc.

Without the variable (or with it empty or ``0``) the wheel is pure Python, as always. With
it, the modules listed under ``[tool.hatch.build.targets.wheel.hooks.custom]`` in
``pyproject.toml`` are compiled to C extensions, which the wheel carries beside their
sources (Python imports an extension before a source of the same name). The modules
compiled hold no public names: a compiled class or function loses its docstring.
An editable install is never compiled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent


def wanted() -> bool:
    """Whether this build compiles (``DESKCORE_COMPILE`` set and not ``0``)."""
    return os.environ.get("DESKCORE_COMPILE", "").strip() not in ("", "0")


class CompileHook(BuildHookInterface):  # type: ignore[misc]
    """Compiles the listed modules into the wheel when :func:`wanted`."""

    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        """What the build needs to compile: mypyc (part of mypy), setuptools for its C
        builds, and the packages and stubs the modules are type-checked with."""
        if not wanted():
            return []
        tools = ["mypy>=1.10", "setuptools>=70", "types-python-dateutil", "sortedcontainers-stubs"]
        return [*tools, *self.metadata.core.dependencies]

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile into a scratch copy of the sources; put the extensions in the wheel."""
        if not wanted() or self.target_name != "wheel" or version == "editable":
            return
        modules: list[str] = self.config.get("modules", [])
        if not modules:
            raise RuntimeError("DESKCORE_COMPILE: no modules listed to compile")
        self._scratch = Path(tempfile.mkdtemp(prefix="deskcore-mypyc-"))
        try:
            built = self._compile(modules, self._scratch / "src")
        except BaseException:
            shutil.rmtree(self._scratch, ignore_errors=True)
            raise
        source = self._scratch / "src"
        for path in built:
            build_data["force_include"][str(path)] = str(path.relative_to(source))
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    @staticmethod
    def _compile(modules: list[str], source: Path) -> list[Path]:
        """Compile ``modules`` in a copy of the sources at ``source``; the extensions
        beside their sources and mypyc's shared library at the top (not setuptools' own
        copies under ``build/``)."""
        shutil.copytree(ROOT / "src", source)
        files = [str(Path(*module.split(".")).with_suffix(".py")) for module in modules]
        # Optional extras (matplotlib, psycopg) are not installed for the build.
        command = [sys.executable, "-m", "mypyc", "--strict", "--ignore-missing-imports", *files]
        done = subprocess.run(command, cwd=source, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"DESKCORE_COMPILE: mypyc failed\n{done.stdout}{done.stderr}")
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        built = [*source.glob(f"*{suffix}"), *(source / "deskcore").rglob(f"*{suffix}")]
        if not built:
            raise RuntimeError("DESKCORE_COMPILE: mypyc built no extension")
        return sorted(built)

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the scratch copy."""
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
