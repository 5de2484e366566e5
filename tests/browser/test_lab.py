"""JupyterLab smoke test: the learner's real environment (Lab's widget manager, the ipympl extension)
opens chapter 00, runs all cells, and the tangent widget answers a slider move."""
import json
import os
import secrets
import subprocess

import pytest

from mcdl.widgets.tangent import tangent_state

from .conftest import PYTHON, copy_notebooks, free_port, stop, wait_for_http

expect = pytest.importorskip("playwright.sync_api").expect


def _write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = copy_notebooks(tmp_path_factory.mktemp("labroot"))
    home = tmp_path_factory.mktemp("labhome")
    settings = home / "settings"
    _write(settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
           {"fetchNews": "false", "checkForUpdates": False})          # no "Jupyter news?" toast
    _write(settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
           {"windowingMode": "none"})                                 # render every cell
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    env.pop("MPLBACKEND", None)
    port, token = free_port(), secrets.token_hex(8)
    cmd = [PYTHON, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = home / "lab.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(f"{base}/api/status?token={token}", proc, log_path)
            yield {"base": base, "token": token}
        finally:
            stop(proc)


KERNEL_READY = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""


def test_chapter00_runs_all_and_widget_responds(browser, lab, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 2400})
    page.set_default_timeout(90_000)
    ws = "smoke" + secrets.token_hex(3)                       # fresh workspace: no restored tabs
    page.goto(f"{lab['base']}/lab/workspaces/{ws}/tree/00_start_here.ipynb?token={lab['token']}")
    page.wait_for_function(KERNEL_READY)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    square = lambda x: x**2                                   # noqa: E731 — the chapter's first explorer
    caption = page.locator(".mcdl-tangent .mcdl-caption").first
    expect(caption).to_have_text(tangent_state(square, 1.0, 0.5).caption)
    page.wait_for_selector(".jupyter-matplotlib-figure canvas")
    handle = page.locator(".mcdl-tangent .mcdl-control-x .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(caption).to_have_text(tangent_state(square, 1.2, 0.5).caption)     # four steps of 0.05
    # every exercise check rendered its feedback, none crashed
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0
    caption.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "lab_ch00.png"))
    page.close()
