"""Start ``copydesk serve`` in a subprocess on a free loopback port, for the API and browser tests.

Also: synthetic articles (distinct texts for load tests) and a store-count helper.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from pg import free_port

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"


class ServerProc:
    """``copydesk serve --db DB --port PORT`` (default host: the CLI's, 127.0.0.1)."""

    def __init__(self, db: str, workers: int = 1, log_dir: Path | None = None, args: Sequence[str] = ()) -> None:
        self.db = db
        self.workers = workers
        self.args = list(args)  # further `copydesk serve` options, e.g. ["--allowed-host", "name"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix="copydesk-serve-", suffix=".log", dir=log_dir)[1])
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120.0) -> ServerProc:
        cmd = [sys.executable, "-m", "copydesk.cli", "serve", "--db", self.db, "--port", str(self.port)]
        if self.workers != 1:
            cmd += ["--workers", str(self.workers)]
        cmd += self.args
        env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
        log = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                     start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"copydesk serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                r = httpx.get(self.url + "/health", timeout=2.0)
                if r.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"copydesk serve did not answer in {timeout:.0f} s:\n{self.log()}")
            time.sleep(0.25)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)  # the group we started (uvicorn workers)
                p.wait(timeout=10)
        self.proc = None
        self.log_path.unlink(missing_ok=True)


def seed_articles() -> list[dict]:
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))]


_NAMES = ["Alvarez", "Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Kowalski", "Brennan", "Novak", "Sato",
          "Ferreira", "Ivanova", "Mensah", "Castillo", "Nakamura", "Duarte"]
_CITIES = ["Lisbon", "Nairobi", "Osaka", "Tallinn", "Quito", "Perth", "Porto", "Accra", "Bergen", "Cusco", "Dakar",
           "Hobart", "Krakow", "Lyon", "Medan", "Tromso"]
_WORDS: list[str] = []


def _words() -> list[str]:
    if not _WORDS:
        from wordfreq import top_n_list

        _WORDS.extend(w for w in top_n_list("en", 6000)[300:] if w.isalpha() and len(w) > 3)
    return _WORDS


def synthetic_article(i: int, seed: int = 0) -> dict:
    """A distinct short news-like article (random vocabulary), deterministic in (i, seed)."""
    r = random.Random(seed * 1_000_003 + i)
    w = _words()
    sents = []
    for _ in range(r.randint(5, 8)):
        ws = r.sample(w, 9)
        sents.append(f"{r.choice(_NAMES)} said the {ws[0]} {ws[1]} in {r.choice(_CITIES)} would {ws[2]} "
                     f"{r.randint(2, 990)} {ws[3]} {ws[4]} by {ws[5]}, {ws[6]} {ws[7]} {ws[8]}.")
    title = " ".join(x.capitalize() for x in r.sample(w, 6))
    return {"id": f"synth-{seed}-{i}", "title": title, "text": title + "\n\n" + " ".join(sents)}


def n_articles(client: httpx.Client) -> int:
    """The articles in the store, as the server's ``/health`` counts them."""
    return client.get("/health").json()["articles"]


def stored_ids(db: str) -> list[str]:
    """Every article id in the store, straight from the database (duplicates would show twice)."""
    from copydesk.store import open_store

    store = open_store(db)
    try:
        return [r[0] for r in store._exec("SELECT id FROM articles").fetchall()]
    finally:
        store.close()
