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
    """(Also sets how long expect(...) waits: Voila renders a chapter's widgets one by one, and on a loaded
    2-core machine a whole chapter can take tens of seconds.)"""
    """ONE sync_playwright() per pytest session: a second, nested one raises inside asyncio."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} does not exist")
    from playwright.sync_api import expect
    expect.set_options(timeout=60_000)
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


# --- Voila: one server for the session; each page load runs its notebook in a fresh kernel -----------
CANVAS_JS = ("(i) => { const c = document.querySelectorAll('.jupyter-matplotlib-figure canvas');"
             " return c.length > i ? c[i].toDataURL() : ''; }")


@pytest.fixture(scope="session")
def voila(tmp_path_factory):
    root = copy_notebooks(tmp_path_factory.mktemp("voila_root"))
    log_path = tmp_path_factory.mktemp("voila_log") / "voila.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # kernels draw with their own backend
    with open(log_path, "w") as log:
        proc = subprocess.Popen([PYTHON, "-m", "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                                 f"--Voila.root_dir={root}"], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/", proc, log_path)
            yield {"url": f"http://127.0.0.1:{port}", "log": log_path}
        finally:
            stop(proc)


MODEL_NOT_FOUND = "widget model not found"
SLIDER = ".widget-slider .noUi-handle"


def _wait_for_widgets(page, console, timeout_s):
    """True once a slider shows; False on timeout, or soon after the page reported a widget model it never got.

    That report is the known Voila flake (about one load in ten on a busy 2-core machine): the kernel's
    comm_open messages, replayed to the page after the server-side run, reach the widget manager before it
    listens, so the widgets of that page can never render.  Waiting longer does not help; a reload does.
    """
    deadline = time.monotonic() + timeout_s
    lost_since = None
    while time.monotonic() < deadline:
        if page.locator(SLIDER).count() > 0:
            return _settled_without_lost_models(page, console)
        if lost_since is None and any(MODEL_NOT_FOUND in text for text in console):
            lost_since = time.monotonic()
        if lost_since is not None and time.monotonic() - lost_since > 5:
            return False
        page.wait_for_timeout(250)
    return False


def _settled_without_lost_models(page, console, quiet_s=2.0, limit_s=30.0):
    """Once the first widget shows, let the rest of the page render (the slider count stops changing for
    ``quiet_s``); the load is good only if no widget model was lost on the way — a lost one, further down
    the page, would never render."""
    end = time.monotonic() + limit_s
    count, since = -1, time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < quiet_s:
        now = page.locator(SLIDER).count()
        if now != count:
            count, since = now, time.monotonic()
        page.wait_for_timeout(250)
    return not any(MODEL_NOT_FOUND in text for text in console)


def open_chapter(browser, voila, name, artifacts=None, attempts=3):
    """Open a chapter in Voila (a fresh kernel per load) and wait for its widgets.

    A load that hits the known flake (see _wait_for_widgets) or renders nothing within 75 s is reloaded, up to
    ``attempts`` loads in all; the stalled page is kept as a screenshot, and the last failure reports the page
    text, the browser console and the server log.
    """
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(150_000)
    errors, console = [], []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: console.append(msg.text))
    url = f"{voila['url']}/voila/render/{name}"
    for attempt in range(1, attempts + 1):
        console.clear()
        page.goto(url)
        if _wait_for_widgets(page, console, 75 if attempt < attempts else 150):
            return page, errors
        if artifacts is not None:
            page.screenshot(path=str(artifacts / f"voila_stalled_{name}_{attempt}.png"), full_page=True)
    raise AssertionError(f"Voila did not render {name}'s widgets in {attempts} loads. Page text:\n"
                         f"{page.inner_text('body')[-3000:]}\nconsole: {console[-20:]}\n"
                         f"Voila log:\n{voila['log'].read_text()[-3000:]}\npage errors: {errors}")


# ipympl stacks two canvases per figure (the picture and an overlay): the index, among all of the page's
# canvases as CANVAS_JS counts them, of the picture inside the k-th element matching a CSS selector
CANVAS_OF = ("([selector, k]) => { const all = [...document.querySelectorAll('.jupyter-matplotlib-figure canvas')];"
             " const box = document.querySelectorAll(selector)[k];"
             " return box ? all.indexOf(box.querySelector('.jupyter-matplotlib-figure canvas')) : -1; }")


def canvas_of(page, selector, k=0):
    return page.evaluate(CANVAS_OF, [selector, k])


def press(page, handle, key, times):
    """Focus a slider handle and press a key `times` times (each press moves one step)."""
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def control(explorer, name):
    """A control of an explorer found by its name (the CSS class mcdl-control-<name>), not its position."""
    return explorer.locator(f".mcdl-control-{name}").first


def move_control(page, explorer, name, key, times, caption_text, canvas):
    """Move the slider called `name` of `explorer` by `times` key presses; wait until the caption reads
    `caption_text` exactly (compute it from the explorer's state function), then for its figure to change."""
    from playwright.sync_api import expect

    before = page.evaluate(CANVAS_JS, canvas)
    press(page, control(explorer, name).locator(".noUi-handle"), key, times)
    expect(explorer.locator(".mcdl-caption")).to_have_text(caption_text)
    page.wait_for_function(f"(b) => ({CANVAS_JS})({canvas}) !== b", arg=before)


def assert_caption_fits(caption):
    """The whole caption is visible: it wraps onto more lines rather than being cut with an ellipsis."""
    clipped = caption.evaluate("(el) => el.scrollWidth - el.clientWidth")
    assert clipped <= 1, f"the caption is cut off by {clipped} px: {caption.inner_text()!r}"


def assert_no_error_output(page):
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "Traceback" not in page.inner_text("body")


