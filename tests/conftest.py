"""Shared test configuration: hypothesis profiles and the tzdata zone source."""

from __future__ import annotations

import os
import zoneinfo

from hypothesis import HealthCheck, settings

# Tests read zone rules from the tzdata package, never the machine's (PYTHONTZPATH="").
os.environ.setdefault("PYTHONTZPATH", "")
zoneinfo.reset_tzpath(to=[])

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
