"""Chapter 03 in Voila: both gradient explorers, every slider moved with the keyboard, the caption waited on,
the figure seen to change, and no error output anywhere."""
import pytest

from .conftest import CANVAS_JS, assert_no_error_output, canvas_of, move_and_wait, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "03_gradients.ipynb"


def test_chapter03_gradient_explorers(browser, voila, artifacts):
    page, errors = open_chapter(browser, voila, CHAPTER, artifacts)
    explorers = page.locator(".mcdl-gradient")
    expect(explorers).to_have_count(2)
    page.wait_for_selector(".jupyter-matplotlib-figure canvas")

    # --- explorer 1: f = 3x²y, starting at (1, 1) with θ = 45° ---------------------------------------
    first = explorers.nth(0)
    caption = first.locator(".mcdl-caption")
    expect(caption).to_contain_text("∇f = [6.00, 3.00]")
    canvas = canvas_of(page, ".mcdl-gradient", 0)
    assert canvas >= 0
    page.wait_for_function(f"() => ({CANVAS_JS})({canvas}).length > 1000")
    page.wait_for_timeout(300)
    move_and_wait(page, first, 0, "ArrowRight", 5, "x = 1.25", canvas)              # x₀: 5 steps of 0.05
    move_and_wait(page, first, 1, "ArrowLeft", 4, "y = 0.80", canvas)               # y₀: 4 steps of 0.05
    expect(caption).to_contain_text("∇f = [6.00, 4.69]")                            # [6yx, 3x²] at (1.25, 0.8)
    move_and_wait(page, first, 2, "ArrowRight", 3, "θ = 60°", canvas)               # θ: 3 steps of 5°
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch03_gradient_f.png"))

    # --- explorer 2: the bowl x² + 3y², walked to its minimum, where the gradient vanishes -------------
    second = explorers.nth(1)
    caption = second.locator(".mcdl-caption")
    expect(caption).to_contain_text("∇f = [2.00, 3.00]")
    canvas = canvas_of(page, ".mcdl-gradient", 1)
    assert canvas >= 0
    second.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({CANVAS_JS})({canvas}).length > 1000")
    page.wait_for_timeout(300)
    move_and_wait(page, second, 0, "ArrowLeft", 20, "x = 0.00", canvas)             # 1.00 → 0.00
    move_and_wait(page, second, 1, "ArrowLeft", 10, "the gradient is zero here", canvas)   # 0.50 → 0.00
    expect(caption).to_contain_text("x = 0.00,  y = 0.00,  ∇f = [0.00, 0.00]")
    move_and_wait(page, second, 2, "ArrowLeft", 9, "θ = 0°", canvas)                # θ: 45° → 0°
    expect(caption).not_to_contain_text("nan")

    assert_no_error_output(page)
    assert not errors or all("RUNTIME-012" in e for e in errors), errors
    second.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch03_gradient_bowl.png"))
    page.screenshot(path=str(artifacts / "voila_ch03_full.png"), full_page=True)
    page.close()
