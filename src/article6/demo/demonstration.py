"""`make network`: the hub, the IR, XXB's registry and the Article 6.4 mechanism registry as
separate processes on loopback, each with its own SQLite database in a temporary directory.

The demonstration seeds each database, enters the registries in the hub's directory, starts the
four servers, and acts as each registry's operator on its own database: XXB transfers ITMOs to
XXA in the IR, XXA transfers some back, an authorized A6.4ER block enters the IR; then the hub
reconciles with every registry, and the IR's secretariat pulls the holdings and history of XXD's
authorized A6.4ERs from the 6.4 registry, shown once the answer signed by the 6.4 registry is
verified (pull and view, seed para 49). The servers talk only over HTTP, signed; the demonstration
asks the hub for its transactions and the reconciliation as a hub operator, each request
signed with a key it makes for the run and gives the hub with `--operator`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from article6.demo.network import (
    A64_NDC,
    XXB_ADMIN,
    seed_international,
    seed_mechanism,
    seed_national,
)
from article6.demo.world import SECRETARIAT, XXA_ADMIN
from article6.domain.access import Actor, Role
from article6.domain.keys import KeyPair
from article6.domain.messages import QueryBy
from article6.domain.protocol import HUB, MECHANISM_APPROACH, MECHANISM_REGISTRY
from article6.domain.protocol import Role as NodeRole
from article6.interop import directory
from article6.interop.hub import Hub
from article6.interop.node import RegistryNode
from article6.interop.operator_client import OperatorClient
from article6.services.commands import UnitSelection
from article6.services.context import Registry
from article6.services.external_transfer_status import transfers
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer
from article6.services.mechanism_pulls import PullA64ERs, PullView, request_pull, view_pull
from article6.services.reads.ledger import verify_registry

XXD_ADMIN = Actor("xxd.admin", Role.ADMINISTRATOR, "XXD")
OPERATOR = "demonstration"
PATIENCE = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, condition: Callable[[], Any], patience: float = PATIENCE) -> Any:
    """Poll a condition until it holds (not a sleep for time: it ends as soon as it holds)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what}")


