"""Shared fixtures. Slow tests run only with COPYDESK_SLOW=1 (or --runslow)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
FIXTURES = ROOT / "tests" / "fixtures"


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


@pytest.fixture
def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("Debian chromium is not installed (scripts/install.sh --dev installs it)")
    return path
