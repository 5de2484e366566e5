"""Chapter 05 in Voila (fresh kernel per page): the element-wise explorer answers its operator menu, its length
slider and every entry slider; the caption reports the new state, the heatmaps change, nothing prints an error."""
import pytest

from .conftest import CANVAS_JS, assert_caption_fits, assert_no_error_output, canvas_of, move_and_wait, open_chapter, press

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "05_elementwise_operations.ipynb"
EXPLORER = ".mcdl-elementwise"


def choose(page, explorer, label, caption_text, canvas):
    """Pick an operator from the explorer's menu; wait for the caption, then for the figure to change."""
    before = page.evaluate(CANVAS_JS, canvas)
    explorer.locator("select").select_option(label=label)
    expect(explorer.locator(".mcdl-caption")).to_contain_text(caption_text)
    page.wait_for_function(f"(b) => ({CANVAS_JS})({canvas}) !== b", arg=before)


def test_chapter05_elementwise_explorer(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(EXPLORER).first
    caption = explorer.locator(".mcdl-caption")
    expect(caption).to_contain_text("op = ⊗,  w = [1.00, 2.00, 3.00],  x = [4.00, 5.00, 6.00],  "
                                    "y = [4.00, 10.00, 18.00],  ∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes")
    page.wait_for_selector(f"{EXPLORER} .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, EXPLORER, 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    handles = explorer.locator(".widget-slider .noUi-handle")
    expect(handles).to_have_count(7)                      # n, then w₁..w₃, then x₁..x₃
    # w₂: 2.00 -> 3.00 (steps of 0.5): y₂ and the (2, 2) cell of ∂y/∂x change
    move_and_wait(page, explorer, 2, "ArrowRight", 2, "w = [1.00, 3.00, 3.00],  x = [4.00, 5.00, 6.00],  "
                  "y = [4.00, 15.00, 18.00]", canvas)
    # x₁: 4.00 -> 0.00: the (1, 1) cell of ∂y/∂w turns grey
    move_and_wait(page, explorer, 4, "ArrowLeft", 8, "x = [0.00, 5.00, 6.00]", canvas)
    # ⊘ with x₁ = 0: y₁ undefined, said in the caption, no error
    choose(page, explorer, "⊘    y = w ⊘ x", "op = ⊘,  w = [1.00, 3.00, 3.00],  x = [0.00, 5.00, 6.00],  "
           "y = [–, 0.60, 0.50]", canvas)
    expect(caption).to_contain_text("y₁ undefined (x₁ = 0: division by zero)")
    # n: 3 -> 4 rebuilds the sliders (9 handles) and the grids
    move_and_wait(page, explorer, 0, "ArrowRight", 1, "w = [1.00, 3.00, 3.00, -2.00],  x = [0.00, 5.00, 6.00, 1.50]",
                  canvas)
    expect(handles).to_have_count(9)
    # the counter-example: entries jump off the diagonal of ∂y/∂w
    choose(page, explorer, "shifted ⊗    yᵢ = wᵢ₊₁·xᵢ  (breaks the condition)",
           "op = shifted ⊗", canvas)
    expect(caption).to_contain_text("∂y/∂w diagonal: no (largest off-diagonal |entry| = 6.00),  ∂y/∂x diagonal: yes")
    assert_caption_fits(caption)                           # the longest caption wraps instead of being cut
    move_and_wait(page, explorer, 8, "ArrowLeft", 3, "x = [0.00, 5.00, 6.00, 0.00]", canvas)
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch05_elementwise.png"))

    # the second explorer, with the learner's own (not element-wise) y = w · sum(x)
    yours = page.locator(EXPLORER).nth(1)
    expect(yours.locator(".mcdl-caption")).to_contain_text("op = yours,  w = [1.00, 2.00, 3.00]")
    expect(yours.locator(".mcdl-caption")).to_contain_text("∂y/∂x diagonal: no (largest off-diagonal |entry| = 3.00)")
    canvas2 = canvas_of(page, EXPLORER, 1)
    assert canvas2 >= 0 and canvas2 != canvas
    move_and_wait(page, yours, 3, "ArrowRight", 2, "w = [1.00, 2.00, 4.00]", canvas2)
    expect(yours.locator(".mcdl-caption")).to_contain_text("largest off-diagonal |entry| = 4.00")
    press(page, yours.locator(".widget-slider .noUi-handle").nth(0), "ArrowLeft", 2)
    expect(yours.locator(".mcdl-caption")).to_contain_text("w = [1.00],  x = [4.00],  y = [4.00],  "
                                                           "∂y/∂w diagonal: yes,  ∂y/∂x diagonal: yes")
    assert_no_error_output(page)
    yours.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch05_elementwise_yours.png"))
    page.close()
