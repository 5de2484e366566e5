"""Chapter 08 in Voila (fresh kernel per page): the chain explorer derives what the learner types, step by step
(earlier steps stay, one is highlighted, the dataflow graph fills in), checks the result numerically at the last
step, and answers hostile text with a one-line message; the total-change explorer answers its Δx slider.
Captions are what ``chain_state`` and ``total_change_state`` compute."""
import pytest

from mcdl.widgets.chain import chain_state, total_change_state

from .conftest import NB_DIR, assert_no_error_output, canvas_of, control, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "08_chain_rules.ipynb"
START = "exp(sin(x)**2)"                  # the chapter's mcdl.chain_explorer("exp(sin(x)**2)")
TYPED = "sin(x)**3"
IMAGE_LOADED = "(img) => img.complete && img.naturalWidth > 0 ? img.src : ''"


def test_chapter08_chain_and_total_change_explorers(browser, voila, artifacts):
    if not (NB_DIR / CHAPTER).exists():
        pytest.skip(f"notebooks/{CHAPTER} does not exist yet")
    check_chapter08(browser, voila, artifacts, CHAPTER)


def check_chapter08(browser, voila, artifacts, chapter):
    page, _ = open_chapter(browser, voila, chapter, artifacts)
    chain = page.locator(".mcdl-chain").first
    caption = chain.locator(".mcdl-caption")
    expect(caption).to_have_text(chain_state(START, 0).caption)

    # the learner types an expression and presses Enter: its derivation, from the first step
    box = control(chain, "text").locator("input")
    box.fill(TYPED)
    box.press("Enter")
    expect(caption).to_have_text(chain_state(TYPED, 0).caption)
    steps, current = chain.locator(".mcdl-step"), chain.locator(".mcdl-step-current")
    expect(steps).to_have_count(1)
    first_step = steps.first.inner_text()
    picture = chain.locator("img.mcdl-dataflow")
    page.wait_for_function(IMAGE_LOADED, arg=picture.element_handle())
    first_picture = picture.evaluate(IMAGE_LOADED)

    # Next ▶ to the last step: every earlier step stays, only the newest is highlighted, the graph fills in
    n = chain_state(TYPED, 0).total
    next_button = chain.locator("button.mcdl-next")
    for k in range(2, n + 1):
        next_button.click()
        expect(caption).to_have_text(chain_state(TYPED, k - 1).caption)
        expect(steps).to_have_count(k)
        expect(current).to_have_count(1)
    expect(caption).to_contain_text("checked numerically at 5 points: agrees")
    assert steps.first.inner_text() == first_step
    expect(next_button).to_be_disabled()
    page.wait_for_function(f"(img) => ({IMAGE_LOADED})(img) !== {first_picture!r} && ({IMAGE_LOADED})(img) !== ''",
                           arg=picture.element_handle())
    chain.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch08_chain_explorer.png"))

    # hostile text: a friendly one-line message, nothing evaluated, the derivation stays at its last step
    box.fill("__import__('os').system('echo hi')")
    box.press("Enter")
    message = chain.locator(".mcdl-message")
    expect(message).to_contain_text("is not allowed")
    expect(caption).to_contain_text(f"still showing y = {TYPED}, step {n} of {n}")
    expect(steps).to_have_count(n)
    assert "Traceback" not in chain.inner_text() and message.inner_text().count("\n") == 0
    box.fill("sin(x")                                      # a typo: the same
    box.press("Enter")
    expect(message).to_contain_text("Could not read this expression")
    expect(steps).to_have_count(n)
    chain.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch08_chain_explorer_message.png"))

    # the total-change explorer: x = 1, Δx = 1 gives 2 -> 6; ten presses of ← take Δx to 0.50
    total = page.locator(".mcdl-total-change").first
    expect(total.locator(".mcdl-caption")).to_have_text(total_change_state(1.0, 1.0).caption)
    expect(total.locator(".mcdl-caption")).to_contain_text("y goes from 2.00 to 6.00, a change of 4.00")
    page.wait_for_selector(".mcdl-total-change .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-total-change", 0)
    assert canvas >= 0
    page.wait_for_timeout(300)
    move_control(page, total, "dx", "ArrowLeft", 10, total_change_state(1.0, 0.5).caption, canvas)
    assert_no_error_output(page)
    total.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch08_total_change.png"))
    page.close()
