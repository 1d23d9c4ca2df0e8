"""With several worker processes, a scrape answered by any one of them counts the requests all
of them answered (`article6 serve --workers 2`, the real server); and the server's log is JSON
lines, one access line per request with its id."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from test_operations_endpoints import sample


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_workers_requests_are_counted(tmp_path: Path):
    port = free_port()
    environment = {
        **os.environ,
        "ARTICLE6_ENVIRONMENT": "development",
        "ARTICLE6_CHECKPOINT_MINUTES": "0",
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    article6 = str(Path(sys.executable).parent / "article6")
    database = f"sqlite:///{tmp_path / 'registry.db'}"
    subprocess.run([article6, "db", "upgrade", "--database", database], env=environment, check=True)
    server = subprocess.Popen(
        [
            article6,
            "serve",
            "--database",
            database,
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (
                tmp_path / "server.log"
            ).read_text()
            time.sleep(0.2)
        baseline = sample(
            httpx.get(f"{base}/metrics").text, "article6_http_requests_total", route="/health/live"
        )
        for _ in range(40):  # new connections: both workers answer some
            assert httpx.get(f"{base}/health/live").status_code == 200
        for _ in range(5):  # whichever worker answers the scrape, it sees all 40
            counted = sample(
                httpx.get(f"{base}/metrics").text,
                "article6_http_requests_total",
                route="/health/live",
            )
            assert counted - baseline == 40
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    access = [line for line in lines if line["logger"] == "article6.access"]
    live = [line for line in access if line["route"] == "/health/live"]
    assert len(live) == 41
    assert all(len(line["request_id"]) == 32 and line["status"] == 200 for line in live)
