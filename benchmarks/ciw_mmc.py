"""One ciw M/M/c run as a whole process, for bench_processes.py: Poisson arrivals at load
0.9, exponential 5-minute handle times, ``AGENTS`` servers, about ``CUSTOMERS``
customers; prints the customers served as JSON (``{"served": N}``).

Usage: ``python benchmarks/ciw_mmc.py AGENTS CUSTOMERS SEED`` (``pip install ciw``).
"""

from __future__ import annotations

import json
import sys

import ciw  # type: ignore[import-untyped,import-not-found,unused-ignore]

HANDLE_S = 300.0
LOAD = 0.9


def main() -> int:
    """Simulate and print."""
    agents, customers, seed = (int(value) for value in sys.argv[1:4])
    rate = LOAD * agents / HANDLE_S
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / HANDLE_S)],
        number_of_servers=[agents],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(customers / rate)
    print(json.dumps({"served": len(simulation.get_all_records())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
