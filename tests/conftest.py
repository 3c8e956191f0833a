"""Shared fixtures. Slow tests run only with COPYDESK_SLOW=1 (or --runslow)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"
EVAL_FLOORS = json.loads((ROOT / "tests" / "eval_floors.json").read_text(encoding="utf-8"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow") or os.environ.get("COPYDESK_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set COPYDESK_SLOW=1 or pass --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Seed articles by three-digit prefix: {"000": text, ...}."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def shared_data_dir() -> Path | None:
    d = Path(os.environ.get("COPYDESK_DATA", ROOT.parent / "shared" / "data"))
    return d if d.is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("evaluation data not found: set COPYDESK_DATA to the shared/data folder")
    return d


@pytest.fixture(scope="session")
def eval_floors() -> dict:
    """tests/eval_floors.json: per key, the task, data file, sample size (``limit``) and metric floors."""
    return EVAL_FLOORS


@pytest.fixture
def run_eval(data_dir: Path, tmp_path: Path) -> Callable[[str], dict]:
    """``run_eval(key)``: ``copydesk eval`` through the CLI on the sample eval_floors.json names under
    ``key``, returning the metrics it writes with --json. Skips when the data file is absent."""

    def run(key: str) -> dict:
        from click.testing import CliRunner

        from copydesk.cli import main

        spec = EVAL_FLOORS[key]
        path = data_dir / spec["data"]
        if not path.is_file():
            pytest.skip(f"{path} not found: set COPYDESK_DATA to the shared/data folder")
        out = tmp_path / f"{key}.json"
        args = ["eval", spec["task"], "--data", str(path), "--json", str(out)]
        if spec.get("limit"):
            args += ["--limit", str(spec["limit"])]
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0, f"copydesk {' '.join(args)} failed: {res.output[-3000:]}"
        return json.loads(out.read_text(encoding="utf-8"))

    return run


@pytest.fixture(scope="session")
def check_floors() -> Callable[[str, dict], None]:
    """``check_floors(key, got)``: every metric floor (``min``) and cap (``max``) of ``key`` in
    eval_floors.json is met."""

    def check(key: str, got: dict) -> None:
        low = {
            m: (got.get(m), floor)
            for m, floor in EVAL_FLOORS[key]["min"].items()
            if got.get(m) is None or got[m] < floor
        }
        assert not low, f"{key} below floors (measured, floor): {low}; all metrics: {got}"
        high = {
            m: (got.get(m), cap)
            for m, cap in EVAL_FLOORS[key].get("max", {}).items()
            if got.get(m) is None or got[m] > cap
        }
        assert not high, f"{key} above caps (measured, cap): {high}; all metrics: {got}"

    return check


@pytest.fixture
def client(server):
    """An HTTP client of the test module's ``server`` fixture (a ``webserver.ServerProc``)."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("Debian chromium is not installed (scripts/install.sh --dev installs it)")
    return path


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def playwright_instance():
    """Playwright, started once a test module (skips where it is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    pw = sync_api.sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture
def browser(playwright_instance, chromium):
    """Debian's headless chromium, launched for one test."""
    b = playwright_instance.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def page(browser):
    """A 1280x900 page that records its script errors and console errors (``page.errors``) and every URL
    it requests (``page.requests``)."""
    p = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    p.on("request", lambda r: requests.append(r.url))
    p.errors, p.requests = errors, requests
    yield p
    p.close()
