"""Shared test configuration: hypothesis profiles, the tzdata zone source, and the
journals (SQLite, PostgreSQL) that the journal tests run on."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from deskcore.testing.postgres import PostgresUnavailable, temporary_postgres
from journals import JournalUrl, fresh_schema

# Tests read zone rules from the tzdata package, never the machine's (PYTHONTZPATH="").
os.environ.setdefault("PYTHONTZPATH", "")
zoneinfo.reset_tzpath(to=[])

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# -- journals to test on: a SQLite file, and a schema of its own on a PostgreSQL server.
# The server is $DESKCORE_POSTGRES_URL when set (CI starts one), else a throwaway one this
# session starts. Where no PostgreSQL programs exist the PostgreSQL cases are skipped with
# a message, unless DESKCORE_REQUIRE_POSTGRES=1 (CI), where that is a failure.

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for the session."""
    given = os.environ.get("DESKCORE_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        with temporary_postgres() as url:
            yield url
    except PostgresUnavailable as exc:
        if os.environ.get("DESKCORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test."""
    name: str = request.param
    return name


@pytest.fixture
def journal_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> JournalUrl:
    """Makes URLs of new journals on the backend under test."""
    if backend == "sqlite":
        return lambda name: f"sqlite:///{tmp_path / (name + '.db')}"
    server: str = request.getfixturevalue("postgres_server")
    made: dict[str, str] = {}

    def make(name: str) -> str:
        if name not in made:
            made[name] = fresh_schema(server)
        return made[name]

    return make
