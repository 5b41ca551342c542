"""Analytic desk sizing: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M).

All three models assume Poisson arrivals at rate ``arrival_rate`` (per second),
exponentially distributed handle times with mean ``mean_handle_time`` (seconds), ``agents``
identical agents and first-come-first-served queueing. The offered *load* is
``arrival_rate * mean_handle_time`` Erlangs.

* :func:`erlang_b` - the blocking probability of a loss system (no queue).
* :func:`erlang_c` - M/M/c: nobody ever gives up waiting. Stable only when load < agents.
* :func:`erlang_a` - M/M/c+M (Palm's queue): each waiting customer abandons after an
  exponentially distributed patience with mean ``mean_patience``. Stable for any load.

Numerics. Erlang B comes from the recursion ``B(0) = 1``,
``B(k) = A B(k-1) / (k + A B(k-1))``, which stays in ``[0, 1]`` and needs no factorials.
Erlang A needs the lower incomplete gamma function; it is implemented here (series below
``x = a + 1``, Lentz continued fraction above, combined in log space) in its *scaled* form
``K(a, x) = P(a, x) Gamma(a + 1) e**x x**-a = sum_k x**k / ((a+1)(a+2)...(a+k))``, where
``P`` is the regularized lower incomplete gamma function. With ``X = c mu / theta`` and
``y = lambda / theta``, ``K(X, y)`` is the relative weight of the queueing states
(the ``J`` of Mandelbaum & Zeltyn), so nothing is formed as a ratio of astronomically large
or small numbers and the results stay accurate (about 1e-12 relative) for thousands of
agents.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

from .._show import show

__all__ = ["ErlangAResult", "ErlangCResult", "erlang_a", "erlang_b", "erlang_c"]

# A series term this small relative to the running sum no longer changes it.
_SERIES_EPSILON = 1e-17
# The continued fraction stops once a step changes its value by less than this (4 ulp).
_FRACTION_EPSILON = 4.0 * 2.0**-52


# --------------------------------------------------------------------------- validation


def _check_agents(agents: int) -> int:
    """Return ``agents`` if it is an int >= 1, else raise ``ValueError`` naming it."""
    if isinstance(agents, bool) or not isinstance(agents, int):
        raise ValueError(f"agents must be an int >= 1, got {show(agents)}")
    if agents < 1:
        raise ValueError(f"agents must be >= 1, got {show(agents)}")
    return agents


def _check_real(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float if it is finite and positive (or zero when allowed)."""
    bound = ">= 0" if allow_zero else "> 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number {bound}, got {show(value)}")
    number = float(value)
    if not math.isfinite(number) or number < 0.0 or (number == 0.0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {bound}, got {show(value)}")
    return number


def _product(name: str, rate: float, seconds_name: str, seconds: float) -> float:
    """Return ``rate * seconds`` (validated), refusing a product that overflows the floats."""
    product = rate * seconds
    if not math.isfinite(product):
        raise ValueError(
            f"arrival_rate * {seconds_name} overflows: {name} = {show(rate)} * {show(seconds)}"
        )
    return product


# --------------------------------------------------------------------- incomplete gamma


def _lower_gamma_series(a: float, x: float) -> float:
    """Return ``K(a, x) = sum_k x**k / ((a+1)...(a+k))`` by its series; needs ``x < a + 1``.

    Every ratio ``x / (a + k)`` is below 1, so the terms fall monotonically; the loop stops
    once the geometric bound on the remaining tail is negligible against the sum.
    """
    total = 1.0
    term = 1.0
    k = 0
    while True:
        k += 1
        term *= x / (a + k)
        total += term
        if term <= total * _SERIES_EPSILON * (1.0 - x / (a + k + 1)):
            return total


def _upper_gamma_fraction(a: float, x: float) -> float:
    """Return ``F`` with ``Q(a, x) = x**a e**-x / Gamma(a) * F``; needs ``x >= a + 1``.

    Modified Lentz evaluation of the continued fraction
    ``1 / (x+1-a - 1(1-a) / (x+3-a - 2(2-a) / (x+5-a - ...)))``. For ``x >= a + 1`` every
    partial denominator stays positive, so no zero-division guard is needed.
    """
    b = x + 1.0 - a
    c = math.inf
    d = 1.0 / b
    value = d
    i = 0
    while True:
        i += 1
        an = -i * (i - a)
        b += 2.0
        d = 1.0 / (an * d + b)
        c = b + an / c
        delta = c * d
        value *= delta
        if abs(delta - 1.0) <= _FRACTION_EPSILON:
            return value


def _log_gamma_prefactor(a: float, x: float) -> float:
    """Return ``log(x**a e**-x / Gamma(a + 1))`` for ``a > 0``, ``x > 0``."""
    return a * math.log(x) - x - math.lgamma(a + 1.0)


def log_regularized_lower_gamma(a: float, x: float) -> float:
    """Return ``log P(a, x)``, the log of the regularized lower incomplete gamma function.

    ``P(a, x) = gamma(a, x) / Gamma(a)`` for ``a > 0``, ``x >= 0``; ``-inf`` at ``x = 0``.
    Series for ``x < a + 1``, continued fraction for the complement otherwise.
    """
    if x == 0.0:
        return -math.inf
    if x < a + 1.0:
        return _log_gamma_prefactor(a, x) + math.log(_lower_gamma_series(a, x))
    upper = math.exp(_log_gamma_prefactor(a, x)) * a * _upper_gamma_fraction(a, x)
    return math.log1p(-upper)


def log_scaled_lower_gamma(a: float, x: float) -> float:
    """Return ``log K(a, x)`` where ``K(a, x) = P(a, x) Gamma(a + 1) e**x x**-a`` (``>= 1``).

    ``K(a, x) = sum_k x**k / ((a+1)...(a+k))``; for ``x < a + 1`` that series is summed
    directly, otherwise ``K`` is recovered from ``P`` (by the continued fraction) in log space,
    where it may be far beyond the float range.
    """
    if x < a + 1.0:
        return math.log(_lower_gamma_series(a, x))
    return log_regularized_lower_gamma(a, x) - _log_gamma_prefactor(a, x)


def _queue_outcome_series(x_: float, y: float) -> tuple[float, float]:
    """Return (P(abandon | wait), P(served | wait)) of M/M/c+M when ``y < x_ + 1``.

    ``x_ = c mu / theta``, ``y = lambda / theta``. With ``t_k = y**k / ((x_+1)...(x_+k))``
    (the relative chance of finding ``k`` others queued on arrival, given a wait), a waiting
    arrival abandons with probability ``sum t_k (k+1)/(x_+k+1) / sum t_k`` and is served
    with ``x_ sum t_k / (x_+k+1) / sum t_k``: ratios of positive sums, accurate even when
    either outcome is rare. (The closed form ``1 - 1/rho + 1/(rho K(x_, y))`` cancels
    catastrophically when abandonment is rare.)
    """
    total = 1.0
    abandoned = 1.0 / (x_ + 1.0)
    served = abandoned
    term = 1.0
    k = 0
    while True:
        k += 1
        term *= y / (x_ + k)
        total += term
        share = term / (x_ + k + 1)
        abandoned += share * (k + 1)
        served += share
        if term <= total * _SERIES_EPSILON * (1.0 - y / (x_ + k + 1)):
            return abandoned / total, x_ * served / total


def _served_after_waiting(*, x_: float, y: float, theta_t: float, service_t: float) -> float:
    """Return P(served and 0 < W <= t | W > 0) for M/M/c+M.

    ``x_ = c mu / theta``, ``y = lambda / theta``, ``theta_t = theta t``, ``service_t = c mu t``.
    The virtual wait ``V`` of a queued arrival has density proportional to
    ``exp(lambda (1 - e**(-theta v)) / theta - c mu v)``; integrating ``e**(-theta v)`` (the
    chance to outlast ``V``) over ``0 < v <= t`` and substituting ``u = y e**(-theta v)`` gives
    ``(x_ / y) [P(a, y) - P(a, z)] / P(x_, y)`` with ``a = x_ + 1`` and ``z = y e**(-theta t)``.
    The difference is formed where it does not cancel: from the scaled series when ``y`` is
    below the switch, as a ratio of upper tails ``Q(a, z) - Q(a, y)`` when both are above it
    (heavy overload, where the answer may be astronomically small).
    """
    a = x_ + 1.0
    z = y * math.exp(-theta_t)
    if y < a + 1.0:
        # y - z - a theta t, with P(a, .) / P(x_, y) rewritten through the scaled form K.
        exponent = -y * math.expm1(-theta_t) - service_t - theta_t
        log_j = log_scaled_lower_gamma(x_, y)
        return (x_ / a) * (
            math.exp(log_scaled_lower_gamma(a, y) - log_j)
            - math.exp(exponent + log_scaled_lower_gamma(a, z) - log_j)
        )
    log_p = log_regularized_lower_gamma(x_, y)
    if z >= a + 1.0:
        fraction_z = _upper_gamma_fraction(a, z)
        # log Q(a, y) - log Q(a, z) = a theta t - (y - z) + log(F(a, y) / F(a, z)).
        log_ratio = (
            service_t
            + theta_t
            + y * math.expm1(-theta_t)
            + math.log(_upper_gamma_fraction(a, y) / fraction_z)
        )
        log_q_z = _log_gamma_prefactor(a, z) + math.log(a * fraction_z)
        return (x_ / y) * math.exp(log_q_z - log_p) * -math.expm1(log_ratio)
    return (x_ / y) * (
        math.exp(log_regularized_lower_gamma(a, y) - log_p)
        - math.exp(log_regularized_lower_gamma(a, z) - log_p)
    )


# ------------------------------------------------------------------------------ Erlang B


def _erlang_b_split(agents: int, load: float) -> tuple[float, float]:
    """Return ``(B, 1 - B)`` by the recursion ``B(k) = A B(k-1) / (k + A B(k-1))``.

    The complement comes from the same step, ``1 - B(k) = k / (k + A B(k-1))``, so it keeps
    full relative precision when ``B`` is close to 1 (heavy overload).
    """
    blocking = 1.0
    complement = 0.0
    for k in range(1, agents + 1):
        carried = load * blocking
        blocking = carried / (k + carried)
        complement = k / (k + carried)
    return blocking, complement


def _erlang_b(agents: int, load: float) -> float:
    """Return Erlang B for validated arguments."""
    return _erlang_b_split(agents, load)[0]


def erlang_b(agents: int, load: float) -> float:
    """Return the Erlang B blocking probability of ``agents`` servers offered ``load`` Erlangs.

    The share of arrivals that find every agent busy in a loss system (M/M/c/c: no queue,
    blocked arrivals leave). ``load`` is ``arrival_rate * mean_handle_time``. Computed by the
    stable recursion ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))``.

    Raises:
        ValueError: ``agents`` is not an int >= 1 or ``load`` is not a finite number >= 0.

    >>> round(erlang_b(5, 2.0), 5)
    0.0367
    """
    return _erlang_b(_check_agents(agents), _check_real("load", load, allow_zero=True))


# ------------------------------------------------------------------------------ Erlang C


def _check_threshold(threshold: float) -> float:
    """Return ``threshold`` as a float if it is a finite number of seconds >= 0."""
    return _check_real("threshold", threshold, allow_zero=True)


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangCResult:
    """The steady state of an M/M/c queue (Erlang C), as returned by :func:`erlang_c`.

    ``utilisation`` is ``load / agents``. ``probability_of_waiting`` is the share of arrivals
    that find every agent busy and must queue; ``mean_wait`` the mean time in queue over
    *all* arrivals (the ASA), ``mean_wait_if_waiting`` over those who queue, both in seconds.

    When ``load >= agents`` the queue grows without bound: ``stable`` is False,
    ``probability_of_waiting`` is 1.0, both mean waits are ``math.inf`` and
    :meth:`service_level` is 0.0 for every threshold.
    """

    agents: int
    arrival_rate: float
    mean_handle_time: float
    load: float
    utilisation: float
    probability_of_waiting: float
    mean_wait: float
    mean_wait_if_waiting: float

    @property
    def stable(self) -> bool:
        """Whether the queue has a steady state (``load < agents``)."""
        return self.load < self.agents

    def service_level(self, threshold: float) -> float:
        """Return P(wait <= ``threshold`` seconds) for an arbitrary arrival.

        ``1 - P_wait * exp(-(c mu - lambda) t)``; 0.0 when the queue is unstable.

        Raises:
            ValueError: ``threshold`` is not a finite number >= 0.
        """
        seconds = _check_threshold(threshold)
        if not self.stable:
            return 0.0
        decay = (self.agents - self.load) * seconds / self.mean_handle_time
        return 1.0 - self.probability_of_waiting * math.exp(-decay)


def erlang_c(*, agents: int, arrival_rate: float, mean_handle_time: float) -> ErlangCResult:
    """Return the Erlang C (M/M/c) figures for a desk.

    Args:
        agents: number of agents answering, an int >= 1.
        arrival_rate: contacts arriving per second (Poisson), > 0.
        mean_handle_time: mean handle time in seconds (exponential), > 0.

    Customers wait as long as it takes (no abandonment). When the offered load
    ``arrival_rate * mean_handle_time`` is at least ``agents`` there is no steady state; the
    result then says so (``stable`` False, ``probability_of_waiting`` 1.0, infinite waits,
    service level 0.0) rather than raising.

    Raises:
        ValueError: an argument is out of range or not finite; the message names it.
    """
    c = _check_agents(agents)
    rate = _check_real("arrival_rate", arrival_rate)
    handle = _check_real("mean_handle_time", mean_handle_time)
    load = _product("load", rate, "mean_handle_time", handle)
    if load >= c:
        probability_of_waiting = 1.0
        mean_wait_if_waiting = math.inf
    else:
        blocking = _erlang_b(c, load)
        # C = c B / (c - A (1 - B)), written so that c - A is formed exactly.
        probability_of_waiting = c * blocking / ((c - load) + load * blocking)
        mean_wait_if_waiting = handle / (c - load)
    return ErlangCResult(
        agents=c,
        arrival_rate=rate,
        mean_handle_time=handle,
        load=load,
        utilisation=load / c,
        probability_of_waiting=probability_of_waiting,
        mean_wait=probability_of_waiting * mean_wait_if_waiting,
        mean_wait_if_waiting=mean_wait_if_waiting,
    )


# ------------------------------------------------------------------------------ Erlang A


class _ErlangAState(NamedTuple):
    """Erlang A figures kept as complementary pairs, each with full relative precision."""

    waiting: float  # P(wait > 0)
    not_waiting: float  # 1 - P(wait > 0)
    abandon_if_waiting: float  # P(abandon | wait > 0)
    served_if_waiting: float  # 1 - P(abandon | wait > 0)


def _waiting_split(blocking: float, not_blocking: float, log_j: float) -> tuple[float, float]:
    """Return ``(P_w, 1 - P_w)`` with ``P_w = B J / (1 - B + B J)``, without overflow."""
    if blocking == 0.0:
        return 0.0, 1.0
    log_s = math.log(blocking) + log_j
    if log_s > 0.0:
        rest = not_blocking * math.exp(-log_s)
        return 1.0 / (1.0 + rest), rest / (1.0 + rest)
    s = math.exp(log_s)
    return s / (not_blocking + s), not_blocking / (not_blocking + s)


def _erlang_a_state(agents: int, rate: float, handle: float, patience: float) -> _ErlangAState:
    """Return the Erlang A state for validated arguments (Mandelbaum & Zeltyn's formulas).

    With ``X = c mu / theta`` and ``y = lambda / theta``: ``J = K(X, y)``,
    ``P_w = B J / (1 - B + B J)`` (Erlang B ``B``) and ``P(abandon | wait) =
    1 - 1/rho + 1/(rho J)``, ``rho = load / agents``.
    """
    load = rate * handle
    x_ = agents * patience / handle
    y = rate * patience
    if y < x_ + 1.0:
        log_j = math.log(_lower_gamma_series(x_, y))
        abandon_if_waiting, served_if_waiting = _queue_outcome_series(x_, y)
    else:  # rho > 1: neither form below cancels
        log_j = log_scaled_lower_gamma(x_, y)
        served_if_waiting = -math.expm1(-log_j) * agents / load
        abandon_if_waiting = min(1.0 - agents / load + math.exp(-log_j) * agents / load, 1.0)
    waiting, not_waiting = _waiting_split(*_erlang_b_split(agents, load), log_j)
    return _ErlangAState(waiting, not_waiting, abandon_if_waiting, served_if_waiting)


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangAResult:
    """The steady state of an M/M/c+M queue (Erlang A), as returned by :func:`erlang_a`.

    * ``probability_of_waiting``: share of arrivals that find every agent busy and queue.
    * ``probability_of_abandonment``: share of *all* arrivals that hang up before an agent
      answers.
    * ``mean_wait``: mean time spent in queue over *all* arrivals, in seconds, counting those
      who abandon (up to the moment they abandon) and those answered at once (zero).
    * ``mean_wait_if_waiting``: the same mean over the arrivals that queue.
    * ``utilisation``: the load actually served per agent, ``(1 - P_ab) load / agents``;
      below 1 (it may round to 1.0 under heavy overload).
    """

    agents: int
    arrival_rate: float
    mean_handle_time: float
    mean_patience: float
    load: float
    utilisation: float
    probability_of_waiting: float
    probability_of_abandonment: float
    mean_wait: float
    mean_wait_if_waiting: float

    def _answered(self, seconds: float) -> tuple[float, float]:
        """Return (P(served and wait <= ``seconds``), P(served)) over all arrivals."""
        patience = self.mean_patience
        state = _erlang_a_state(self.agents, self.arrival_rate, self.mean_handle_time, patience)
        after_wait = _served_after_waiting(
            x_=self.agents * patience / self.mean_handle_time,
            y=self.arrival_rate * patience,
            theta_t=seconds / patience,
            service_t=self.agents * seconds / self.mean_handle_time,
        )
        served_if_waiting = state.served_if_waiting
        after_wait = min(max(after_wait, 0.0), served_if_waiting)
        return (
            state.not_waiting + state.waiting * after_wait,
            state.not_waiting + state.waiting * served_if_waiting,
        )

    def service_level(self, threshold: float) -> float:
        """Return the share of ALL arrivals answered within ``threshold`` seconds.

        P(served and wait <= t): arrivals that abandon count as failures whatever their
        wait, so ``service_level(t)`` tends to ``1 - probability_of_abandonment`` as ``t``
        grows, and ``service_level(0)`` is ``1 - probability_of_waiting``. (Some desks report
        abandoned-within-t contacts separately; this definition does not excuse them.)

        Raises:
            ValueError: ``threshold`` is not a finite number >= 0.
        """
        return self._answered(_check_threshold(threshold))[0]

    def service_level_of_served(self, threshold: float) -> float:
        """Return P(wait <= ``threshold`` seconds | served): answered contacts only.

        :meth:`service_level` divided by the answered share ``1 - probability_of_abandonment``;
        tends to 1 as ``threshold`` grows.

        Raises:
            ValueError: ``threshold`` is not a finite number >= 0.
        """
        within, served = self._answered(_check_threshold(threshold))
        return within / served


def erlang_a(
    *, agents: int, arrival_rate: float, mean_handle_time: float, mean_patience: float
) -> ErlangAResult:
    """Return the Erlang A (M/M/c+M, Palm's queue) figures for a desk.

    Args:
        agents: number of agents answering, an int >= 1.
        arrival_rate: contacts arriving per second (Poisson), > 0.
        mean_handle_time: mean handle time in seconds (exponential), > 0.
        mean_patience: mean time in seconds a waiting customer is prepared to wait before
            abandoning (exponential, independent of everything else), > 0.

    Abandonment keeps the queue stable at any load, so every figure is finite. Uses the exact
    formulas of Mandelbaum & Zeltyn for M/M/n+M, via the incomplete gamma function. The cost
    grows like ``sqrt(agents * mean_patience / mean_handle_time)`` when the load is close to
    ``agents``; for patience millions of times the handle time use :func:`erlang_c`.

    Raises:
        ValueError: an argument is out of range or not finite; the message names it.
    """
    c = _check_agents(agents)
    rate = _check_real("arrival_rate", arrival_rate)
    handle = _check_real("mean_handle_time", mean_handle_time)
    patience = _check_real("mean_patience", mean_patience)
    load = _product("load", rate, "mean_handle_time", handle)
    _product("lambda/theta", rate, "mean_patience", patience)
    if not math.isfinite(c * patience / handle):
        raise ValueError(
            f"agents * mean_patience / mean_handle_time overflows: {show(c)} * {show(patience)} / "
            f"{show(handle)}"
        )
    state = _erlang_a_state(c, rate, handle, patience)
    # Little's law on the queue: theta E[queue] = lambda P_ab and E[queue] = lambda E[wait].
    mean_wait_if_waiting = state.abandon_if_waiting * patience
    served = state.not_waiting + state.waiting * state.served_if_waiting
    return ErlangAResult(
        agents=c,
        arrival_rate=rate,
        mean_handle_time=handle,
        mean_patience=patience,
        load=load,
        utilisation=min(served * load / c, 1.0),
        probability_of_waiting=state.waiting,
        probability_of_abandonment=state.waiting * state.abandon_if_waiting,
        mean_wait=state.waiting * mean_wait_if_waiting,
        mean_wait_if_waiting=mean_wait_if_waiting,
    )
