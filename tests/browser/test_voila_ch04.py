"""Chapter 04 in Voila (fresh kernel per page): the shape explorer and the Jacobian map answer every control,
moved by name; their captions read what the state functions compute, the figure changes, nothing prints an error."""
import numpy as np
import pytest

from mcdl.widgets.jacobian_map import jacobian_map_state, shape_state

from .conftest import assert_no_error_output, canvas_of, control, move_control, open_chapter, press

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "04_jacobians.ipynb"


def F(x):                                           # the chapter's map of the plane
    return np.array([x[0]**2 - x[1], x[0] * x[1] + np.sin(x[1])])


def test_chapter04_shape_explorer_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-shape-explorer").first
    caption = explorer.locator(".mcdl-caption")
    expect(caption).to_have_text(shape_state(2, 3).caption)
    picture_before = explorer.inner_text()
    for name, key, times, m, n in (("m", "ArrowLeft", 1, 1, 3),       # a row (the gradient)
                                   ("n", "ArrowLeft", 2, 1, 1),       # a scalar
                                   ("m", "ArrowRight", 3, 4, 1)):     # a column
        press(page, control(explorer, name).locator(".noUi-handle"), key, times)
        expect(caption).to_have_text(shape_state(m, n).caption)
        if (m, n) == (1, 3):
            expect(explorer).to_contain_text("∂f/∂x₃")
    expect(caption).to_contain_text("∂f/∂x is a 4×1 column vector,  mcdl.jacobian returns shape (4, 1)")
    assert explorer.inner_text() != picture_before
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch04_shape_explorer.png"))
    page.close()


def test_chapter04_jacobian_map_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    widget = page.locator(".mcdl-jacobian-map").first
    caption = widget.locator(".mcdl-caption")
    r0 = 10 ** -0.3                                  # r = 0.5 on the log slider's grid
    expect(caption).to_have_text(jacobian_map_state(F, (1.0, 0.5), r0).caption)
    page.wait_for_selector(".mcdl-jacobian-map .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-jacobian-map", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    singular = jacobian_map_state(F, (0.0, 0.0), r0)
    assert "J = [[0.00, -1.00], [0.00, 1.00]]" in singular.caption
    for name, key, times, x, r in (("x1", "ArrowLeft", 20, (0.0, 0.5), r0),      # 1.00 -> 0.00 in steps of 0.05
                                   ("x2", "ArrowLeft", 10, (0.0, 0.0), r0),      # a singular J
                                   ("r", "ArrowLeft", 17, (0.0, 0.0), 0.01),     # 10^-0.3 -> 10^-2
                                   ("x2", "ArrowRight", 4, (0.0, 0.2), 0.01)):
        move_control(page, widget, name, key, times, jacobian_map_state(F, x, r).caption, canvas)
    expect(caption).to_contain_text("max gap = 0.0")
    expect(widget).to_contain_text("column 1")                          # the side panel with J
    assert_no_error_output(page)
    widget.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch04_jacobian_map.png"))
    page.close()
