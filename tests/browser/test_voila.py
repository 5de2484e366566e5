"""Chapter widgets in Voila (fresh kernel per page, no UI chrome): move every control, wait on its caption,
see the figure change, and no error output anywhere."""
import os
import subprocess

import pytest

from .conftest import PYTHON, copy_notebooks, free_port, stop, wait_for_http

expect = pytest.importorskip("playwright.sync_api").expect

CANVAS_JS = ("(i) => { const c = document.querySelectorAll('.jupyter-matplotlib-figure canvas');"
             " return c.length > i ? c[i].toDataURL() : ''; }")


@pytest.fixture(scope="module")
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


def open_chapter(browser, voila, name, artifacts=None):
    """Open a chapter in Voila; if it has not rendered its widgets in time, keep what the page showed."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(90_000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{voila['url']}/voila/render/{name}")
    try:
        page.wait_for_selector(".widget-slider .noUi-handle")
    except Exception:
        if artifacts is not None:
            page.screenshot(path=str(artifacts / f"voila_timeout_{name}.png"), full_page=True)
        raise AssertionError(f"Voila did not render {name}'s widgets. Page text:\n{page.inner_text('body')[-3000:]}\n"
                             f"Voila log:\n{voila['log'].read_text()[-3000:]}\npage errors: {errors}")
    return page, errors


def assert_no_error_output(page):
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_chapter01_tangent_explorer_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, "01_scalar_derivative_rules.ipynb", artifacts)
    caption = page.locator(".mcdl-tangent .mcdl-caption").first
    expect(caption).to_contain_text("x = 1.00")
    page.wait_for_selector(".jupyter-matplotlib-figure canvas")
    page.wait_for_timeout(300)
    before = page.evaluate(CANVAS_JS, 0)
    # x slider: five steps of 0.05 to the right
    page.locator(".mcdl-tangent .widget-slider .noUi-handle").nth(0).focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(caption).to_contain_text("x = 1.25")
    page.wait_for_function(f"(b) => ({CANVAS_JS})(0) !== b", arg=before)
    # h slider: the secant's step shrinks, the caption reports the new h
    moved = page.evaluate(CANVAS_JS, 0)
    page.locator(".mcdl-tangent .widget-slider .noUi-handle").nth(1).focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    expect(caption).to_contain_text("h = 0.40")
    page.wait_for_function(f"(b) => ({CANVAS_JS})(0) !== b", arg=moved)
    assert_no_error_output(page)
    page.screenshot(path=str(artifacts / "voila_ch01_tangent.png"), full_page=True)
    page.close()


def test_chapter01_stepper_walks_through_a_derivation(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, "01_scalar_derivative_rules.ipynb", artifacts)
    steppers = page.locator(".mcdl-stepper")
    assert steppers.count() >= 3                     # operator view, product rule, chain rules
    stepper = steppers.nth(0)
    counter = stepper.locator(".mcdl-caption")
    expect(counter).to_contain_text("step 1 of")
    total = int(counter.inner_text().split("of")[1])
    next_button = stepper.locator("button", has_text="Next")
    first_step = stepper.inner_text()
    for k in range(2, total + 1):
        next_button.click()
        expect(counter).to_have_text(f"step {k} of {total}")
    assert stepper.inner_text() != first_step
    expect(next_button).to_be_disabled()
    stepper.locator("button", has_text="Prev").click()
    expect(counter).to_have_text(f"step {total - 1} of {total}")
    assert_no_error_output(page)
    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch01_stepper.png"))
    page.close()
