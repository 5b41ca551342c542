"""Every Python example in the docs runs as written (a page's blocks run in order)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from journals import fresh_schema

DOCS = Path(__file__).parent.parent / "docs"
PAGES = [
    page for page in sorted(DOCS.glob("*.md")) if "```python" in page.read_text(encoding="utf-8")
]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_examples_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The page's examples execute one after another without raising (``POSTGRES`` is a
    fresh schema's URL on the test server, for the pages that use it)."""
    monkeypatch.chdir(DOCS.parent)
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}", "TMP": str(tmp_path)}
    if "POSTGRES" in text:
        namespace["POSTGRES"] = fresh_schema(request.getfixturevalue("postgres_server"))
    for index, code in enumerate(blocks):
        exec(compile(code, f"{page.name} block {index}", "exec"), namespace)
    assert os.getcwd() == str(DOCS.parent)
