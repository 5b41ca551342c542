"""Tests for deskcore.sim._erlang: Erlang B, C and A against independent numeric references.

The reference for Erlang C and Erlang A is the birth-death chain of M/M/c+M (theta = 0 for
Erlang C) truncated where its tail is negligible, solved by direct products; service levels
are checked against the same chain combined with the waiting-time distribution of a tagged
arrival (a Poisson sum for Erlang C, uniformization for Erlang A). Every published value
asserted below is also recomputed from such a reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskcore.sim import _erlang
from deskcore.sim._erlang import (
    ErlangAResult,
    ErlangCResult,
    erlang_a,
    erlang_b,
    erlang_c,
)

RELATIVE = 1e-9

# ------------------------------------------------------------------------------ references


@dataclass(frozen=True)
class ChainReference:
    """Steady state of the truncated birth-death chain of M/M/c+M."""

    distribution: tuple[float, ...]
    probability_of_waiting: float
    probability_of_abandonment: float
    mean_wait: float
    utilisation: float


_SCALE = 2.0**600


def birth_death(
    agents: int, arrival_rate: float, mean_handle_time: float, mean_patience: float | None
) -> ChainReference:
    """Solve the M/M/c+M chain (M/M/c when ``mean_patience`` is None) by direct products."""
    mu = 1.0 / mean_handle_time
    theta = 0.0 if mean_patience is None else 1.0 / mean_patience
    weights = [1.0]
    weight = 1.0
    queued = 0.0  # sum of weights of states n >= c
    queue_moment = 0.0  # sum of (n - c) * weight
    n = 0
    while True:
        n += 1
        weight *= arrival_rate / (min(n, agents) * mu + max(n - agents, 0) * theta)
        weights.append(weight)
        if n >= agents:
            queued += weight
            queue_moment += (n - agents) * weight
        if weight > _SCALE:  # rescale exactly by a power of two to stay in float range
            weights = [w / _SCALE for w in weights]
            weight /= _SCALE
            queued /= _SCALE
            queue_moment /= _SCALE
        if n >= agents:
            ratio = arrival_rate / (agents * mu + (n + 1 - agents) * theta)
            if ratio < 1.0:
                # Geometric bound on the tail of both sums beyond n.
                k = n - agents
                tail = weight * ((k + 1) * ratio / (1.0 - ratio) + ratio / (1.0 - ratio) ** 2)
                if tail <= 1e-18 * min(queued, queue_moment or queued):
                    break
        assert n < 2_000_000, "reference chain did not converge"
    total = math.fsum(weights)
    distribution = tuple(w / total for w in weights)
    probability_of_waiting = math.fsum(distribution[agents:])
    mean_queue = math.fsum(k * p for k, p in enumerate(distribution[agents:]))
    busy = math.fsum(min(i, agents) * p for i, p in enumerate(distribution))
    return ChainReference(
        distribution=distribution,
        probability_of_waiting=probability_of_waiting,
        probability_of_abandonment=theta * mean_queue / arrival_rate,
        mean_wait=mean_queue / arrival_rate,
        utilisation=busy / agents,
    )


def poisson_pmf(mean: float, k: int) -> float:
    """Return P(Poisson(mean) = k), computed in log space."""
    if mean == 0.0:
        return 1.0 if k == 0 else 0.0
    return math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))


def erlang_c_service_level_reference(
    chain: ChainReference, agents: int, mean_handle_time: float, threshold: float
) -> float:
    """P(wait <= t) for M/M/c: an arrival finding c+j present waits for j+1 completions."""
    rate_t = agents * threshold / mean_handle_time
    late = 0.0
    cumulative = 0.0
    for j, p in enumerate(chain.distribution[agents:]):
        cumulative += poisson_pmf(rate_t, j)  # P(at most j completions by t)
        late += p * min(cumulative, 1.0)
    return 1.0 - late


def erlang_a_service_level_reference(
    chain: ChainReference,
    agents: int,
    mean_handle_time: float,
    mean_patience: float,
    threshold: float,
) -> float:
    """P(served and wait <= t) for M/M/c+M by uniformizing a tagged arrival's progress.

    With i customers ahead the tagged arrival moves forward at rate c mu + i theta (a service
    completion or an abandonment ahead; into service when i = 0) and abandons at rate theta.
    """
    mu = 1.0 / mean_handle_time
    theta = 1.0 / mean_patience
    ahead = list(chain.distribution[agents:])
    uniform = agents * mu + len(ahead) * theta
    advance = [(agents * mu + i * theta) / uniform for i in range(len(ahead))]
    stay = [1.0 - a - theta / uniform for a in advance]
    mean = uniform * threshold
    served = 0.0
    answered = math.fsum(chain.distribution[:agents])
    step = 0
    while step <= mean + 12.0 * math.sqrt(mean) + 30.0:
        answered += poisson_pmf(mean, step) * served
        nxt = [p * s for p, s in zip(ahead, stay, strict=True)]
        for i in range(1, len(ahead)):
            nxt[i - 1] += ahead[i] * advance[i]
        served += ahead[0] * advance[0]
        ahead = nxt
        step += 1
    return answered


def exact_erlang_b(agents: int, load: Fraction) -> Fraction:
    """Erlang B from its defining formula (A^c/c!) / sum_k A^k/k!, in exact arithmetic."""
    terms = [load**k / math.factorial(k) for k in range(agents + 1)]
    return terms[-1] / sum(terms, Fraction(0))


def assert_close(actual: float, expected: float, rel: float = RELATIVE) -> None:
    """Assert ``actual`` equals ``expected`` to relative tolerance ``rel``."""
    assert math.isclose(actual, expected, rel_tol=rel, abs_tol=0.0), (actual, expected)


def assert_matches_chain(result: ErlangAResult, chain: ChainReference) -> None:
    """Assert an Erlang A result agrees with the chain on every steady-state figure."""
    assert_close(result.probability_of_waiting, chain.probability_of_waiting)
    assert_close(result.probability_of_abandonment, chain.probability_of_abandonment)
    assert_close(result.mean_wait, chain.mean_wait)
    assert_close(result.utilisation, chain.utilisation)


@st.composite
def desks(draw: st.DrawFn, *, max_agents: int = 60, max_rho: float = 1.5) -> dict[str, Any]:
    """Draw erlang_a keyword arguments: agents, load 0.1..max_rho*agents, handle, patience."""
    agents = draw(st.integers(1, max_agents))
    load = draw(st.floats(0.1, max_rho * agents))
    handle = draw(st.floats(1.0, 1000.0))
    patience = handle * draw(st.floats(0.05, 20.0))
    return {
        "agents": agents,
        "arrival_rate": load / handle,
        "mean_handle_time": handle,
        "mean_patience": patience,
    }


# The classic call-centre example: 100 calls per 30 minutes, 180 s handle time (10 Erlangs).
CLASSIC_RATE = 100.0 / 1800.0
CLASSIC_HANDLE = 180.0


# -------------------------------------------------------------------------------- gamma


class TestIncompleteGamma:
    """The regularized lower incomplete gamma function and its scaled form."""

    @pytest.mark.parametrize("x", [1e-3, 0.5, 1.9, 2.0, 3.0, 30.0, 700.0])
    def test_shape_one_is_exponential_cdf(self, x: float) -> None:
        """P(1, x) equals 1 - exp(-x) on both sides of the series/fraction switch."""
        assert_close(math.exp(_erlang.log_regularized_lower_gamma(1.0, x)), -math.expm1(-x))

    @pytest.mark.parametrize("x", [1e-4, 0.2, 1.4, 1.6, 2.0, 9.0, 40.0])
    def test_shape_half_is_error_function(self, x: float) -> None:
        """P(1/2, x) equals erf(sqrt(x))."""
        expected = math.erf(math.sqrt(x))
        assert_close(math.exp(_erlang.log_regularized_lower_gamma(0.5, x)), expected)

    @pytest.mark.parametrize(
        ("a", "x"), [(5, 2.0), (5, 5.9), (5, 6.1), (5, 9.0), (30, 10.0), (30, 45.0), (100, 90.0)]
    )
    def test_integer_shape_is_poisson_tail(self, a: int, x: float) -> None:
        """P(n, x) equals P(Poisson(x) >= n), summed exactly with fractions."""
        xf = Fraction(x)
        last = int(x + 40.0 * math.sqrt(x) + 60.0)
        tail = sum((xf**k / math.factorial(k) for k in range(a, last)), Fraction(0))
        expected = float(tail) * math.exp(-x)
        assert_close(math.exp(_erlang.log_regularized_lower_gamma(float(a), x)), expected, 1e-12)

    def test_zero_argument_is_log_zero(self) -> None:
        """P(a, 0) is zero, so its log is -inf."""
        assert _erlang.log_regularized_lower_gamma(3.0, 0.0) == -math.inf

    @pytest.mark.parametrize(("a", "x"), [(0.3, 0.1), (3.0, 3.99), (3.0, 4.0), (50.0, 80.0)])
    def test_scaled_form_matches_its_series(self, a: float, x: float) -> None:
        """log K(a, x) equals the log of sum_k x^k/((a+1)...(a+k)) summed term by term."""
        total, term, k = 0.0, 1.0, 0
        while term > 1e-30 * max(total, 1.0) or k < x:
            total += term
            k += 1
            term *= x / (a + k)
        assert_close(math.exp(_erlang.log_scaled_lower_gamma(a, x)), total, 1e-12)


# ------------------------------------------------------------------------------ Erlang B


class TestErlangB:
    """erlang_b: blocking probability of a loss system."""

    @pytest.mark.parametrize(
        ("agents", "load", "published"), [(10, 5.0, 0.01838), (5, 2.0, 0.03670)]
    )
    def test_published_table_values(self, agents: int, load: float, published: float) -> None:
        """Standard Erlang B table values hold, checked against the exact formula too."""
        exact = float(exact_erlang_b(agents, Fraction(load)))
        assert exact == pytest.approx(published, abs=5e-6)
        assert_close(erlang_b(agents, load), exact, 1e-14)

    @pytest.mark.parametrize("agents", [1, 2, 7, 25, 60])
    @pytest.mark.parametrize("load", [0.01, 0.7, 3.0, 24.5, 80.0])
    def test_matches_exact_formula(self, agents: int, load: float) -> None:
        """The recursion agrees with the factorial formula evaluated in exact arithmetic."""
        assert_close(erlang_b(agents, load), float(exact_erlang_b(agents, Fraction(load))), 1e-13)

    def test_zero_load_blocks_nobody(self) -> None:
        """With no load nobody is blocked."""
        assert erlang_b(4, 0.0) == 0.0

    def test_large_desk_is_stable(self) -> None:
        """Thousands of agents give the loss-chain value with no overflow."""
        agents, load = 3000, 2950.0
        chain = birth_death(agents, load, 1.0, 1e-300)  # patience ~0: queue is never entered
        assert_close(erlang_b(agents, load), chain.probability_of_waiting, 1e-10)

    @pytest.mark.parametrize(
        ("agents", "load", "name"),
        [
            (0, 1.0, "agents"),
            (-3, 1.0, "agents"),
            (2.5, 1.0, "agents"),
            (True, 1.0, "agents"),
            (3, -1.0, "load"),
            (3, math.nan, "load"),
            (3, math.inf, "load"),
            (3, "2", "load"),
        ],
    )
    def test_rejects_bad_arguments(self, agents: Any, load: Any, name: str) -> None:
        """Bad arguments raise ValueError naming the argument and its value."""
        with pytest.raises(ValueError, match=name) as caught:
            erlang_b(agents, load)
        assert repr(agents if name == "agents" else load) in str(caught.value)


# ------------------------------------------------------------------------------ Erlang C


class TestErlangC:
    """erlang_c: the M/M/c queue."""

    @pytest.mark.parametrize(
        ("agents", "load", "published"), [(10, 8.0, 0.4092), (10, 9.0, 0.6687), (11, 10.0, 0.6821)]
    )
    def test_published_probability_of_waiting(
        self, agents: int, load: float, published: float
    ) -> None:
        """Published Erlang C table values hold and match the birth-death reference."""
        chain = birth_death(agents, load / 180.0, 180.0, None)
        assert chain.probability_of_waiting == pytest.approx(published, abs=5e-5)
        result = erlang_c(agents=agents, arrival_rate=load / 180.0, mean_handle_time=180.0)
        assert_close(result.probability_of_waiting, chain.probability_of_waiting)

    @pytest.mark.parametrize(
        ("agents", "waiting", "asa", "level"),
        [(11, 0.6821, 122.78, 0.3896), (13, 0.2853, 17.116, 0.7956), (14, 0.1741, 7.836, 0.8884)],
    )
    def test_classic_call_centre_example(
        self, agents: int, waiting: float, asa: float, level: float
    ) -> None:
        """100 calls per 30 min at 180 s: 14 agents is the first to reach 80% within 20 s."""
        chain = birth_death(agents, CLASSIC_RATE, CLASSIC_HANDLE, None)
        reference_level = erlang_c_service_level_reference(chain, agents, CLASSIC_HANDLE, 20.0)
        assert chain.probability_of_waiting == pytest.approx(waiting, abs=5e-5)
        assert chain.mean_wait == pytest.approx(asa, abs=5e-3)
        assert reference_level == pytest.approx(level, abs=5e-5)
        result = erlang_c(agents=agents, arrival_rate=CLASSIC_RATE, mean_handle_time=CLASSIC_HANDLE)
        assert result.load == pytest.approx(10.0)
        assert_close(result.probability_of_waiting, chain.probability_of_waiting)
        assert_close(result.mean_wait, chain.mean_wait)
        assert_close(result.service_level(20.0), reference_level)
        assert_close(result.mean_wait_if_waiting, CLASSIC_HANDLE / (agents - 10.0))
        assert result.utilisation == pytest.approx(10.0 / agents)
        assert result.stable

    @given(
        agents=st.integers(1, 80),
        rho=st.floats(0.01, 0.97),
        handle=st.floats(1.0, 1000.0),
        threshold=st.floats(0.0, 600.0),
    )
    def test_matches_birth_death_chain(
        self, agents: int, rho: float, handle: float, threshold: float
    ) -> None:
        """Every figure agrees with the truncated M/M/c chain to 1e-9 relative."""
        rate = rho * agents / handle
        chain = birth_death(agents, rate, handle, None)
        result = erlang_c(agents=agents, arrival_rate=rate, mean_handle_time=handle)
        assert_close(result.probability_of_waiting, chain.probability_of_waiting)
        assert_close(result.mean_wait, chain.mean_wait)
        assert_close(result.utilisation, chain.utilisation)
        expected = erlang_c_service_level_reference(chain, agents, handle, threshold)
        assert math.isclose(result.service_level(threshold), expected, rel_tol=1e-9, abs_tol=1e-12)

    @given(
        agents=st.integers(1, 200),
        rho=st.floats(0.001, 0.999),
        t1=st.floats(0.0, 1e4),
        t2=st.floats(0.0, 1e4),
    )
    def test_service_level_monotone_and_bounded(
        self, agents: int, rho: float, t1: float, t2: float
    ) -> None:
        """The service level lies in [1 - P(wait), 1] and never falls as the threshold grows."""
        result = erlang_c(agents=agents, arrival_rate=rho * agents / 60.0, mean_handle_time=60.0)
        low, high = sorted((t1, t2))
        assert 0.0 <= result.probability_of_waiting <= 1.0
        assert 1.0 - result.probability_of_waiting <= result.service_level(low) + 1e-15
        assert result.service_level(low) <= result.service_level(high) <= 1.0

    def test_service_level_at_zero_is_not_waiting(self) -> None:
        """A zero threshold counts exactly the arrivals answered at once."""
        result = erlang_c(agents=5, arrival_rate=4.0 / 300.0, mean_handle_time=300.0)
        assert result.service_level(0.0) == pytest.approx(1.0 - result.probability_of_waiting)

    @pytest.mark.parametrize("load", [10.0, 12.5])
    def test_unstable_desk(self, load: float) -> None:
        """Load at or above the agent count gives certain waiting, infinite waits, 0.0 level."""
        result = erlang_c(agents=10, arrival_rate=load / 100.0, mean_handle_time=100.0)
        assert not result.stable
        assert result.probability_of_waiting == 1.0
        assert result.mean_wait == math.inf
        assert result.mean_wait_if_waiting == math.inf
        assert result.service_level(1e9) == 0.0
        assert result.utilisation == pytest.approx(load / 10.0)

    def test_large_desk_matches_chain(self) -> None:
        """3000 agents near saturation agree with the (rescaled) birth-death chain."""
        chain = birth_death(3000, 2950.0 / 180.0, 180.0, None)
        result = erlang_c(agents=3000, arrival_rate=2950.0 / 180.0, mean_handle_time=180.0)
        assert_close(result.probability_of_waiting, chain.probability_of_waiting)
        assert_close(result.mean_wait, chain.mean_wait)

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"agents": 0}, "agents"),
            ({"agents": 1.0}, "agents"),
            ({"arrival_rate": 0.0}, "arrival_rate"),
            ({"arrival_rate": -1.0}, "arrival_rate"),
            ({"arrival_rate": math.nan}, "arrival_rate"),
            ({"mean_handle_time": 0.0}, "mean_handle_time"),
            ({"mean_handle_time": math.inf}, "mean_handle_time"),
            ({"arrival_rate": 1e300, "mean_handle_time": 1e300}, "overflows"),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], name: str) -> None:
        """Bad arguments raise ValueError naming the argument."""
        arguments: dict[str, Any] = {"agents": 3, "arrival_rate": 0.01, "mean_handle_time": 60.0}
        arguments.update(kwargs)
        with pytest.raises(ValueError, match=name):
            erlang_c(**arguments)

    @pytest.mark.parametrize("threshold", [-1.0, math.nan, math.inf])
    def test_rejects_bad_threshold(self, threshold: float) -> None:
        """A negative or non-finite threshold raises ValueError naming it."""
        result = erlang_c(agents=3, arrival_rate=0.01, mean_handle_time=60.0)
        with pytest.raises(ValueError, match="threshold"):
            result.service_level(threshold)

    def test_result_is_frozen(self) -> None:
        """Results are immutable values."""
        result = erlang_c(agents=3, arrival_rate=0.01, mean_handle_time=60.0)
        assert isinstance(result, ErlangCResult)
        with pytest.raises(AttributeError):
            result.agents = 4  # type: ignore[misc]


# ------------------------------------------------------------------------------ Erlang A


class TestErlangA:
    """erlang_a: the M/M/c+M queue with exponential patience."""

    @settings(max_examples=150)
    @given(desk=desks())
    def test_matches_birth_death_chain(self, desk: dict[str, Any]) -> None:
        """P(wait), P(abandon), mean wait and utilisation agree with the chain to 1e-9."""
        result = erlang_a(**desk)
        chain = birth_death(
            desk["agents"], desk["arrival_rate"], desk["mean_handle_time"], desk["mean_patience"]
        )
        assert_matches_chain(result, chain)
        assert_close(
            result.mean_wait_if_waiting, chain.mean_wait / chain.probability_of_waiting, 1e-8
        )

    @pytest.mark.parametrize(
        ("agents", "load", "handle", "patience", "threshold"),
        [
            (5, 4.5, 120.0, 60.0, 30.0),
            (10, 12.0, 180.0, 300.0, 20.0),
            (3, 1.0, 60.0, 10.0, 5.0),
            (8, 7.9, 100.0, 1000.0, 200.0),
            (4, 9.0, 100.0, 30.0, 15.0),
            (5, 10.0, 100.0, 200.0, 30.0),  # overloaded, y and z past the series switch
            (5, 10.0, 100.0, 200.0, 150.0),  # overloaded, z back below the switch
            (162, 342.0, 24.0, 240.0, 2.0),  # heavy overload: the level is ~1e-30
        ],
    )
    def test_service_level_matches_uniformization(
        self, agents: int, load: float, handle: float, patience: float, threshold: float
    ) -> None:
        """P(served within t) agrees with the chain plus a uniformized tagged arrival."""
        rate = load / handle
        chain = birth_death(agents, rate, handle, patience)
        expected = erlang_a_service_level_reference(chain, agents, handle, patience, threshold)
        result = erlang_a(
            agents=agents, arrival_rate=rate, mean_handle_time=handle, mean_patience=patience
        )
        assert_close(result.service_level(threshold), expected)
        served = 1.0 - chain.probability_of_abandonment
        assert_close(result.service_level_of_served(threshold), expected / served)

    def test_service_level_limits(self) -> None:
        """At t = 0 only instant answers count; for long t it tends to the answered share."""
        result = erlang_a(agents=10, arrival_rate=12 / 180, mean_handle_time=180, mean_patience=300)
        assert_close(result.service_level(0.0), 1.0 - result.probability_of_waiting, 1e-12)
        assert_close(result.service_level(1e6), 1.0 - result.probability_of_abandonment, 1e-12)
        assert result.service_level_of_served(1e6) == pytest.approx(1.0, abs=1e-12)

    @given(desk=desks(max_agents=200, max_rho=3.0), t1=st.floats(0, 3600), t2=st.floats(0, 3600))
    def test_service_level_monotone_and_bounded(
        self, desk: dict[str, Any], t1: float, t2: float
    ) -> None:
        """Both service levels lie in [0, 1] and never fall as the threshold grows."""
        result = erlang_a(**desk)
        low, high = sorted((t1, t2))
        for level in (result.service_level, result.service_level_of_served):
            assert 0.0 <= level(low) <= level(high) + 1e-12
            assert level(high) <= 1.0
        assert result.service_level(high) <= 1.0 - result.probability_of_abandonment + 1e-15

    @given(
        agents=st.integers(1, 2000),
        load_ratio=st.floats(1e-3, 10.0),
        patience_ratio=st.floats(1e-4, 1e4),
    )
    def test_probabilities_are_probabilities(
        self, agents: int, load_ratio: float, patience_ratio: float
    ) -> None:
        """Over wide ranges every probability is in [0, 1] and every figure is finite."""
        result = erlang_a(
            agents=agents,
            arrival_rate=load_ratio * agents / 100.0,
            mean_handle_time=100.0,
            mean_patience=100.0 * patience_ratio,
        )
        assert 0.0 <= result.probability_of_abandonment <= result.probability_of_waiting <= 1.0
        assert 0.0 <= result.utilisation <= 1.0
        assert 0.0 <= result.mean_wait <= result.mean_wait_if_waiting <= result.mean_patience
        assert 0.0 <= result.service_level(20.0) <= 1.0

    @given(agents=st.integers(1, 60), rho=st.floats(0.05, 0.9), handle=st.floats(10.0, 600.0))
    def test_long_patience_approaches_erlang_c(
        self, agents: int, rho: float, handle: float
    ) -> None:
        """As patience grows without bound Erlang A tends to Erlang C when load < agents."""
        rate = rho * agents / handle
        c_result = erlang_c(agents=agents, arrival_rate=rate, mean_handle_time=handle)
        a_result = erlang_a(
            agents=agents, arrival_rate=rate, mean_handle_time=handle, mean_patience=1e9 * handle
        )
        assert_close(a_result.probability_of_waiting, c_result.probability_of_waiting, 1e-5)
        assert_close(a_result.mean_wait, c_result.mean_wait, 1e-5)
        assert_close(a_result.service_level(20.0), c_result.service_level(20.0), 1e-5)
        assert a_result.probability_of_abandonment < 1e-5

    def test_impatience_approaches_erlang_b(self) -> None:
        """With near-zero patience waiting customers leave at once, as in the loss system."""
        result = erlang_a(agents=10, arrival_rate=9 / 180, mean_handle_time=180, mean_patience=1e-6)
        assert_close(result.probability_of_waiting, erlang_b(10, 9.0), 1e-7)
        assert_close(result.probability_of_abandonment, erlang_b(10, 9.0), 1e-7)

    @pytest.mark.parametrize(
        ("agents", "load", "patience"), [(2000, 1950.0, 180.0), (2000, 2600.0, 60.0)]
    )
    def test_large_desk_matches_chain(self, agents: int, load: float, patience: float) -> None:
        """Thousands of agents, under- and overloaded, agree with the rescaled chain."""
        chain = birth_death(agents, load / 180.0, 180.0, patience)
        result = erlang_a(
            agents=agents, arrival_rate=load / 180.0, mean_handle_time=180.0, mean_patience=patience
        )
        assert_matches_chain(result, chain)

    def test_overwhelmed_desk(self) -> None:
        """A load far beyond float resolution of the desk still gives sane figures."""
        result = erlang_a(agents=10, arrival_rate=1e20, mean_handle_time=180, mean_patience=180)
        assert result.probability_of_waiting == 1.0
        assert result.probability_of_abandonment == pytest.approx(1.0)
        assert result.mean_wait == pytest.approx(180.0)
        assert result.service_level(20.0) == pytest.approx(0.0, abs=1e-15)
        assert 0.0 <= result.service_level_of_served(20.0) <= 1.0

    def test_tiny_load_on_large_desk(self) -> None:
        """When almost nobody waits the figures underflow cleanly to zero."""
        result = erlang_a(agents=3000, arrival_rate=1 / 180, mean_handle_time=180, mean_patience=60)
        assert result.probability_of_waiting == 0.0
        assert result.mean_wait == 0.0
        assert result.service_level(0.0) == 1.0
        assert 0.0 < result.mean_wait_if_waiting < 60.0

    @pytest.mark.parametrize(
        ("kwargs", "name"),
        [
            ({"agents": -1}, "agents"),
            ({"arrival_rate": math.inf}, "arrival_rate"),
            ({"mean_handle_time": -2.0}, "mean_handle_time"),
            ({"mean_patience": 0.0}, "mean_patience"),
            ({"mean_patience": math.nan}, "mean_patience"),
            ({"arrival_rate": 1e300, "mean_patience": 1e300}, "mean_patience overflows"),
            (
                {"arrival_rate": 1e-300, "mean_handle_time": 1e-300, "mean_patience": 1e300},
                "mean_patience / mean_handle_time overflows",
            ),
        ],
    )
    def test_rejects_bad_arguments(self, kwargs: dict[str, Any], name: str) -> None:
        """Bad arguments raise ValueError naming the argument."""
        arguments: dict[str, Any] = {
            "agents": 3,
            "arrival_rate": 0.01,
            "mean_handle_time": 60.0,
            "mean_patience": 30.0,
        }
        arguments.update(kwargs)
        with pytest.raises(ValueError, match=name):
            erlang_a(**arguments)

    def test_rejects_bad_threshold(self) -> None:
        """Both service levels refuse a negative threshold, naming it."""
        result = erlang_a(agents=3, arrival_rate=0.01, mean_handle_time=60, mean_patience=30)
        with pytest.raises(ValueError, match="threshold"):
            result.service_level(-1.0)
        with pytest.raises(ValueError, match="threshold"):
            result.service_level_of_served(-1.0)


# --------------------------------------------------------------------------------- module


class TestModule:
    """The module's public surface."""

    def test_public_names_are_documented(self) -> None:
        """Every name in __all__ exists and carries a docstring."""
        assert sorted(_erlang.__all__) == sorted(
            ["ErlangAResult", "ErlangCResult", "erlang_a", "erlang_b", "erlang_c"]
        )
        for name in _erlang.__all__:
            assert getattr(_erlang, name).__doc__
        assert ErlangAResult.service_level.__doc__
        assert ErlangAResult.service_level_of_served.__doc__
        assert ErlangCResult.service_level.__doc__
