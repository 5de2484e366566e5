"""Chapter 04 in Voila (fresh kernel per page): the shape explorer and the Jacobian map answer every control,
their captions report the new state, the figure changes, and nothing prints an error."""
import pytest

from .conftest import CANVAS_JS, assert_no_error_output, open_chapter, press

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "04_jacobians.ipynb"


def test_chapter04_shape_explorer_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-shape-explorer").first
    caption = explorer.locator(".mcdl-caption")
    expect(caption).to_contain_text("m = 2,  n = 3:  ∂f/∂x is a 2×3 matrix")
    handles = explorer.locator(".widget-slider .noUi-handle")
    picture_before = explorer.inner_text()
    # m: 2 -> 1, a row (the gradient)
    press(page, handles.nth(0), "ArrowLeft", 1)
    expect(caption).to_contain_text("m = 1,  n = 3:  ∂f/∂x is a 1×3 row vector")
    expect(explorer).to_contain_text("∂f/∂x₃")
    # n: 3 -> 1, a scalar; then m: 1 -> 4, a column
    press(page, handles.nth(1), "ArrowLeft", 2)
    expect(caption).to_contain_text("m = 1,  n = 1:  ∂f/∂x is a scalar")
    press(page, handles.nth(0), "ArrowRight", 3)
    expect(caption).to_contain_text("m = 4,  n = 1:  ∂f/∂x is a 4×1 column vector")
    expect(caption).to_contain_text("mcdl.jacobian returns shape (4, 1)")
    assert explorer.inner_text() != picture_before
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch04_shape_explorer.png"))
    page.close()


def test_chapter04_jacobian_map_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    widget = page.locator(".mcdl-jacobian-map").first
    caption = widget.locator(".mcdl-caption")
    expect(caption).to_contain_text("x = (1.00, 0.50),  r = 0.501,  J = [[2.00, -1.00], [0.50, 1.88]]")
    page.wait_for_selector(".mcdl-jacobian-map .jupyter-matplotlib-figure canvas")
    canvas = page.evaluate("() => Array.from(document.querySelectorAll('.jupyter-matplotlib-figure canvas'))"
                           ".indexOf(document.querySelector('.mcdl-jacobian-map .jupyter-matplotlib-figure canvas'))")
    assert canvas >= 0
    page.wait_for_timeout(300)
    handles = widget.locator(".widget-slider .noUi-handle")
    steps = [  # (slider index, key, presses, caption text after)
        (0, "ArrowLeft", 20, "x = (0.00, 0.50)"),                     # x₁: 1.00 -> 0.00 in steps of 0.05
        (1, "ArrowLeft", 10, "x = (0.00, 0.00),  r = 0.501,  J = [[0.00, -1.00], [0.00, 1.00]]"),  # singular J
        (2, "ArrowLeft", 17, "r = 0.010"),                            # r: 10^-0.3 -> 10^-2 on the log slider
        (1, "ArrowRight", 4, "x = (0.00, 0.20),  r = 0.010"),
    ]
    for index, key, times, text in steps:
        before = page.evaluate(CANVAS_JS, canvas)
        press(page, handles.nth(index), key, times)
        expect(caption).to_contain_text(text)
        page.wait_for_function(f"(b) => ({CANVAS_JS})({canvas}) !== b", arg=before)
    expect(caption).to_contain_text("max gap = 0.0")
    expect(widget).to_contain_text("column 1")                          # the side panel with J
    assert_no_error_output(page)
    widget.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch04_jacobian_map.png"))
    page.close()
