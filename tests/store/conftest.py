"""A real PostgreSQL server for the store tests, installed and started by the tests.

``pg_server`` (once per session) installs the Debian ``postgresql`` package if needed
(``setup_postgres.sh install``), initialises a throwaway cluster in a temporary folder
and starts it on 127.0.0.1 with a free port; it is stopped and removed at the end.
Only when PostgreSQL cannot be installed are the tests skipped, with the reason.
``pg_url`` gives each test a fresh, empty database on that server.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SETUP = Path(__file__).resolve().parent / "setup_postgres.sh"
_names = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a running throwaway server (its ``postgres`` database)."""
    install = subprocess.run(["sh", str(SETUP), "install"], capture_output=True, text=True,
                             timeout=900, check=False)
    if install.returncode == 3:
        pytest.skip(f"PostgreSQL cannot be installed here: {install.stderr.strip()}")
    assert install.returncode == 0, install.stderr
    folder = Path(tempfile.mkdtemp(prefix="narrascope-pg-"))  # not under pytest's 0700 root
    port = _free_port()
    start = subprocess.run(["sh", str(SETUP), "start", str(folder), str(port)],
                           capture_output=True, text=True, timeout=120, check=False)
    assert start.returncode == 0, f"PostgreSQL did not start: {start.stderr}"
    try:
        yield f"postgresql://narrascope@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(["sh", str(SETUP), "stop", str(folder)], capture_output=True,
                       timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server: str, name: str | None = None) -> str:
    """Create an empty database on ``server``; returns its URL."""
    import psycopg

    name = name or f"t{next(_names)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database for one test."""
    return new_database(pg_server)
