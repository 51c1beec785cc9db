"""Run the app under uvicorn, working around uvicorn's multi-worker TCP_NODELAY bug.

With --workers N uvicorn binds the listener with proto 0, asyncio then skips TCP_NODELAY on
accepted sockets and every keep-alive response waits ~40 ms on a delayed ACK
(Kludex/uvicorn#3149). Binding the listener ourselves with IPPROTO_TCP avoids it.

Issue 10: a client gets `client_timeout_s` to send its request headers (uvicorn has no such
limit, so a slow sender held a connection forever); worker processes die with their supervisor
(a kill -9 of the parent left them serving and holding the port, which is what made a restart
fail with "Address already in use"); and with several workers the metrics are shared through
prometheus_client's multiprocess mode.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from api.metrics import MULTIPROC_ENV

APP = "api.serve:create_served_app"
SUPERVISOR_ENV = "KGQA_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1
# A worker whose supervisor vanished shuts down gracefully, but no longer than this.
GRACEFUL_SHUTDOWN_S = 5
TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class KgqaConfig(uvicorn.Config):
    """uvicorn's Config plus the time a client has to send its request headers."""

    def __init__(self, *args: Any, header_timeout_s: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_s = header_timeout_s


class HeaderTimeoutProtocol(H11Protocol):
    """h11 with a deadline for each request's headers, from connect or from the last response."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.header_timeout_s = float(getattr(config, "header_timeout_s", 10.0))
        self.header_timer: asyncio.TimerHandle | None = None
        self.waiting_after: object = None

    def arm_header_timer(self) -> None:
        """Start the clock for the next request's headers."""
        self.disarm_header_timer()
        self.waiting_after = self.cycle
        self.header_timer = self.loop.call_later(self.header_timeout_s, self.on_header_timeout)

    def disarm_header_timer(self) -> None:
        """Stop the clock."""
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.arm_header_timer()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not self.waiting_after:  # a request's headers arrived
            self.disarm_header_timer()

    def on_response_complete(self) -> None:
        self.arm_header_timer()  # before uvicorn starts a pipelined request's cycle
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm_header_timer()
        super().connection_lost(exc)

    def on_header_timeout(self) -> None:
        """Answer 408 and close a connection that did not finish its headers in time."""
        self.header_timer = None
        if self.transport.is_closing() or self.cycle is not self.waiting_after:
            return
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(TIMEOUT_RESPONSE)
        self.transport.close()


def die_with(parent: int) -> None:
    """Stop this worker when its supervisor dies, however it dies (SIGKILL included)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name and sys.platform.startswith("linux"):
        ctypes.CDLL(libc_name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)

    def watch() -> None:
        """The portable fallback: poll the parent pid."""
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="kgqa-parent-watch", daemon=True).start()


def create_served_app() -> FastAPI:
    """The app factory uvicorn runs in each process; a supervised worker watches its parent."""
    from api.app import create_default_app

    parent = os.environ.get(SUPERVISOR_ENV, "")
    if parent.isdigit() and os.getppid() == int(parent):
        die_with(int(parent))
    return create_default_app()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose accepted connections get TCP_NODELAY from asyncio."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "info",
    access_log: bool = True,
    header_timeout_s: float = 10.0,
) -> None:
    """Serve the app factory with one process, or with a supervisor over N workers."""
    config = KgqaConfig(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        http=HeaderTimeoutProtocol,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        header_timeout_s=header_timeout_s,
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    metrics_dir = tempfile.mkdtemp(prefix="kgqa-metrics-")
    os.environ[MULTIPROC_ENV] = metrics_dir
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    try:
        Multiprocess(config, sockets=[bind_socket(host, port)]).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def main() -> None:
    """python -m api.serve --host 127.0.0.1 --port 8000 --workers 2 (settings from KGQA_*)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args()
    serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=not args.no_access_log,
    )


if __name__ == "__main__":
    main()
