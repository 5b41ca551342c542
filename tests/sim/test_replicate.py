"""Replications: independent days in parallel, means and 95% intervals that cover the
queueing-theory answer as often as they should."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from deskcore import DeskSettings, QueueSettings
from deskcore._cli import main
from deskcore.sim import Workload, erlang_c, replicate, replication_seed, t_quantile

MMC = DeskSettings(queue=QueueSettings(max_concurrent=1))


def _workload(agents: int, rate: float, hours: float) -> Workload:
    return Workload.simple(
        agents=agents,
        arrival_rate=rate,
        handle_time=timedelta(minutes=3),
        hours=hours,
        warmup=timedelta(hours=1),
    )


def test_the_result_does_not_depend_on_the_jobs() -> None:
    workload = _workload(3, 40, 2)
    alone = replicate(MMC, workload, 4, seed=5, jobs=1)
    shared = replicate(MMC, workload, 4, seed=5, jobs=2)
    assert alone.runs == shared.runs
    assert alone.summary == shared.summary
    assert replicate(MMC, workload, 4, seed=6).runs != alone.runs
    assert replication_seed(5, 0) != replication_seed(5, 1)


def test_later_days_add_to_earlier_ones() -> None:
    """``first`` runs the days after those already run, as one call would have."""
    workload = _workload(3, 40, 2)
    whole = replicate(MMC, workload, 3, seed=5)
    assert replicate(MMC, workload, 1, seed=5, first=2).runs == whole.runs[2:]
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="first must be an integer >= 0"):
            replicate(MMC, workload, 1, first=bad)  # type: ignore[arg-type]


def test_each_figure_has_its_mean_and_interval() -> None:
    done = replicate(MMC, _workload(3, 40, 2), 5, seed=2)
    data = done.to_json()
    assert data["replications"] == 5 and data["seed"] == 2
    waits = [run["wait_mean_s"] for run in done.runs]
    assert data["wait_mean_s"] == pytest.approx(sum(waits) / 5)
    low, high = data["wait_mean_s_ci"]
    assert low < data["wait_mean_s"] < high
    assert data["closes_ci"]["ended_by_agent"][0] <= data["closes"]["ended_by_agent"]
    assert "finished" not in data and data["start"] == done.runs[0]["start"]
    assert data["rating_mean"] is None and data["rating_mean_ci"] is None
    assert "mean wait" in done.format()
    one = replicate(MMC, _workload(3, 40, 2), 1).summary
    assert one["wait_mean_s_ci"] is None


def test_intervals_cover_erlang_c() -> None:
    """25 experiments of 5 days each (M/M/10 at load 0.8, 8 hours after an hour's
    warm-up): the 95% interval of the mean wait holds Erlang C's mean wait in most of
    them. Intervals as narrow as a normal one on a single day's spread would not."""
    theory = erlang_c(agents=10, arrival_rate=160 / 3600, mean_handle_time=180).mean_wait
    workload = _workload(10, 160, 8)
    covered = 0
    widths = []
    for experiment in range(25):
        low, high = replicate(MMC, workload, 5, seed=1000 + experiment).summary["wait_mean_s_ci"]
        covered += low <= theory <= high
        widths.append(high - low)
    assert covered >= 20, covered  # about 95% expected; 20 of 25 is far in the tail
    assert sorted(widths)[12] < 2 * theory  # and the intervals are informative


def test_t_quantiles() -> None:
    assert t_quantile(1) == 12.706
    assert t_quantile(30) == 2.042
    assert t_quantile(31) == pytest.approx(2.040, abs=0.001)
    assert t_quantile(120) == pytest.approx(1.980, abs=0.001)
    with pytest.raises(ValueError, match="degrees"):
        t_quantile(0)
    with pytest.raises(ValueError, match="replications"):
        replicate(MMC, _workload(1, 1, 2), 0)
    with pytest.raises(ValueError, match="jobs"):
        replicate(MMC, _workload(1, 1, 2), 2, jobs=0)


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["simulate", "--agents", "3", "--arrival-rate", "40", "--handle-time", "3m"]
    flags += ["--hours", "2", "--quiet", "--replications", "3", "--jobs", "2"]
    assert main([*flags, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["replications"] == 3 and len(data["wait_mean_s_ci"]) == 2
    assert main(flags) == 0
    assert "3 replications (seed 1)" in capsys.readouterr().out
    assert main([*flags, "--plot", "x.png"]) == 2
    assert "--plot draws one run" in capsys.readouterr().err
