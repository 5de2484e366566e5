"""Chapter widgets in Voila (fresh kernel per page, no UI chrome): move every control, wait on its caption,
see the figure change, and no error output anywhere."""
import pytest

from mcdl.widgets.tangent import tangent_state

from .conftest import assert_no_error_output, canvas_of, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect


def test_chapter01_tangent_explorer_sliders(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, "01_scalar_derivative_rules.ipynb", artifacts)
    caption = page.locator(".mcdl-tangent .mcdl-caption").first
    f = "x**3 - 2*x"                                    # the chapter's first explorer, at x = 1, h = 0.5
    expect(caption).to_have_text(tangent_state(f, 1.0, 0.5).caption)
    page.wait_for_selector(".jupyter-matplotlib-figure canvas")
    page.wait_for_timeout(300)
    explorer = page.locator(".mcdl-tangent").first
    canvas = canvas_of(page, ".mcdl-tangent", 0)
    move_control(page, explorer, "x", "ArrowRight", 5, tangent_state(f, 1.25, 0.5).caption, canvas)  # 5 × 0.05
    move_control(page, explorer, "h", "ArrowLeft", 10, tangent_state(f, 1.25, 0.4).caption, canvas)  # the secant shrinks
    assert_no_error_output(page)
    page.screenshot(path=str(artifacts / "voila_ch01_tangent.png"), full_page=True)
    page.close()


def test_chapter01_stepper_walks_through_a_derivation(browser, voila, artifacts):
    page, _ = open_chapter(browser, voila, "01_scalar_derivative_rules.ipynb", artifacts)
    steppers = page.locator(".mcdl-stepper")
    expect(steppers.nth(2)).to_be_attached()         # Voila renders widgets one by one: wait for the third
    assert steppers.count() >= 3                     # operator view, product rule, chain rules
    stepper = steppers.nth(0)
    counter = stepper.locator(".mcdl-caption")
    expect(counter).to_contain_text("step 1 of")
    total = int(counter.inner_text().split("of")[1])
    next_button = stepper.locator("button", has_text="Next")
    first_step = stepper.locator(".mcdl-step").first.inner_text()
    steps, current = stepper.locator(".mcdl-step"), stepper.locator(".mcdl-step-current")
    for k in range(2, total + 1):
        next_button.click()
        expect(counter).to_have_text(f"step {k} of {total}")
        expect(steps).to_have_count(k)              # earlier steps stay on screen…
        expect(current).to_have_count(1)            # …and only the newest is highlighted
    assert steps.first.inner_text() == first_step   # step 1 is still there, unchanged, at the end
    expect(next_button).to_be_disabled()
    stepper.locator("button", has_text="Prev").click()
    expect(counter).to_have_text(f"step {total - 1} of {total}")
    expect(steps).to_have_count(total - 1)
    assert_no_error_output(page)
    stepper.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch01_stepper.png"))
    page.close()
