"""The production transport: each message posted as JSON over HTTP to the peer's endpoint."""

from __future__ import annotations

from typing import Any

from article6.domain.messages import Ack, AckResult, Evaluation
from article6.interop.directory import Peer

MESSAGES_PATH = "/interop/v1/messages"


class HttpTransport:
    """Posts each message as JSON to the peer's base URL.

    A peer that refuses to read the message (413 too large, 400 malformed) answers with a
    problem document, not an Ack: it is taken as an `invalid` Ack with its checks, since
    sending the same message again would be refused again."""

    def __init__(self, timeout: float = 10.0) -> None:
        import httpx

        self.client = httpx.Client(timeout=timeout)

    def post(self, peer: Peer, wire: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(peer.base_url.rstrip("/") + MESSAGES_PATH, json=wire)
        if response.status_code >= 500:
            raise ConnectionError(f"{peer.registry_id} answered {response.status_code}")
        answer: dict[str, Any] = response.json()
        if response.status_code in (400, 413) and isinstance(answer.get("checks"), list):
            return Ack(
                result=AckResult.INVALID,
                evaluation=[
                    Evaluation(code=c["check"], detail=f"{c['field']}: {c['detail']}"[:2000])
                    for c in answer["checks"]
                ],
            ).model_dump(mode="json")
        return answer
