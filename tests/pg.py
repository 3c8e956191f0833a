"""A throwaway PostgreSQL server for the tests (Debian's `postgresql` package, no network).

``pg_server()`` runs ``initdb`` into a fresh temp folder, starts the server on a free
loopback port (``listen_addresses=127.0.0.1``, socket in the temp folder), and returns it;
it is started once per test process and stopped and removed at exit. ``new_database()``
gives each test module a database of its own. When the binaries are absent the caller
skips with the reason from ``why_unavailable()``.

As root (PostgreSQL refuses to run as root) the server runs as the ``postgres`` user via
``runuser`` (or ``su``), with the temp folder chowned to it.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

_lock = threading.Lock()
_server: PgServer | None = None
_failure: str | None = None


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (it holds initdb and pg_ctl)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.parent.name.split(".")])
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Stops the server and removes its folder once the test process is gone, even if it was killed
# (SIGKILL or a CI timeout skip atexit): run detached, polling the parent's pid.
_WATCHDOG = r"""
import os, shutil, subprocess, sys, time
parent, root, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    except PermissionError:
        pass
    time.sleep(1)
try:
    subprocess.run(cmd, capture_output=True, timeout=60, cwd="/")
finally:
    shutil.rmtree(root, ignore_errors=True)
"""


class PgServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="copydesk-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.user = "copydesk"
        self._as: list[str] = []
        self._watchdog: subprocess.Popen | None = None
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run the server") from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            os.chmod(self.root, 0o700)
            runuser = shutil.which("runuser")
            self._as = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]

    def _cmd(self, args: list[str]) -> list[str]:
        """``args`` as the server's user (runuser/su when running as root)."""
        if self._as and self._as[0] == "su":
            import shlex

            return self._as + [" ".join(shlex.quote(a) for a in args)]
        return self._as + args

    def _run(self, args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = self._cmd(args)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
        if res.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({res.returncode}): {res.stderr.strip()[-2000:]} {log}")
        return res

    def start(self) -> None:
        self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8",
                   "--no-sync", "--no-instructions"])
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60",
                   "start"], timeout=90)
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.root), *self._cmd(self._stop_args())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def _stop_args(self) -> list[str]:
        return [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]

    def stop(self) -> None:
        try:
            self._run(self._stop_args(), timeout=60)
        except Exception:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
        if self._watchdog is not None and self._watchdog.poll() is None:
            self._watchdog.kill()  # our own helper, by its pid
            self._watchdog.wait(timeout=10)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def why_unavailable() -> str | None:
    if find_bin() is None:
        return "PostgreSQL server binaries not found (scripts/install.sh --dev installs Debian's postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return _failure


def pg_server() -> PgServer:
    """The test process's PostgreSQL server, started on first use."""
    global _server, _failure
    with _lock:
        if _server is not None:
            return _server
        if _failure is not None:
            raise RuntimeError(_failure)
        bindir = find_bin()
        if bindir is None:
            raise RuntimeError(why_unavailable() or "no PostgreSQL")
        srv = PgServer(bindir)
        try:
            srv.start()
        except Exception as e:
            srv.stop()
            _failure = f"could not start PostgreSQL: {e}"
            raise RuntimeError(_failure) from None
        _server = srv
        atexit.register(srv.stop)
        return srv


def new_database(prefix: str = "copydesk") -> str:
    """URL of a fresh, empty database on the test server."""
    return pg_server().create_database(f"{prefix}_{uuid.uuid4().hex[:10]}")


def database_or_skip(prefix: str = "copydesk") -> str:
    """:func:`new_database`, or skip the calling test with the reason there is no server."""
    import pytest

    why = why_unavailable()
    if why:
        pytest.skip(why)
    try:
        return new_database(prefix)
    except RuntimeError as e:
        pytest.skip(str(e))


def wait_for(url: str, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
