"""Chapter 07 in Voila (fresh kernel per page): the sum explorer answers its n control, the x sliders, the case
menu and the z slider, found by name; its caption reads what ``sum_state`` computes, the figure changes, and
nothing prints an error."""
import pytest

from mcdl.widgets.reduction import CASES, sum_state

from .conftest import assert_no_error_output, canvas_of, control, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "07_sum_reduction.ipynb"


def test_chapter07_sum_explorer(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-sum").first
    caption = explorer.locator(".mcdl-caption")
    x = [1.0, -0.5, 1.5]                       # the chapter's sum_explorer(case="sum", x0=(1, -0.5, 1.5, -1, -2))
    expect(caption).to_have_text(sum_state(CASES["sum"], x).caption)
    page.wait_for_selector(".mcdl-sum .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-sum", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    x[0] = 1.5                                                                        # steps of 0.1
    move_control(page, explorer, "x1", "ArrowRight", 5, sum_state(CASES["sum"], x).caption, canvas)
    move_control(page, explorer, "n", "ArrowRight", 1, sum_state(CASES["sum"], x + [-1.0]).caption, canvas)
    move_control(page, explorer, "n", "ArrowLeft", 1, sum_state(CASES["sum"], x).caption, canvas)
    # the case menu (class mcdl-control-case): sum(x z), then drag z from 2.00 down to 0.50
    # (the switch is a full redraw whose frame the page sometimes drops when frames arrive close together; the
    # next slider move then ships a full frame — LiveFigure.redraw — and that is where the figure is checked)
    menu = control(explorer, "case").locator("select")
    menu.select_option(label="y = sum(x z)")
    expect(caption).to_have_text(sum_state(CASES["sum-scalar-product"], x, z=2.0).caption)
    move_control(page, explorer, "z", "ArrowLeft", 15, sum_state(CASES["sum-scalar-product"], x, z=0.5).caption,
                 canvas)
    expect(explorer).to_contain_text("∂y/∂z = sum(x) = 2.50")
    # the coupled case: every entry of a column counts
    menu.select_option(label="y = Σ xᵢ·xᵢ₊₁ (cyclic)")
    expect(caption).to_have_text(sum_state(CASES["cyclic"], x).caption)
    expect(explorer).to_contain_text("every entry of a column counts")
    x[1] = -1.5
    move_control(page, explorer, "x2", "ArrowLeft", 10, sum_state(CASES["cyclic"], x).caption, canvas)
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch07_sum_explorer.png"))

    # the second explorer, on the learner's own f (text components; n fixed at 3)
    f = "x1*x2 + x3, x2 - x3**2, x1*x3"
    mine = page.locator(".mcdl-sum").nth(1)
    expect(mine.locator(".mcdl-caption")).to_have_text(sum_state(f, [1.0, 2.0, 3.0]).caption)
    mine_canvas = canvas_of(page, ".mcdl-sum", 1)
    assert mine_canvas >= 0 and mine_canvas != canvas
    move_control(page, mine, "x3", "ArrowLeft", 10, sum_state(f, [1.0, 2.0, 2.0]).caption, mine_canvas)
    assert_no_error_output(page)
    mine.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch07_sum_explorer_yours.png"))
    page.close()
