"""Chapter 09 in Voila (fresh kernel per page): the neuron explorer answers its b and x₁ sliders, the caption
reads what ``neuron_state`` computes (including the switch from xᵀ to 0ᵀ as x crosses the line
w·x + b = 0), the figure changes, and nothing prints an error; the vector stepper walks the activation."""
import pytest

from mcdl.vector_derivation import vector_chain_rule_steps
from mcdl.widgets.neuron import neuron_state

from .conftest import NB_DIR, assert_caption_fits, assert_no_error_output, canvas_of, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "09_neuron_gradient.ipynb"


def test_chapter09_neuron_explorer_and_stepper(browser, voila, artifacts):
    if not (NB_DIR / CHAPTER).exists():
        pytest.skip(f"notebooks/{CHAPTER} does not exist yet")
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    explorer = page.locator(".mcdl-neuron").first
    caption = explorer.locator(".mcdl-caption")
    w1, w2, b, x1, x2 = 1.0, -0.5, 0.5, 1.0, 1.5            # the chapter's mcdl.neuron_explorer()
    expect(caption).to_have_text(neuron_state(w1, w2, b, x1, x2).caption)
    assert "active" in caption.inner_text() and "∂a/∂w = xᵀ" in caption.inner_text()
    page.wait_for_selector(".mcdl-neuron .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-neuron", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    b = 0.0                                                   # steps of 0.05
    move_control(page, explorer, "b", "ArrowLeft", 10, neuron_state(w1, w2, b, x1, x2).caption, canvas)
    x1 = 0.0                                                  # z = -0.75: the neuron switches off
    expected = neuron_state(w1, w2, b, x1, x2).caption
    assert "inactive" in expected and "∂a/∂w = 0ᵀ" in expected and "agrees" in expected
    move_control(page, explorer, "x1", "ArrowLeft", 20, expected, canvas)
    assert_caption_fits(caption)
    assert_no_error_output(page)
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch09_neuron.png"))

    stepper = page.locator(".mcdl-vector-stepper").first
    n = len(vector_chain_rule_steps("max(0, dot(w, x) + b)", "w", {"w": (3,), "x": (3,), "b": ()}))
    expect(stepper.locator(".mcdl-caption")).to_have_text(f"step 1 of {n}")
    for k in range(2, n + 1):
        stepper.locator("button.mcdl-next").click()
    expect(stepper.locator(".mcdl-caption")).to_have_text(f"step {n} of {n}")
    expect(stepper.locator(".mcdl-step").nth(n - 1)).to_contain_text("gradient, a 1×3 row")
    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch09_stepper.png"))
    page.close()
