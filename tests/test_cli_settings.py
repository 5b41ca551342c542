"""Tests of the settings commands: ``deskcore validate`` and ``deskcore hours``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deskcore._cli import main

ROOT = Path(__file__).resolve().parent.parent
BERLIN = """
[working_hours]
enabled = true
timezone = "Europe/Berlin"

[working_hours.weekly]
mon = ["09:00-18:00"]
sat = ["22:00-06:00"]
"""
SEOUL = """
[working_hours]
enabled = true
timezone = "Asia/Seoul"

[working_hours.weekly]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]

[[working_hours.dates]]
rrule = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
hours = []

[[working_hours.dates]]
date = 2026-12-24
hours = ["09:00-13:00"]
"""
SAO_PAULO = """
[working_hours]
timezone = "America/Sao_Paulo"

[working_hours.weekly]
sun = ["00:00-02:00"]
"""
BROKEN = """
[queue]
max_concurent = 3
max_concurrent = 0

[working_hours]
timezone = "europe/berlin"

[working_hours.weekly]
mon = ["09:00-12:00", "13:00-13:00"]
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    """Write ``text`` to ``tmp_path / name`` and return the path as a string."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Run the command line; return its status and its stdout and stderr lines."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


def hours(capsys: pytest.CaptureFixture[str], path: str, at: str) -> dict[str, object]:
    """The JSON answer of ``deskcore hours PATH --at AT`` (which must succeed)."""
    status, out, err = run(capsys, "hours", path, "--at", at)
    assert (status, err, len(out)) == (0, [], 1)
    answer: dict[str, object] = json.loads(out[0])
    return answer


class TestValidate:
    """deskcore validate FILE...: one line per file or per fault, and an exit status."""

    def test_ok(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Valid files print 'FILE: ok' and exit 0."""
        first = write(tmp_path, "a.toml", BERLIN)
        second = write(tmp_path, "b.json", '{"queue": {"max_concurrent": 2}}')
        assert run(capsys, "validate", first, second) == (
            0,
            [f"{first}: ok", f"{second}: ok"],
            [],
        )

    def test_faults(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Each fault prints one line 'FILE: path: message' and the status is 1."""
        path = write(tmp_path, "broken.toml", BROKEN)
        assert run(capsys, "validate", path) == (
            1,
            [
                f"{path}: queue.max_concurent: unknown key (did you mean 'max_concurrent'?)",
                f"{path}: queue.max_concurrent: must be >= 1, got 0",
                f"{path}: working_hours.timezone: must be an IANA time zone name, "
                "got 'europe/berlin' (did you mean 'Europe/Berlin'?)",
                f"{path}: working_hours.weekly.mon[1]: start and end are equal: '13:00-13:00'",
            ],
            [],
        )

    def test_mixed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Every file is checked, in order; one bad file makes the status 1."""
        good = write(tmp_path, "good.toml", "")
        bad = write(tmp_path, "bad.json", '{"service": {"break_on_timeout": "false"}}')
        assert run(capsys, "validate", bad, good) == (
            1,
            [
                f"{bad}: service.break_on_timeout: must be true or false, got 'false' (a string)",
                f"{good}: ok",
            ],
            [],
        )

    def test_syntax_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A file that is not TOML is one fault line without a path, and status 1."""
        path = write(tmp_path, "desk.toml", "[queue\n")
        status, out, err = run(capsys, "validate", path)
        assert (status, err) == (1, [])
        assert out == [
            f"{path}: not valid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 7)"
        ]

    def test_unreadable(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A file that cannot be read is named on stderr and makes the status 2."""
        missing = str(tmp_path / "missing.toml")
        bad = write(tmp_path, "bad.toml", "[queue]\nmax_concurrent = 0\n")
        good = write(tmp_path, "good.toml", "")
        assert run(capsys, "validate", missing, bad, good, str(tmp_path)) == (
            2,
            [f"{bad}: queue.max_concurrent: must be >= 1, got 0", f"{good}: ok"],
            [
                f"{missing}: cannot read: No such file or directory",
                f"{tmp_path}: cannot read: Is a directory",
            ],
        )

    def test_not_utf8(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A file that is not UTF-8 is a fault of the document (status 1), not a crash."""
        path = tmp_path / "desk.toml"
        path.write_bytes(b"\xff\xfe")
        status, out, _ = run(capsys, "validate", str(path))
        assert status == 1
        assert out[0].startswith(f"{path}: not UTF-8 text: ")

    def test_example_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        """examples/desk.toml is a valid desk."""
        path = str(ROOT / "examples" / "desk.toml")
        assert run(capsys, "validate", path) == (0, [f"{path}: ok"], [])

    def test_entry_point(self, tmp_path: Path) -> None:
        """python -m deskcore validate prints the same lines and exits with the status."""
        path = write(tmp_path, "desk.toml", "[ratings]\nscale = 11\n")
        result = subprocess.run(
            [sys.executable, "-m", "deskcore", "validate", path],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONTZPATH": ""},
            check=False,
        )
        assert (result.returncode, result.stdout) == (
            1,
            f"{path}: ratings.scale: must be <= 10, got 11\n",
        )


class TestHours:
    """deskcore hours FILE --at INSTANT: open, next opening and closing in the desk's zone."""

    def test_overnight_across_spring_forward(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A Saturday 22:00-06:00 range spans the short DST night and closes at 06:00 CEST."""
        path = write(tmp_path, "berlin.toml", BERLIN)
        assert hours(capsys, path, "2026-03-28T23:00:00+01:00") == {
            "open": True,
            "next_open": "2026-03-30T09:00:00+02:00",
            "next_close": "2026-03-29T06:00:00+02:00",
        }
        # 03:30 UTC is 05:30 CEST: still open, an hour 'earlier' in UTC than in winter.
        assert hours(capsys, path, "2026-03-29T03:30:00Z")["open"] is True
        assert hours(capsys, path, "2026-03-29T04:00:00Z") == {
            "open": False,
            "next_open": "2026-03-30T09:00:00+02:00",
            "next_close": "2026-03-29T06:00:00+02:00",
        }

    def test_overnight_across_fall_back(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """On the long DST night the overnight range closes at 06:00 CET, 9 hours on."""
        path = write(tmp_path, "berlin.toml", BERLIN)
        assert hours(capsys, path, "2026-10-24T20:30:00Z") == {
            "open": True,
            "next_open": "2026-10-26T09:00:00+01:00",
            "next_close": "2026-10-25T06:00:00+01:00",
        }
        assert hours(capsys, path, "2026-10-25T04:59:00Z")["open"] is True
        assert hours(capsys, path, "2026-10-25T05:00:00Z")["open"] is False

    def test_opening_edge(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """At the very start of a range the desk is open and that instant is the next opening."""
        path = write(tmp_path, "berlin.toml", BERLIN)
        assert hours(capsys, path, "2026-03-28T21:00:00Z") == {
            "open": True,
            "next_open": "2026-03-28T22:00:00+01:00",
            "next_close": "2026-03-29T06:00:00+02:00",
        }

    def test_holiday_rrule(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Christmas (an rrule) is closed in Seoul; instants print in +09:00 whatever --at uses."""
        path = write(tmp_path, "seoul.toml", SEOUL)
        expected = {
            "open": False,
            "next_open": "2026-12-28T09:00:00+09:00",
            "next_close": "2026-12-28T18:00:00+09:00",
        }
        assert hours(capsys, path, "2026-12-25T10:00:00+09:00") == expected
        assert hours(capsys, path, "2026-12-25T01:00:00Z") == expected

    def test_date_override(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Christmas Eve (a date override) closes at 13:00 instead of 18:00."""
        path = write(tmp_path, "seoul.toml", SEOUL)
        assert hours(capsys, path, "2026-12-24T12:59:00+09:00") == {
            "open": True,
            "next_open": "2026-12-28T09:00:00+09:00",
            "next_close": "2026-12-24T13:00:00+09:00",
        }
        assert hours(capsys, path, "2026-12-24T13:00:00+09:00")["open"] is False

    def test_dst_gap_start(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A range starting in a DST gap (Sao Paulo, 2018) opens when the gap ends."""
        path = write(tmp_path, "sp.toml", SAO_PAULO)
        assert hours(capsys, path, "2018-11-04T02:59:00Z") == {
            "open": False,
            "next_open": "2018-11-04T01:00:00-02:00",
            "next_close": "2018-11-04T02:00:00-02:00",
        }
        assert hours(capsys, path, "2018-11-04T03:30:00Z")["open"] is True

    def test_never_open(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A desk with no hours has no next opening or closing (JSON null)."""
        path = write(tmp_path, "closed.json", '{"working_hours": {"weekly": {}}}')
        assert hours(capsys, path, "2026-03-02T09:00:00Z") == {
            "open": False,
            "next_open": None,
            "next_close": None,
        }

    def test_now(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Without --at the command answers for the current instant."""
        path = write(tmp_path, "desk.toml", "")
        status, out, _ = run(capsys, "hours", path)
        assert status == 0
        assert set(json.loads(out[0])) == {"open", "next_open", "next_close"}

    @pytest.mark.parametrize(
        ("at", "message"),
        [
            (
                "2026-03-02T09:00:00",
                "--at: instant '2026-03-02T09:00:00' has no offset "
                "(write e.g. '2026-03-02T09:00:00Z')",
            ),
            (
                "yesterday",
                "--at: must be an ISO 8601 instant with an offset, like "
                "'2026-03-02T09:00:00Z', got 'yesterday'",
            ),
        ],
    )
    def test_bad_at(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], at: str, message: str
    ) -> None:
        """A naive or unreadable --at is refused with status 2."""
        path = write(tmp_path, "desk.toml", "")
        assert run(capsys, "hours", path, "--at", at) == (2, [], [message])

    def test_broken_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Invalid settings print their faults on stderr with status 2."""
        path = write(tmp_path, "desk.toml", "[queue]\nmax_concurrent = 0\n")
        assert run(capsys, "hours", path, "--at", "2026-03-02T09:00:00Z") == (
            2,
            [],
            [f"{path}: queue.max_concurrent: must be >= 1, got 0"],
        )

    def test_missing_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A file that cannot be read gives status 2."""
        path = str(tmp_path / "missing.toml")
        assert run(capsys, "hours", path, "--at", "2026-03-02T09:00:00Z") == (
            2,
            [],
            [f"{path}: cannot read: No such file or directory"],
        )
