"""The operations tests build PostgreSQL clusters of their own (tests/postgres_clusters.py):
locally they skip with a message when the server binaries are missing; with CI=true they fail."""

from __future__ import annotations

import pytest

from postgres_clusters import ClusterUnavailable, server_binaries, without_cluster


@pytest.fixture
def cluster_binaries() -> None:
    """Skip (fail under CI=true) unless throwaway clusters can be made here."""
    try:
        server_binaries()
    except ClusterUnavailable as error:
        without_cluster(error)
