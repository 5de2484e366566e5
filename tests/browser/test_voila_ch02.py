"""Chapter 02 in Voila (fresh kernel per page): both slice explorers — move x₀ and y₀ by name with the keyboard,
wait for the caption the state function computes, see the figure change, no error output anywhere."""
import numpy as np
import pytest

from mcdl.widgets.partials import slice_state

from .conftest import assert_no_error_output, canvas_of, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "02_partial_derivatives.ipynb"


def hills(x, y):                                    # the chapter's own Python function
    return np.sin(x) + np.cos(y)


def test_chapter02_slice_explorers(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorers = page.locator(".mcdl-slices")
    expect(explorers).to_have_count(2)
    page.wait_for_function("() => document.querySelectorAll('.jupyter-matplotlib-figure canvas').length >= 2")
    page.wait_for_timeout(300)
    first_canvas, second_canvas = (canvas_of(page, ".mcdl-slices", k) for k in (0, 1))
    assert 0 <= first_canvas < second_canvas

    # 1. f = 3x²y at the paper's point (1, 2): partials 12 and 3; x₀ and y₀ move in steps of 0.05
    first = explorers.nth(0)
    f = "3*x**2*y"
    expect(first.locator(".mcdl-caption")).to_have_text(slice_state(f, 1.0, 2.0).caption)
    assert slice_state(f, 1.0, 2.0).caption == "x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00"
    move_control(page, first, "x0", "ArrowRight", 4, slice_state(f, 1.2, 2.0).caption, first_canvas)
    move_control(page, first, "y0", "ArrowLeft", 4, slice_state(f, 1.2, 1.8).caption, first_canvas)
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch02_slices_3x2y.png"))

    # 2. the learner's own Python function, sin(x) + cos(y), starting at (0.5, -1) in the window [-4, 4]²
    second = explorers.nth(1)
    window = dict(xlim=(-4, 4), ylim=(-4, 4))
    expect(second.locator(".mcdl-caption")).to_have_text(slice_state(hills, 0.5, -1.0, **window).caption)
    move_control(page, second, "x0", "ArrowRight", 3, slice_state(hills, 0.65, -1.0, **window).caption, second_canvas)
    move_control(page, second, "y0", "ArrowRight", 2, slice_state(hills, 0.65, -0.9, **window).caption, second_canvas)
    # ∂f/∂x = cos x does not depend on y: the caption keeps it while y moves
    assert "∂f/∂x = 0.80" in second.locator(".mcdl-caption").inner_text()
    second.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch02_slices_hills.png"))

    assert_no_error_output(page)
    page.screenshot(path=str(artifacts / "voila_ch02.png"), full_page=True)
    page.close()
