"""Chapter 10 in Voila (fresh kernel per page): the trainer plays the training back when Train ▶ is pressed —
the caption walks through the epochs (read from ``trainer_state``), the progress bar fills, the figure changes
— and the page stays responsive: Stop, pressed during a playback, is answered; moving b₀ to -4 shows a dead
neuron at once."""
import re

import pytest

from mcdl.widgets.trainer import trainer_state

from .conftest import CANVAS_JS, NB_DIR, assert_no_error_output, canvas_of, move_control, open_chapter

expect = pytest.importorskip("playwright.sync_api").expect

CHAPTER = "10_training.ipynb"


def test_chapter10_trainer_plays_back_and_stays_responsive(browser, voila, artifacts):
    if not (NB_DIR / CHAPTER).exists():
        pytest.skip(f"notebooks/{CHAPTER} does not exist yet")
    page, _ = open_chapter(browser, voila, CHAPTER, artifacts)
    trainer = page.locator(".mcdl-trainer").first
    caption = trainer.locator(".mcdl-caption")
    expect(caption).to_have_text(trainer_state(0.1, 100, 0, 0.5).caption)     # the chapter's trainer_explorer()
    page.wait_for_selector(".mcdl-trainer .jupyter-matplotlib-figure canvas")
    canvas = canvas_of(page, ".mcdl-trainer", 0)
    page.wait_for_timeout(300)

    before = page.evaluate(CANVAS_JS, canvas)
    trainer.locator("button.mcdl-train").click()
    seen, pictures = set(), set()
    for _ in range(400):                                                       # the frames arrive one by one
        text = caption.inner_text()
        seen.add(text.split(":")[0])
        pictures.add(page.evaluate(CANVAS_JS, canvas))
        if text.startswith("epoch 100 of 100") and len(seen) > 1:
            break
        page.wait_for_timeout(20)
    expect(caption).to_have_text(trainer_state(0.1, 100, 0, 0.5).caption)
    assert len(seen) >= 5, seen                                                # several epochs were shown …
    assert len(pictures - {before}) >= 3                                       # … and drawn
    trainer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch10_trainer.png"))

    # Stop during a playback: the kernel answers it, and the caption stays where it stopped
    trainer.locator("button.mcdl-train").click()
    page.wait_for_timeout(300)
    trainer.locator("button.mcdl-stop").click()
    page.wait_for_timeout(300)
    stopped = caption.inner_text()
    page.wait_for_timeout(400)
    assert caption.inner_text() == stopped and not stopped.startswith("epoch 100 of 100"), stopped

    # a starting bias of -4 (10 steps of 0.1 down from -3 … here 45 from 0.5): a dead neuron, said at once
    move_control(page, trainer, "b0", "ArrowLeft", 45, trainer_state(0.1, 100, 0, -4.0).caption, canvas)
    expect(caption).to_contain_text("dead neuron from the start")
    assert_no_error_output(page)
    trainer.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "voila_ch10_trainer_dead.png"))
    page.close()
