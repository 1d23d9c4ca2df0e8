"""The server as `article6 serve` runs it (`article6.http.workers`: a socket per worker), for
the app the benchmarks name: the registry's, or `bare_asgi:app` to measure the server itself.

    .venv/bin/python bench/serve.py APP PORT WORKERS
"""

from __future__ import annotations

import sys

from article6.http import workers
from article6.http.logs import configuration

REGISTRY_APP = "article6.app:serve_app"

if __name__ == "__main__":
    app, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    workers.run(
        workers.server_config(
            app,
            host="127.0.0.1",
            port=port,
            workers=count,
            factory=app == REGISTRY_APP,
            log_config=configuration("WARNING", "text"),
            log_level="warning",
            graceful_shutdown=5,
        )
    )
