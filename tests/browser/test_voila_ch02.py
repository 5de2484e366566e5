"""Chapter 02 in Voila (fresh kernel per page): both slice explorers — move x₀ and y₀ with the keyboard, wait on
the caption, see the figure change, no error output anywhere."""
import pytest

from .conftest import assert_no_error_output, canvas_of, move_and_wait, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "02_partial_derivatives.ipynb"


def test_chapter02_slice_explorers(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorers = page.locator(".mcdl-slices")
    expect(explorers).to_have_count(2)
    page.wait_for_function("() => document.querySelectorAll('.jupyter-matplotlib-figure canvas').length >= 2")
    page.wait_for_timeout(300)

    # 1. f = 3x²y at the paper's point (1, 2): partials 12 and 3
    first = explorers.nth(0)
    first_canvas, second_canvas = (canvas_of(page, ".mcdl-slices", k) for k in (0, 1))
    assert 0 <= first_canvas < second_canvas
    expect(first.locator(".mcdl-caption")).to_have_text(
        "x = 1.00,  y = 2.00,  f = 6.00,  ∂f/∂x = 12.00,  ∂f/∂y = 3.00")
    move_and_wait(page, first, 0, "ArrowRight", 4, "x = 1.20,  y = 2.00,  f = 8.64,  ∂f/∂x = 14.40,  ∂f/∂y = 4.32", first_canvas)
    move_and_wait(page, first, 1, "ArrowLeft", 4, "x = 1.20,  y = 1.80,  f = 7.78,  ∂f/∂x = 12.96,  ∂f/∂y = 4.32", first_canvas)
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch02_slices_3x2y.png"))

    # 2. the learner's own Python function, sin(x) + cos(y), starting at (0.5, -1)
    second = explorers.nth(1)
    expect(second.locator(".mcdl-caption")).to_contain_text("x = 0.50,  y = -1.00")
    move_and_wait(page, second, 0, "ArrowRight", 3, "x = 0.65,  y = -1.00", second_canvas)
    move_and_wait(page, second, 1, "ArrowRight", 2, "x = 0.65,  y = -0.90", second_canvas)
    # ∂f/∂x = cos x does not depend on y: the caption keeps it while y moves
    assert "∂f/∂x = 0.80" in second.locator(".mcdl-caption").inner_text()
    second.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch02_slices_hills.png"))

    assert_no_error_output(page)
    page.screenshot(path=str(artifacts / "voila_ch02.png"), full_page=True)
    page.close()
