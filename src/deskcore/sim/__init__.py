"""deskcore.sim: simulate a desk under a synthetic workload, and the queueing theory to
check it against.

:func:`simulate` runs a :class:`Workload` (users, agents and their habits) through a new
desk with the given settings, every event through the real engine, and returns a
:class:`Report`. :func:`erlang_b`, :func:`erlang_c` and :func:`erlang_a` give the
textbook answers for the simple cases. :func:`replicate` runs independent days in
parallel and gives each figure's mean with a 95% interval; :func:`size` finds the
fewest agents for each hour that meet a service target. ``deskcore simulate`` and
``deskcore size`` are the command line.
"""

from ._erlang import ErlangAResult, ErlangCResult, erlang_a, erlang_b, erlang_c
from ._replicate import Replications, replicate, replication_seed, t_quantile
from ._report import Report
from ._simulate import Simulation, simulate
from ._size import HourStaffing, Staffing, Target, parse_target, size
from ._workload import (
    Agents,
    Arrivals,
    DistributionKind,
    Handling,
    RatingBehaviour,
    Routing,
    Team,
    Timing,
    Users,
    Workload,
    load_workload,
)

__all__ = [
    "Agents",
    "Arrivals",
    "DistributionKind",
    "ErlangAResult",
    "ErlangCResult",
    "Handling",
    "HourStaffing",
    "RatingBehaviour",
    "Replications",
    "Report",
    "Routing",
    "Simulation",
    "Staffing",
    "Target",
    "Team",
    "Timing",
    "Users",
    "Workload",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "load_workload",
    "parse_target",
    "replicate",
    "replication_seed",
    "simulate",
    "size",
    "t_quantile",
]
