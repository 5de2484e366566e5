"""Chapter 03 in Voila: both gradient explorers, every control moved by name with the keyboard, the caption the
state function computes waited on, the figure seen to change, and no error output anywhere."""
import pytest

from mcdl.widgets.gradient_field import gradient_state

from .conftest import CANVAS_JS, assert_no_error_output, canvas_of, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "03_gradients.ipynb"
WINDOW = dict(xlim=(-2, 2), ylim=(-2, 2))           # both of the chapter's explorers


def bowl(x, y):                                     # the chapter's own Python function
    return x**2 + 3 * y**2


def test_chapter03_gradient_explorers(browser, voila, artifacts):
    page, errors = open_chapter(browser, voila, CHAPTER, artifacts)
    explorers = page.locator(".mcdl-gradient")
    expect(explorers).to_have_count(2)
    page.wait_for_selector(".jupyter-matplotlib-figure canvas")

    # --- explorer 1: f = 3x²y, starting at (1, 1) with θ = 45° ---------------------------------------
    f = "3*x**2*y"
    first = explorers.nth(0)
    caption = first.locator(".mcdl-caption")
    expect(caption).to_have_text(gradient_state(f, 1.0, 1.0, 45, **WINDOW).caption)
    canvas = canvas_of(page, ".mcdl-gradient", 0)
    assert canvas >= 0
    page.wait_for_function(f"() => ({CANVAS_JS})({canvas}).length > 1000")
    page.wait_for_timeout(300)
    move_control(page, first, "x0", "ArrowRight", 5, gradient_state(f, 1.25, 1.0, 45, **WINDOW).caption, canvas)
    move_control(page, first, "y0", "ArrowLeft", 4, gradient_state(f, 1.25, 0.8, 45, **WINDOW).caption, canvas)
    expect(caption).to_contain_text("∇f = [6.00, 4.69]")                            # [6yx, 3x²] at (1.25, 0.8)
    move_control(page, first, "theta", "ArrowRight", 3, gradient_state(f, 1.25, 0.8, 60, **WINDOW).caption, canvas)
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch03_gradient_f.png"))

    # --- explorer 2: the bowl x² + 3y², walked to its minimum, where the gradient vanishes -------------
    second = explorers.nth(1)
    caption = second.locator(".mcdl-caption")
    expect(caption).to_have_text(gradient_state(bowl, 1.0, 0.5, 45, **WINDOW).caption)
    canvas = canvas_of(page, ".mcdl-gradient", 1)
    assert canvas >= 0
    second.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({CANVAS_JS})({canvas}).length > 1000")
    page.wait_for_timeout(300)
    move_control(page, second, "x0", "ArrowLeft", 20, gradient_state(bowl, 0.0, 0.5, 45, **WINDOW).caption, canvas)
    flat = gradient_state(bowl, 0.0, 0.0, 45, **WINDOW)
    assert flat.zero and flat.caption.startswith("x = 0.00,  y = 0.00,  ∇f = [0.00, 0.00],  the gradient is zero")
    move_control(page, second, "y0", "ArrowLeft", 10, flat.caption, canvas)
    move_control(page, second, "theta", "ArrowLeft", 9, gradient_state(bowl, 0.0, 0.0, 0, **WINDOW).caption, canvas)

    assert_no_error_output(page)
    assert not errors or all("RUNTIME-012" in e for e in errors), errors
    second.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch03_gradient_bowl.png"))
    page.screenshot(path=str(artifacts / "voila_ch03_full.png"), full_page=True)
    page.close()
