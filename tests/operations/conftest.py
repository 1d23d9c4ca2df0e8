"""The operations tests build PostgreSQL clusters of their own (tests/postgres_clusters.py):
locally they skip with a message when the server binaries are missing; with CI=true they fail."""

from __future__ import annotations

import os

import pytest

from postgres_clusters import HOW_TO_ENABLE_CLUSTER, ClusterUnavailable, server_binaries

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def cluster_binaries() -> None:
    """Skip (fail under CI=true) unless throwaway clusters can be made here."""
    try:
        server_binaries()
    except ClusterUnavailable as error:
        message = f"no throwaway PostgreSQL cluster ({error}): {HOW_TO_ENABLE_CLUSTER}"
        if IN_CI:
            pytest.fail(message + " (CI=true: this test may not be skipped)")
        pytest.skip(message)
