"""Real-browser tier: Debian's chromium driven by Playwright (no `playwright install`).

Locally the tier skips with a message when chromium is missing; under CI=true it must run.
Screenshots land in artifacts/browser/ (git-ignored) so a person can look at what a learner saw.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NB_DIR = ROOT / "notebooks"
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason):
    if IN_CI:
        pytest.fail(f"browser tier is required under CI=true but {reason}")
    pytest.skip(f"browser tier skipped: {reason} (apt-get install chromium to run it)")


@pytest.fixture(scope="session")
def browser():
    """ONE sync_playwright() per pytest session: a second, nested one raises inside asyncio."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} does not exist")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url, proc, log_path, attempts=300):
    for _ in range(attempts):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(Path(log_path).read_text())
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start:\n{Path(log_path).read_text()}")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def copy_notebooks(dest: Path):
    """Servers get a copy: autosave must never write into the committed notebooks."""
    for nb in NB_DIR.glob("*.ipynb"):
        shutil.copy(nb, dest / nb.name)
    return dest


PYTHON = sys.executable
