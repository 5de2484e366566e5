"""Chapter 06 in Voila (fresh kernel per page): the scalar-expansion explorer answers its z slider, an x slider,
the n slider and its op buttons, found by name; the caption reads what ``expansion_state`` computes, the figure
changes, and nothing prints an error."""
import pytest

from mcdl.widgets.expansion import expansion_state

from .conftest import CANVAS_JS, assert_no_error_output, canvas_of, control, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "06_scalar_expansion.ipynb"


def test_chapter06_expansion_explorer_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-expansion").first
    caption = explorer.locator(".mcdl-caption")
    x, z = [1.0, 2.0, 3.0], 2.0                     # the chapter's expansion_explorer("*", x=(1, 2, 3), z=2)
    expect(caption).to_have_text(expansion_state("*", x, z).caption)
    page.wait_for_selector(".mcdl-expansion .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-expansion", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    z = 1.5                                                                    # steps of 0.1
    move_control(page, explorer, "z", "ArrowLeft", 5, expansion_state("*", x, z).caption, canvas)
    x[0] = 2.0
    move_control(page, explorer, "x1", "ArrowRight", 10, expansion_state("*", x, z).caption, canvas)
    x.append(-1.0)                                                             # x₄ appears at its start, -1
    expected = expansion_state("*", x, z).caption
    assert expected.endswith("∂y/∂x = Iz (4×4),  ∂y/∂z = x (4×1 column)")
    move_control(page, explorer, "n", "ArrowRight", 1, expected, canvas)
    # the op buttons (class mcdl-control-op): + gives I and a column of ones
    before = page.evaluate(CANVAS_JS, canvas)
    control(explorer, "op").locator("button", has_text="+").click()
    expect(caption).to_have_text(expansion_state("+", x, z).caption)
    page.wait_for_function(f"(b) => ({CANVAS_JS})({canvas}) !== b", arg=before)
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch06_expansion.png"))
    page.close()
