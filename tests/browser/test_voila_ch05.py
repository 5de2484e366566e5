"""Chapter 05 in Voila (fresh kernel per page): the element-wise explorer answers its operator menu, its length
slider and its entry sliders, found by name; the caption reads what ``elementwise_state`` computes, the heatmaps
change, nothing prints an error."""
import numpy as np
import pytest

from mcdl.widgets.elementwise import elementwise_state

from .conftest import (CANVAS_JS, assert_caption_fits, assert_no_error_output, canvas_of, control, move_control,
                       open_chapter, press)

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "05_elementwise_operations.ipynb"
EXPLORER = ".mcdl-elementwise"


def choose(page, explorer, label, caption_text, canvas):
    """Pick an operator from the explorer's menu (class mcdl-control-op); wait for the caption to read
    ``caption_text``, then for the figure to change."""
    before = page.evaluate(CANVAS_JS, canvas)
    control(explorer, "op").locator("select").select_option(label=label)
    expect(explorer.locator(".mcdl-caption")).to_have_text(caption_text)
    page.wait_for_function(f"(b) => ({CANVAS_JS})({canvas}) !== b", arg=before)


def test_chapter05_elementwise_explorer(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(EXPLORER).first
    caption = explorer.locator(".mcdl-caption")
    w, x = [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]               # the chapter's elementwise_explorer(): ⊗, example 14
    expect(caption).to_have_text(elementwise_state("*", w, x).caption)
    page.wait_for_selector(f"{EXPLORER} .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, EXPLORER, 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    # w₂: 2.00 -> 3.00 (steps of 0.5): y₂ and the (2, 2) cell of ∂y/∂x change
    w[1] = 3.0
    move_control(page, explorer, "w2", "ArrowRight", 2, elementwise_state("*", w, x).caption, canvas)
    # x₁: 4.00 -> 0.00: the (1, 1) cell of ∂y/∂w turns grey
    x[0] = 0.0
    move_control(page, explorer, "x1", "ArrowLeft", 8, elementwise_state("*", w, x).caption, canvas)
    # ⊘ with x₁ = 0: y₁ undefined, said in the caption, no error
    expected = elementwise_state("/", w, x).caption
    assert expected.endswith("y₁ undefined (x₁ = 0: division by zero)")
    choose(page, explorer, "⊘    y = w ⊘ x", expected, canvas)
    # n: 3 -> 4 shows w₄ and x₄ (they start at -2 and 1.5) and rebuilds the grids
    w, x = w + [-2.0], x + [1.5]
    move_control(page, explorer, "n", "ArrowRight", 1, elementwise_state("/", w, x).caption, canvas)
    expect(control(explorer, "w4").locator(".noUi-handle")).to_be_visible()
    # the counter-example: entries jump off the diagonal of ∂y/∂w
    expected = elementwise_state("shifted ⊗", w, x).caption
    assert "∂y/∂w diagonal: no (largest off-diagonal |entry| = 6.00),  ∂y/∂x diagonal: yes" in expected
    choose(page, explorer, "shifted ⊗    yᵢ = wᵢ₊₁·xᵢ  (breaks the condition)", expected, canvas)
    assert_caption_fits(caption)                           # the longest caption wraps instead of being cut
    x[3] = 0.0
    move_control(page, explorer, "x4", "ArrowLeft", 3, elementwise_state("shifted ⊗", w, x).caption, canvas)
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch05_elementwise.png"))

    # the second explorer, with the learner's own (not element-wise) y = w · sum(x)
    def mine(w, x):
        return w * np.sum(x)
    yours = page.locator(EXPLORER).nth(1)
    w, x = [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]
    expected = elementwise_state(mine, w, x).caption
    assert expected.startswith("op = yours,") and "(largest off-diagonal |entry| = 3.00)" in expected
    expect(yours.locator(".mcdl-caption")).to_have_text(expected)
    canvas2 = canvas_of(page, EXPLORER, 1)
    assert canvas2 >= 0 and canvas2 != canvas
    w[2] = 4.0
    move_control(page, yours, "w3", "ArrowRight", 2, elementwise_state(mine, w, x).caption, canvas2)
    expect(yours.locator(".mcdl-caption")).to_contain_text("largest off-diagonal |entry| = 4.00")
    press(page, control(yours, "n").locator(".noUi-handle"), "ArrowLeft", 2)
    expect(yours.locator(".mcdl-caption")).to_have_text(elementwise_state(mine, [1.0], [4.0]).caption)
    assert_no_error_output(page)
    yours.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch05_elementwise_yours.png"))
    page.close()
