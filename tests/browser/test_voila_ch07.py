"""Chapter 07 in Voila (fresh kernel per page): the sum explorer answers its n control, the x sliders, the case
menu and the z slider; its caption reports the new state, the figure changes, and nothing prints an error."""
import pytest

from .conftest import assert_no_error_output, canvas_of, move_and_wait, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "07_sum_reduction.ipynb"


def test_chapter07_sum_explorer(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-sum").first
    caption = explorer.locator(".mcdl-caption")
    expect(caption).to_contain_text("x = [1.00, 2.00, 3.00],  y = 6.00,  ∂y/∂x = [1.00, 1.00, 1.00] (1×3 row)")
    page.wait_for_selector(".mcdl-sum .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-sum", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    # sliders in page order: n, then x₁ … xₙ, then z or w₁ … wₙ when the case has them
    move_and_wait(page, explorer, 1, "ArrowRight", 5, "x = [1.50, 2.00, 3.00],  y = 6.50", canvas)      # x₁ 1 -> 1.5
    move_and_wait(page, explorer, 0, "ArrowRight", 1, "x = [1.50, 2.00, 3.00, -1.00],  y = 5.50,  "
                  "∂y/∂x = [1.00, 1.00, 1.00, 1.00] (1×4 row)", canvas)                                   # n 3 -> 4
    move_and_wait(page, explorer, 0, "ArrowLeft", 1, "(1×3 row)", canvas)                                 # n back to 3
    # the case menu: sum(x z), then drag z from 2.00 down to 0.50
    # (the switch is a full redraw whose frame the page sometimes drops when frames arrive close together; the
    # next slider move then ships a full frame — LiveFigure.redraw — and that is where the figure is checked)
    explorer.locator("select").first.select_option(label="y = sum(x z)")
    expect(caption).to_contain_text("z = 2.00,  y = 13.00,  ∂y/∂x = [2.00, 2.00, 2.00] (1×3 row),  ∂y/∂z = 6.50 (1×1)")
    move_and_wait(page, explorer, 4, "ArrowLeft", 15, "z = 0.50,  y = 3.25,  ∂y/∂x = [0.50, 0.50, 0.50]", canvas)
    expect(explorer).to_contain_text("∂y/∂z = sum(x) = 6.50")
    # the coupled case: every entry of a column counts
    explorer.locator("select").first.select_option(label="y = Σ xᵢ·xᵢ₊₁ (cyclic)")
    expect(caption).to_contain_text("x = [1.50, 2.00, 3.00],  y = 13.50,  ∂y/∂x = [5.00, 4.50, 3.50] (1×3 row)")
    expect(explorer).to_contain_text("every entry of a column counts")
    move_and_wait(page, explorer, 2, "ArrowLeft", 10, "x = [1.50, 1.00, 3.00]", canvas)
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch07_sum_explorer.png"))

    # the second explorer, on the learner's own f (text components; n fixed at 3)
    mine = page.locator(".mcdl-sum").nth(1)
    mine_caption = mine.locator(".mcdl-caption")
    expect(mine_caption).to_contain_text("x = [1.00, 2.00, 3.00],  y = 1.00,  ∂y/∂x = [5.00, 2.00, -4.00] (1×3 row)")
    mine_canvas = canvas_of(page, ".mcdl-sum", 1)
    assert mine_canvas >= 0 and mine_canvas != canvas
    move_and_wait(page, mine, 3, "ArrowLeft", 10, "x = [1.00, 2.00, 2.00]", mine_canvas)
    assert_no_error_output(page)
    mine.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch07_sum_explorer_yours.png"))
    page.close()
