"""Run the app under uvicorn, working around uvicorn's multi-worker TCP_NODELAY bug.

With --workers N uvicorn binds the listener with proto 0, asyncio then skips TCP_NODELAY on
accepted sockets and every keep-alive response waits ~40 ms on a delayed ACK
(Kludex/uvicorn#3149). Binding the listener ourselves with IPPROTO_TCP avoids it.
"""

from __future__ import annotations

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "api.app:create_default_app"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose accepted connections get TCP_NODELAY from asyncio."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(
    *, host: str, port: int, workers: int, log_level: str = "info", access_log: bool = True
) -> None:
    """Serve the app factory with one process, or with a supervisor over N workers."""
    config = uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    Multiprocess(config, sockets=[bind_socket(host, port)]).run()


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
