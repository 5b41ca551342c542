"""User mistakes on the command line: one clear line on stderr, a status, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskcore._cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "scenarios" / "own" / "01-reentry-keeps-place.json"


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["validate", "{folder}"], 2, "cannot read"),
        (["hours", "{folder}"], 2, "cannot read"),
        (["hours", str(ROOT / "examples" / "desk.toml"), "--at", "soon"], 2, "--at: must be"),
        (["replay", "{folder}"], 2, "cannot read"),
        (["replay", "{bad}"], 2, "not readable JSON"),
        (["replay", str(SCENARIO), "--settings", "{folder}/none.toml"], 2, "none.toml: cannot"),
        (["replay", str(SCENARIO), "--write-expect", "{folder}/no/such/x.json"], 2, "x.json"),
        (["check", "{folder}/none"], 2, "cannot read"),
        (["check", "{folder}"], 2, "no scenario files found"),
        (["simulate", "{bad}"], 2, "not valid JSON"),
        (["schema", "events"], 2, "invalid choice"),
    ],
)
def test_mistake_is_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, says: str
) -> None:
    """Each mistake ends with its status and a message naming what is wrong."""
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    args = [arg.format(folder=tmp_path / "empty", bad=bad) for arg in argv]
    (tmp_path / "empty").mkdir()
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert code == status, captured
    assert says in captured.err + captured.out
    assert "Traceback" not in captured.err
