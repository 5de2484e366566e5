"""Chapter 06 in Voila (fresh kernel per page): the scalar-expansion explorer answers its z slider, an x slider
and the n slider; the caption reports the new state, the figure changes, and nothing prints an error."""
import pytest

from .conftest import assert_no_error_output, canvas_of, move_and_wait, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "06_scalar_expansion.ipynb"


def test_chapter06_expansion_explorer_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-expansion").first
    caption = explorer.locator(".mcdl-caption")
    expect(caption).to_contain_text("op = ⊗,  z = 2.00,  y = [2.00, 4.00, 6.00],  ∂y/∂x = Iz (3×3),  "
                                    "∂y/∂z = x (3×1 column)")
    page.wait_for_selector(".mcdl-expansion .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-expansion", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    # sliders in order: n, z, x₁ … x₅ (x₄, x₅ hidden while n = 3)
    move_and_wait(page, explorer, 1, "ArrowLeft", 5, "z = 1.50,  y = [1.50, 3.00, 4.50]", canvas)
    move_and_wait(page, explorer, 2, "ArrowRight", 10, "z = 1.50,  y = [3.00, 3.00, 4.50]", canvas)   # x₁: 1 -> 2
    move_and_wait(page, explorer, 0, "ArrowRight", 1, "∂y/∂x = Iz (4×4),  ∂y/∂z = x (4×1 column)", canvas)
    expect(caption).to_contain_text("y = [3.00, 3.00, 4.50, -1.50]")
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch06_expansion.png"))
    page.close()