def run(
    keep: bool = False, echo: Callable[[str], Any] = print, first_port: int | None = None
) -> int:
    """Run the demonstration; `first_port` (else free ports) and the three after it serve it."""
    base = Path(tempfile.mkdtemp(prefix="article6-network-"))
    urls = {name: f"sqlite:///{base / name}.db" for name in ("hub", "ir", "xxb", "a64")}
    ports = {
        name: first_port + offset if first_port else free_port() for offset, name in enumerate(urls)
    }
    address = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    processes: list[subprocess.Popen[bytes]] = []
    failures: list[str] = []
    try:
        registries = {name: Registry.open(url) for name, url in urls.items()}
        echo(f"Seeding four databases in {base} …")
        accounts = seed_international(registries["ir"])
        accounts |= seed_national(registries["xxb"])
        accounts |= seed_mechanism(registries["a64"])
        hub = Hub.open(registries["hub"])
        nodes = {
            "ir": RegistryNode.open(registries["ir"], "IR", NodeRole.INTERNATIONAL),
            "xxb": RegistryNode.open(registries["xxb"], "XXB01", NodeRole.NATIONAL),
            "a64": RegistryNode.open(registries["a64"], MECHANISM_REGISTRY, NodeRole.MECHANISM),
        }
        issuers = {"ir": ("XXA01", "XXC01"), "xxb": ("XXB01",), "a64": (MECHANISM_REGISTRY,)}
        for name, node in nodes.items():
            directory.add_peer(
                hub.registry.engine,
                node.registry_id,
                node.identity.role,
                node.identity.public_key,
                address[name],
                hub.now(),
                issuers[name],
                directory.section_codes(node.registry.engine),
            )
            directory.add_peer(
                node.registry.engine,
                HUB,
                NodeRole.HUB,
                hub.identity.public_key,
                address["hub"],
                node.now(),
            )
        for name in ("ir", "xxb"):  # the key the 6.4 registry's signed answers are checked with
            directory.add_peer(
                nodes[name].registry.engine,
                MECHANISM_REGISTRY,
                NodeRole.MECHANISM,
                nodes["a64"].identity.public_key,
                "",
                nodes[name].now(),
            )
        for registry in registries.values():
            registry.engine.dispose()

        program = [str(Path(sys.executable).parent / "article6")]
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        operator_key = KeyPair.generate()
        commands = {
            "hub": [
                "hub",
                "--database",
                urls["hub"],
                "--port",
                str(ports["hub"]),
                "--operator",
                f"{OPERATOR}={operator_key.public_text}",
            ],
            **{
                name: [
                    "serve",
                    "--database",
                    urls[name],
                    "--port",
                    str(ports[name]),
                    "--role",
                    nodes[name].identity.role.value,
                    "--registry-id",
                    nodes[name].registry_id,
                ]
                for name in nodes
            },
        }
        for name, arguments in commands.items():
            log = (base / f"{name}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    [*program, *arguments], stdout=log, stderr=subprocess.STDOUT, env=environment
                )
            )
        client = httpx.Client(timeout=5)
        operator = OperatorClient(address["hub"], OPERATOR, operator_key, client)

        def answers(name: str) -> bool:
            return bool(client.get(address[name] + "/interop/v1/identity").status_code == 200)

        for name in commands:
            wait_for(f"{name} to answer", partial(answers, name))
        echo("Hub, IR (XXA, XXC), XXB01 and A64 are up on 127.0.0.1.")

        def completed(transaction_id: str) -> bool:
            status = operator.get("/interop/v1/transactions")
            return status.get(transaction_id) in (
                "completed",
                "rejected",
                "terminated",
                "cancelled",
            )

        def settled(transaction_id: str, *names: str) -> bool:
            """Final at the hub and recorded as final by both registries."""
            if not completed(transaction_id):
                return False
            for name in names:
                registry = Registry.open(urls[name], migrate=False)
                status = transfers(registry).get(transaction_id)
                registry.engine.dispose()
                if status not in ("completed", "rejected", "terminated", "cancelled"):
                    return False
            return True

        def transfer(name: str, to: str, actor: Actor, **fields: Any) -> None:
            registry = Registry.open(urls[name], migrate=False)
            receipt = propose_external_transfer(
                registry,
                actor,
                ProposeExternalTransfer(
                    units=UnitSelection(quantity=fields.pop("quantity")), **fields
                ),
            )
            registry.engine.dispose()
            record = receipt.record
            wait_for(f"{record} to finish", lambda: settled(record, name, to))
            status = operator.get("/interop/v1/transactions")[receipt.record]
            echo(f"  {receipt.record}: {status}")
            if status != "completed":
                failures.append(f"{receipt.record} {status}")

        echo("1. XXB01 transfers 100 ITMOs to XXA in the IR")
        transfer(
            "xxb",
            "ir",
            XXB_ADMIN,
            source_account=accounts["XXB Party amo_holding"],
            acquiring_registry="IR",
            acquiring_account=accounts["XXA Party itmo_holding"],
            acquiring_party="XXA",
            quantity=100,
        )
        echo("2. XXA transfers 40 back to XXB01")
        transfer(
            "ir",
            "xxb",
            XXA_ADMIN,
            source_account=accounts["XXA Party itmo_holding"],
            acquiring_registry="XXB01",
            acquiring_account=accounts["XXB Party itmo_holding"],
            acquiring_party="XXB",
            quantity=40,
        )
        echo("3. An authorized A6.4ER block enters the IR as ITMOs")
        transfer(
            "a64",
            "ir",
            XXD_ADMIN,
            source_account=accounts[f"XXD Party amo_holding {MECHANISM_APPROACH}"],
            acquiring_registry="IR",
            acquiring_account=accounts[f"XXA Party itmo_holding {MECHANISM_APPROACH}"],
            acquiring_party="XXA",
            quantity=150,
        )
        echo("4. Reconciliation with every registry")
        run_id = operator.post("/interop/v1/reconciliations")["reconciliation_id"]

        def finished() -> dict[str, Any] | None:
            result: dict[str, Any] = operator.get(f"/interop/v1/reconciliations/{run_id}")
            done = result and all(
                r["status"] in ("completed", "inconsistent") for r in result.values()
            )
            return result if done else None

        result = wait_for("reconciliation", finished)
        for registry_id, outcome in sorted(result.items()):
            found = outcome["discrepancies"]
            echo(f"  {registry_id}: {outcome['status']}, {len(found)} discrepancies")
            failures += [f"{registry_id}: {d}" for d in outcome["discrepancies"]]
            if outcome["status"] != "completed":
                failures.append(f"{registry_id} reconciliation {outcome['status']}")
        echo("5. Pull and view: the IR asks the 6.4 registry for the A6.4ERs of " + A64_NDC)
        failures += pull_and_view(urls["ir"], echo)
        for name in nodes:
            registry = Registry.open(urls[name], migrate=False)
            failures += [f"{name}: {p}" for p in verify_registry(registry)]
            registry.engine.dispose()
    except Exception as error:  # report, stop the servers, fail
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if failures:
            echo(f"Server logs are in {base}")
        elif not keep:
            shutil.rmtree(base, ignore_errors=True)
    for failure in failures:
        echo(f"FAIL {failure}")
    if failures:
        return 1
    echo(
        "All transfers completed on both sides; reconciliation found zero discrepancies; "
        "the IR verified the 6.4 registry's signed answer."
    )
    return 0


