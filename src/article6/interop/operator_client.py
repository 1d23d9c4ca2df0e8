"""A hub operator's side of an administrative request: each request signed with the operator's
key (`operators.operator_headers`), with a fresh nonce. The demonstration, the command line
(`article6 hub-operator call`) and the tests use it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from article6.domain.keys import KeyPair
from article6.interop.operators import operator_headers


class OperatorClient:
    """Signed requests of one operator to one hub."""

    def __init__(
        self,
        base_url: str,
        operator: str,
        key: KeyPair,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.operator = operator
        self.key = key
        self.client = client or httpx.Client(timeout=10)
        self.clock = clock or (lambda: datetime.now(UTC))

    def request(self, method: str, target: str, body: bytes = b"") -> httpx.Response:
        """`target` is the path and query, as the hub will see it."""
        headers = operator_headers(self.key, self.operator, method, target, body, self.clock())
        if body:
            headers["Content-Type"] = "application/json"
        return self.client.request(method, self.base_url + target, headers=headers, content=body)

    def get(self, target: str) -> Any:
        response = self.request("GET", target)
        response.raise_for_status()
        return response.json()

    def post(self, target: str, body: bytes = b"") -> Any:
        response = self.request("POST", target, body)
        response.raise_for_status()
        return response.json()
