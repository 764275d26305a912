"""What a check is handed: the server, the document root, and ways to talk to it."""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import wire
from autograder.docroot import DocumentRoot
from autograder.program import Program
from autograder.runner import ServerProcess, StartResult
from autograder.sandbox import Sandbox
from autograder.timing import stretched

USER_AGENT = "labgrade/1.0"
SETTLE_SECONDS = 0.1
HOPELESS_AFTER = 1.0  # seconds of waiting before a crash during an exchange ends the wait for its answer


@dataclass
class Context:
    stage: int
    entry_path: Path  # the submission's entry point as it runs (a copy)
    docroot: DocumentRoot
    server: ServerProcess
    start_result: StartResult | None = None
    module_results: dict | None = None  # filled by the stage-5 module probe, once
    stops_by_itself: bool = False  # the server has stopped (exited, stopped listening) during this grading
    program: Program | None = None  # the entry point's source, read when a failure needs explaining
    _cache: dict = field(default_factory=dict)

    @property
    def port(self) -> int:
        return self.server.port

    # -- building requests -------------------------------------------------

    def request(self, target: str, method: str = "GET", headers=None, body: bytes = b"", lower: bool = False) -> bytes:
        """The exact bytes of a request, CRLF everywhere, ending in the blank line."""
        fields = {"Host": f"127.0.0.1:{self.port}", "User-Agent": USER_AGENT, **(headers or {})}
        lines = [f"{method} {target} HTTP/1.1"]
        lines += [f"{name.lower() if lower else name}: {value}" for name, value in fields.items()]
        head = "\r\n".join(lines) + "\r\n\r\n"
        return head.encode("utf-8") + body

    # -- talking -------------------------------------------------------------

    def send(self, request, pause: float = 0.0, timeout: float = wire.DEFAULT_TIMEOUT, cap: int = wire.DEFAULT_CAP,
             receive_buffer: int | None = None, stretch: bool = True, alone: bool = True) -> wire.Exchange:
        """One request, one answer. `alone`: no other client of this check is connected meanwhile,
        so a thread of the server that dies during the exchange was the one serving it, and waiting
        longer for its answer is pointless (False where other clients are held open)."""
        mark = self.server.watch.mark() if self.server.watch else 0
        hopeless = None
        if alone and self.server.watch is not None:
            began, patience = time.monotonic(), stretched(HOPELESS_AFTER)

            def hopeless():  # (a crash of the exchange before, reported late, does not count this soon)
                return time.monotonic() - began >= patience and any(
                    e.kind == "crash" for e in self.server.watch.since(mark))
        exchange = wire.exchange(self.port, request, pause=pause, timeout=timeout, cap=cap,
                                 receive_buffer=receive_buffer, stretch=stretch, hopeless=hopeless)
        # What the server did while it answered (files opened, crashes): a
        # cached exchange is judged by later checks, which need it too.
        exchange.events = self.server.watch.since(mark) if self.server.watch else []
        return exchange

    def get(self, target: str, cap: int = wire.DEFAULT_CAP, timeout: float = wire.DEFAULT_TIMEOUT) -> wire.Exchange:
        """GET `target`; the answer is cached for this server so checks can share it."""
        key = ("GET", target, self.server.starts)
        if key not in self._cache:
            self._cache[key] = self.send(self.request(target), cap=cap, timeout=timeout)
        return self._cache[key]

    def settle(self) -> None:
        """Give the server a moment with the clients so far before the next one comes.

        A racy server (threads sharing one global connection) answers right or
        wrong depending on whether its threads were quicker than the next
        client; the moment makes that the same on every run, so the same code
        gets the same score. Correct servers do not notice it.
        """
        time.sleep(stretched(SETTLE_SECONDS))

    def connect(self) -> wire.Connection:
        return wire.Connection(self.port)

    def module_probe(self) -> dict:
        if self.module_results is None:
            from autograder.checks.stage5 import run_module_probe  # stage 5 only

            self.module_results = run_module_probe(self)
        return self.module_results


@dataclass
class ClientContext:
    """What a stage-8 check is handed: the client to run, and the grader's own fake servers."""

    stage: int
    entry_path: Path  # the client's entry point as it runs (a copy)
    sandbox: Sandbox
    seed: int
    runs: int = 0
    cache: dict = field(default_factory=dict)  # a run that several checks judge

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def token(self, length: int = 8) -> str:
        """Random letters, so no answer can be written into the client in advance."""
        return "".join(self.rng.choice(string.ascii_lowercase) for _ in range(length))

    def run(self, server, path: str, limit: float, stretch: bool = True):
        """Run the client against `server` (a FakeServer or RefusingPort) for `path`.

        `limit` stretches with the machine's load unless it is the deadline that
        separates right from wrong (stretch=False): then it is exact, so the
        same client gets the same score on an idle and a busy machine.
        """
        from autograder.fake_server import run_client
        from autograder.timing import bounded

        self.runs += 1
        with server:
            return run_client(self.sandbox, self.entry_path, server.port, path,
                              limit=stretched(limit) if stretch else bounded(limit))
