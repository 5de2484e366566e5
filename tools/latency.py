"""The latency a learner feels: slider key press -> new pixels on the explorer's canvas, in Voila + Chromium.

For every explorer of ``mcdl.widgets.EXPLORERS`` with a live figure, a one-cell notebook builds its example
(the registry's ``example`` call); one Voila server renders them, Debian's Chromium opens each page, and for
each plain slider (not n, an operator or a case) the arrow key is pressed ``PRESSES`` times, one at a time.
The page itself timestamps each key press (a capturing keydown listener) and each picture the canvas
receives (a wrapper around the 2-D context's drawImage / putImageData, which is how ipympl paints a frame);
the latency of one press is the first paint after it, minus the press.  Run by ``make bench``, or alone:
``python tools/latency.py [factory ...]``.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PRESSES = 30
PAUSE_MS = 120          # after each paint, before the next press: one update at a time

HOOKS = """
window.__keys = []; window.__paints = [];
document.addEventListener('keydown', () => window.__keys.push(performance.now()), true);
for (const name of ['drawImage', 'putImageData']) {
  const original = CanvasRenderingContext2D.prototype[name];
  CanvasRenderingContext2D.prototype[name] = function (...args) {
    window.__paints.push(performance.now());
    return original.apply(this, args);
  };
}
"""

CELL = """import mcdl
from mcdl.widgets import EXPLORERS
EXPLORERS[{name!r}].build()"""


def _notebook(name: str) -> dict:
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": "explorer", "metadata": {},
                       "outputs": [], "source": CELL.format(name=name)}],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("voila exited")
            time.sleep(0.2)
    raise RuntimeError(f"voila did not answer at {url}")


def plain_sliders(entry) -> list[str]:
    """The registry's controls of this explorer that are sliders and move without a rebuild, in order
    (none for an explorer without a live figure)."""
    widget = entry.build()
    if widget.live is None:
        return []
    return [name for name in entry.controls
            if name not in widget.structural and widget.active(name) and hasattr(widget.controls[name], "step")
            and not hasattr(widget.controls[name], "options")]


def measure_page(page, url: str, controls: list[str], presses: int = PRESSES) -> dict:
    """{control: [latency ms, ...]} for one explorer's page."""
    page.goto(url)
    first = f".mcdl-control-{controls[0]} .noUi-handle"
    page.wait_for_selector(first, timeout=120_000)
    page.wait_for_selector(".jupyter-matplotlib-figure canvas", timeout=120_000)
    page.wait_for_timeout(1500)                              # the first full frame, then quiet
    results = {}
    for name in controls:
        handle = page.locator(f".mcdl-control-{name} .noUi-handle").first
        handle.focus()
        samples, key = [], "ArrowRight"
        for _ in range(presses):
            before = page.evaluate("[window.__keys.length, window.__paints.length]")
            page.keyboard.press(key)
            try:
                page.wait_for_function(f"window.__paints.length > {before[1]} && window.__keys.length > {before[0]}",
                                       timeout=5000)
            except Exception:                               # at the slider's end nothing moves: turn round
                key = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
                continue
            samples.append(page.evaluate(f"window.__paints[{before[1]}] - window.__keys[{before[0]}]"))
            page.wait_for_timeout(PAUSE_MS)
        results[name] = samples
    return results


def run(names=None, presses: int = PRESSES) -> list[tuple]:
    """Rows (explorer, control, median ms, p95 ms, presses) for every plain slider of the chosen explorers."""
    os.environ.pop("MPLBACKEND", None)
    from playwright.sync_api import sync_playwright

    from mcdl.widgets import EXPLORERS

    chosen = [EXPLORERS[n] for n in (names or EXPLORERS)]
    rows = []
    with tempfile.TemporaryDirectory() as root:
        sliders = {}
        for entry in chosen:
            controls = plain_sliders(entry)
            if controls:
                sliders[entry.factory] = controls
                Path(root, f"{entry.factory}.ipynb").write_text(json.dumps(_notebook(entry.factory)))
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        log = open(Path(root, "voila.log"), "w")
        proc = subprocess.Popen([sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
                                 "--Voila.ip=127.0.0.1", f"--Voila.root_dir={root}"],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        try:
            _wait_for(f"http://127.0.0.1:{port}/", proc)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for factory, controls in sliders.items():
                    page = browser.new_page(viewport={"width": 1200, "height": 900})
                    page.add_init_script(HOOKS)
                    try:
                        measured = measure_page(page, f"http://127.0.0.1:{port}/voila/render/{factory}.ipynb",
                                                controls, presses)
                    except Exception as err:                # one explorer failing must not hide the others
                        rows.append((factory, "(page failed)", "–", "–", f"{type(err).__name__}"))
                        page.close()
                        continue
                    page.close()
                    for control, samples in measured.items():
                        if not samples:
                            rows.append((factory, control, "–", "–", 0))
                            continue
                        samples.sort()
                        rows.append((factory, control, f"{statistics.median(samples):.1f}",
                                     f"{samples[int(0.95 * (len(samples) - 1))]:.1f}", len(samples)))
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    return rows


if __name__ == "__main__":
    for row in run(sys.argv[1:] or None):
        print(*row, sep="\t")
