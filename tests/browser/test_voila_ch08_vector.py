"""Chapter 08's vector stepper in Voila (fresh kernel per page): the vector chain rule walked step by step with
the shapes drawn as boxes and the formulas typeset; the learner types an expression, shapes and a variable, and
shapes that do not fit get the engine's message, not a traceback. Captions are what the engine computes."""
import pytest

from mcdl.vector_derivation import vector_chain_rule_steps

from .conftest import NB_DIR, assert_no_error_output, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "08_chain_rules.ipynb"
START = ("sum(exp(W @ x))", "x", {"W": (2, 3), "x": (3,)})          # the chapter's own call
TYPED = ("dot(x, A @ x)", "x", "A: 3x3, x: 3")


def test_chapter08_vector_stepper(browser, voila, artifacts):
    if not (NB_DIR / CHAPTER).exists():
        pytest.skip(f"notebooks/{CHAPTER} does not exist yet")
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    stepper = page.locator(".mcdl-vector-stepper").first
    caption = stepper.locator(".mcdl-caption")
    n = len(vector_chain_rule_steps(*START))
    expect(caption).to_have_text(f"step 1 of {n}")

    next_button = stepper.locator("button.mcdl-next")
    for k in range(2, n + 1):
        next_button.click()
        expect(caption).to_have_text(f"step {k} of {n}")
    expect(stepper.locator(".mcdl-step")).to_have_count(n)
    expect(stepper.locator('.mcdl-shapes[aria-label="shapes: 1×2 · 2×2 · 2×3 = 1×3"]').first).to_be_visible()
    expect(stepper.locator("mjx-container").first).to_be_attached()      # MathJax typeset the steps
    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch08_vector_stepper.png"))

    # the learner's own expression: two paths, shapes typed as text
    text, wrt, shapes = TYPED
    stepper.locator(".mcdl-control-shapes input").fill(shapes)
    stepper.locator(".mcdl-control-shapes input").press("Enter")
    box = stepper.locator(".mcdl-control-text input")
    box.fill(text)
    box.press("Enter")
    m = len(vector_chain_rule_steps(text, wrt, shapes))
    expect(caption).to_have_text(f"step 1 of {m}")
    for k in range(2, m + 1):
        next_button.click()
    expect(caption).to_have_text(f"step {m} of {m}")
    expect(stepper.locator(".mcdl-step").nth(m - 1)).to_contain_text("The result")
    expect(stepper.locator(".mcdl-message")).to_have_text("")

    # shapes that do not fit: the message names the operation and both shapes; the steps stay
    box.fill("A @ x + w")
    shapes_box = stepper.locator(".mcdl-control-shapes input")
    shapes_box.fill("A: 3x3, x: 3, w: 4")
    shapes_box.press("Enter")
    message = stepper.locator(".mcdl-message")
    expect(message).to_contain_text("element-wise + needs two operands of the same shape")
    expect(caption).to_have_text(f"step {m} of {m}")
    assert "Traceback" not in stepper.inner_text()
    assert_no_error_output(page)
    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch08_vector_stepper_message.png"))
    page.close()