DEMONSTRATION_PAGE = 1
"""Blocks a page of the demonstration's pull holds: small, so that the pull goes page by page
(`cursor`, protocol 1.2) as a long one would."""


def pull_and_view(ir_url: str, echo: Callable[[str], Any]) -> list[str]:
    """The IR's secretariat pulls an authorization's A6.4ERs page by page; the running IR
    sends each query and receives each answer through the hub; each page printed once verified
    (what its page shows), the next asked from the cursor the 6.4 registry signed."""
    registry = Registry.open(ir_url, migrate=False)
    held, cursor, pages = 0, None, 0
    try:
        while True:
            asked = request_pull(
                registry,
                SECRETARIAT,
                PullA64ERs(
                    by=QueryBy.AUTHORIZATION,
                    authorization_id=A64_NDC,
                    limit=DEMONSTRATION_PAGE,
                    cursor=cursor,
                ),
            )

            def answered(query_id: str = asked.query_id) -> PullView | None:
                shown = view_pull(registry, SECRETARIAT, query_id)
                return shown if shown.status != "requested" else None

            shown = wait_for("the 6.4 registry's answer", answered)
            if shown.answer is None:
                return [f"pull {asked.query_id} {shown.status}: {shown.checks}"]
            pages += 1
            fetched = shown.fetched_at.isoformat(timespec="seconds") if shown.fetched_at else "?"
            echo(
                f"  page {pages} {shown.status}: signed by {shown.answer.mechanism_registry}, "
                f"answers request {shown.query_id[:8]}… (after {cursor or 'the start'}), "
                f"fetched {fetched}"
            )
            for h in shown.answer.holdings:
                echo(
                    f"  holds A64 {h.first}-{h.last} ({h.last - h.first + 1} {h.state}) in "
                    f"{h.account}, host {h.host_party}, vintage {h.vintage}"
                )
            for a in shown.answer.history:
                moved = f"A64 {a.first}-{a.last}"
                echo(f"  {a.at.date().isoformat()} {a.transaction_id} {a.kind} {moved}")
            held += sum(h.last - h.first + 1 for h in shown.answer.holdings)
            cursor = shown.answer.next_cursor
            if cursor is None or pages >= 50:
                break
    finally:
        registry.engine.dispose()
    return [] if held == 250 else [f"the 6.4 registry holds {held} of {A64_NDC}, not 250"]
