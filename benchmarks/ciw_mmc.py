"""ciw on the benchmarks' M/M/c model: Poisson arrivals at load 0.9, exponential 5-minute
handle times, ``AGENTS`` servers, about ``CUSTOMERS`` customers.

As a whole process (for bench_processes.py) it prints the customers served as JSON
(``{"served": N}``): ``python benchmarks/ciw_mmc.py AGENTS CUSTOMERS SEED`` (``pip
install ciw``). bench_simulate.py calls :func:`run` in its own process.
"""

from __future__ import annotations

import json
import sys
import time

HANDLE_S = 300.0  # mean handle time of the M/M/c runs
LOAD = 0.9  # offered load per agent


def run(agents: int, customers: int, seed: int) -> tuple[int, float]:
    """The customers ciw served, and the seconds its simulation took (imports aside)."""
    import ciw  # type: ignore[import-untyped,import-not-found,unused-ignore]

    rate = LOAD * agents / HANDLE_S
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / HANDLE_S)],
        number_of_servers=[agents],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    began = time.perf_counter()
    simulation.simulate_until_max_time(customers / rate)
    return len(simulation.get_all_records()), time.perf_counter() - began


def main() -> int:
    """Simulate and print."""
    agents, customers, seed = (int(value) for value in sys.argv[1:4])
    served, _seconds = run(agents, customers, seed)
    print(json.dumps({"served": served}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
