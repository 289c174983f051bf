"""Fixtures of the reliability corpus: a local HTTP server (127.0.0.1 only) the tests start and stop.

The data fixtures (``isolated_data``, ``mirror_env``) come from ``tests/conftest.py``; the
runner's throw-away projects from ``tests/runner_project.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from local_http import LocalServer, running

from .test_data_faults import good_ff3, good_prices  # noqa: F401  (fixtures shared with test_data_store_faults)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with running() as server:
        yield server
