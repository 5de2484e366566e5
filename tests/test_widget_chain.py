"""The chain-rule explorers (mcdl.widgets.chain): the pure state functions first, then the views driven headless."""
import io
import math
import os
import re
import warnings

import numpy as np
import pytest
from PIL import Image

from mcdl.derivation import Derivation, chain_rule_steps
from mcdl.widgets.base import MISTAKE_PREFIX
from mcdl.widgets.chain import (NumericCheck, chain_explorer, chain_state, figure_png, friendly_message,
                                numeric_check, total_change_explorer, total_change_state)
from mcdl.widgets.stepper import stepper_state

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HOSTILE = ["__import__('os').system('touch /tmp/mcdl_hostile')", "open('/etc/passwd').read()", "x.__class__",
           "lambda: 1", "exec('1')", "sin(x", "", "   ", "foo(x)", "z", "2x", "abs(sqrt(x))", "9**9**9", "x" * 600]


def shown(page):
    return len(re.findall(r'class="mcdl-step[ "]', page))


# ---- chain_state ------------------------------------------------------------------------------------
def test_chain_state_walks_the_derivation_with_the_stepper_and_the_graph_fills_in():
    d = chain_rule_steps("sin(x)**3")
    n = len(d)
    for k in range(n):
        s = chain_state("sin(x)**3", k)
        assert (s.text, s.index, s.total, s.message) == ("sin(x)**3", k, n, "")
        assert s.html == stepper_state(d, k).html and shown(s.html) == k + 1
        assert s.html.count("mcdl-step-current") == 1
        assert s.prev_enabled == (k > 0) and s.next_enabled == (k < n - 1)
        assert s.dataflow == d.dataflow and s.figure_step == k and s.paths == 1
        assert s.caption.startswith(f"y = sin(x)**3: step {k + 1} of {n}, ")
        assert (s.check is not None) == (k == n - 1) == s.at_last_step
    assert chain_state("sin(x)**3", 0).caption == f"y = sin(x)**3: step 1 of {n}, introduce intermediate variables"
    last = chain_state("sin(x)**3", n - 1)
    assert last.result == "3*sin(x)**2*cos(x)"
    assert last.caption.startswith(f"y = sin(x)**3: step {n} of {n}, result: dy/dx = 3*sin(x)**2*cos(x), "
                                   "checked numerically at 5 points: agrees (largest difference ")
    assert last.check.agrees and len(last.check.points) == 5 and last.check.largest < 1e-6
    assert last.check.exact == pytest.approx([3 * math.sin(x) ** 2 * math.cos(x) for x in last.check.points])
    # k is clamped, the same state twice is the same state
    assert chain_state("sin(x)**3", 99) == last and chain_state("sin(x)**3", -5) == chain_state("sin(x)**3", 0)


def test_chain_state_counts_the_paths_of_the_total_derivative():
    s = chain_state("x + x**2", 0)
    assert s.paths == 2 and s.total == len(chain_rule_steps("x + x**2"))
    last = chain_state("x + x**2", s.total - 1)
    assert last.result == "2*x + 1" and "agrees" in last.check.text


@pytest.mark.parametrize("bad", HOSTILE)
def test_bad_text_is_a_one_line_message_and_the_previous_derivation_stays(bad):
    before = chain_state("sin(x)**3", 3)
    s = chain_state(bad, 3, fallback="sin(x)**3")
    assert s.message and "\n" not in s.message and "Traceback" not in s.message
    assert (s.text, s.index, s.total, s.html, s.dataflow) == ("sin(x)**3", 3, before.total, before.html,
                                                              before.dataflow)
    assert s.caption == f"{MISTAKE_PREFIX}{s.message} (still showing y = sin(x)**3, step 4 of {before.total})"
    alone = chain_state(bad, 0)                                     # nothing to fall back on: nothing shown
    assert alone.message == s.message and alone.total == 0 and alone.dataflow is None
    assert not alone.prev_enabled and not alone.next_enabled and alone.caption.startswith(MISTAKE_PREFIX)
    assert not os.path.exists("/tmp/mcdl_hostile")                 # parsed by the whitelist, never evaluated


def test_messages_are_friendly():
    assert chain_state("sin(x", 0).message.startswith("Could not read this expression")
    assert "matching ')'" in chain_state("sin(x", 0).message
    assert chain_state("__import__('os')", 0).message.startswith("The function '__import__' is not allowed")
    assert "sin, cos, exp" in chain_state("foo(x)", 0).message                       # the whitelist's gist
    assert chain_state("", 0).message.startswith("Type an expression")
    assert chain_state("abs(sqrt(x))", 0).message.startswith("abs(...)")              # not "Abs(...)"
    assert friendly_message(ValueError("at position 2:\nsin(x\n  ^\nTry this.")) == "At position 2. Try this."
    assert friendly_message(RuntimeError()) == "RuntimeError"


def test_the_numeric_check_notices_a_wrong_result_and_skips_undefined_points():
    d = chain_rule_steps("sin(x)**3")
    wrong = Derivation(d.title, d.steps, result=d.expression * 0 + 3 * d.result, expression=d.expression,
                       variable=d.variable)
    check = numeric_check(wrong)
    assert isinstance(check, NumericCheck) and not check.agrees and "DISAGREES at x = " in check.text
    log = numeric_check(chain_rule_steps("log(x)"))                 # the negative sample points are skipped
    assert log.agrees and len(log.points) == 5 and all(x > 0 for x in log.points)
    nowhere = numeric_check(chain_rule_steps("sqrt(-1 - x**2)"))
    assert not nowhere.agrees and "not defined at the sample points" in nowhere.text


def test_constants_and_x_itself_have_no_graph_but_a_picture_and_a_check():
    for text, result in (("3", "0"), ("x", "1")):
        n = chain_state(text, 0).total
        last = chain_state(text, n - 1)
        assert last.dataflow is None and last.result == result and last.check.agrees
        assert figure_png(last)[:8] == b"\x89PNG\r\n\x1a\n"


def test_figure_png_is_the_graph_at_that_step_and_kept():
    a, b = chain_state("sin(x)**3", 0), chain_state("sin(x)**3", 4)
    png_a, png_b = figure_png(a), figure_png(b)
    assert png_a != png_b and figure_png(a) is png_a                # kept: Prev to a step seen before is free
    image = Image.open(io.BytesIO(png_b))
    assert image.size[0] > 200 and image.size[1] > 150


# ---- the chain explorer, driven headless -------------------------------------------------------------------
@pytest.mark.view
def test_chain_explorer_steps_with_next_prev_and_the_slider():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = chain_explorer("exp(sin(x)**2)")
    n = len(chain_rule_steps("exp(sin(x)**2)"))
    assert "mcdl-chain" in w._dom_classes and "mcdl-caption" in w.caption._dom_classes
    assert "mcdl-control-text" in w.controls["text"]._dom_classes
    assert "mcdl-control-step" in w.controls["step"]._dom_classes
    assert "mcdl-next" in w.next_button._dom_classes and "mcdl-prev" in w.prev_button._dom_classes
    assert w.caption.value == chain_state("exp(sin(x)**2)", 0).caption
    assert w.prev_button.disabled and not w.next_button.disabled and w.controls["step"].max == n
    pictures = {bytes(w.image.value)}
    for k in range(2, n + 1):
        w.next_button.click()
        state = chain_state("exp(sin(x)**2)", k - 1)
        assert w.caption.value == state.caption and w.steps.value == state.html
        assert shown(w.steps.value) == k and w.controls["step"].value == k
        pictures.add(bytes(w.image.value))
    assert "checked numerically at 5 points: agrees" in w.caption.value and w.next_button.disabled
    assert len(pictures) >= 4                                       # the graph filled in on the way
    w.next_button.click()                                            # past the end: stays
    assert w.controls["step"].value == n
    w.prev_button.click()
    assert w.caption.value == chain_state("exp(sin(x)**2)", n - 2).caption
    w.controls["step"].value = 2                                     # the slider is the same control
    assert shown(w.steps.value) == 2 and not w.prev_button.disabled


@pytest.mark.view
def test_typing_an_expression_derives_it_from_its_first_step():
    w = chain_explorer("exp(sin(x)**2)")
    w.next(), w.next()
    w.controls["text"].value = "x + x**2"                           # Enter in the box
    n = len(chain_rule_steps("x + x**2"))
    assert w.caption.value == chain_state("x + x**2", 0).caption
    assert w.controls["step"].value == 1 and w.controls["step"].max == n and w.message.value == ""
    assert w.caption.value.startswith("y = x + x**2: step 1 of") and "d/dx (x^2 + x)" in w.heading.value
    w.go(n)
    assert "2*x + 1" in w.caption.value and "agrees" in w.caption.value
    w.derive_button.click()                                          # derive again: the same text, no change
    assert w.controls["step"].value == n


@pytest.mark.view
@pytest.mark.parametrize("bad", ["__import__('os')", "sin(x", "", "foo(x)", "abs(sqrt(x))"])
def test_bad_text_in_the_widget_keeps_the_derivation_and_its_step(bad):
    w = chain_explorer("sin(x)**3")
    w.go(3)
    before = (w.steps.value, bytes(w.image.value), w.controls["step"].value, w.controls["step"].max)
    w.controls["text"].value = bad
    assert "mcdl-message" in w.message._dom_classes and MISTAKE_PREFIX in w.message.value
    assert "Traceback" not in w.message.value and w.caption.value.startswith(MISTAKE_PREFIX)
    assert "still showing y = sin(x)**3, step 3 of" in w.caption.value
    assert (w.steps.value, bytes(w.image.value), w.controls["step"].value, w.controls["step"].max) == before
    w.next_button.click()                                            # the previous derivation can still be walked
    assert shown(w.steps.value) == 4
    w.controls["text"].value = "sin(x)"                              # a good text clears the message
    assert w.message.value == "" and w.caption.value == chain_state("sin(x)", 0).caption


def test_a_bad_expression_in_the_call_itself_says_so():
    with pytest.raises(ValueError, match="not allowed"):
        chain_explorer("__import__('os')")


@pytest.mark.view
def test_chain_explorer_output_for_readers_without_a_kernel():
    import base64
    w = chain_explorer("sin(x)**3")
    bundle = w._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle["text/plain"] == w.caption.value
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "mcdl-derivation" in bundle["text/html"] and "data:image/png;base64," in bundle["text/html"]


# ---- total change: y = x + x² -------------------------------------------------------------------------------
def test_total_change_at_one_one_is_the_paper_s_numbers():
    s = total_change_state(1.0, 1.0)
    assert (s.y0, s.y1, s.change, s.one_path, s.total, s.rest) == (2.0, 6.0, 4.0, 2.0, 3.0, 1.0)
    assert s.caption == ("x = 1.00, Δx = 1.00: y goes from 2.00 to 6.00, a change of 4.00; one path (2x·Δx) "
                         "predicts 2.00, both paths ((1 + 2x)·Δx) predict 3.00; the rest is Δx² = 1.00")


def test_the_total_derivative_predicts_small_changes_and_one_path_does_not():
    for x in (-1.0, 0.3, 1.2):
        errors_total, errors_one = [], []
        for dx in (0.5, 0.05, 0.005):
            s = total_change_state(x, dx)
            assert s.rest == pytest.approx(dx * dx)
            errors_total.append(abs(s.change - s.total) / dx)
            errors_one.append(abs(s.change - s.one_path) / dx)
        assert errors_total[-1] < 0.01 and errors_total == sorted(errors_total, reverse=True)
        assert min(errors_one) > 0.99                                # always off by the direct path's Δx


def test_total_change_over_the_whole_slider_box_is_clean():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in np.linspace(-1.5, 1.5, 13):
            for dx in np.linspace(-1.5, 1.5, 13):
                s = total_change_state(x, dx)
                assert all(map(math.isfinite, (s.y0, s.y1, s.change, s.one_path, s.total)))
                assert "nan" not in s.caption and "-0.00" not in s.caption


@pytest.mark.view
def test_total_change_explorer_moves():
    w = total_change_explorer()
    assert "mcdl-total-change" in w._dom_classes and w.caption.value == total_change_state(1.0, 1.0).caption
    w.controls["dx"].value = 0.25
    assert w.caption.value == total_change_state(1.0, 0.25).caption
    assert w.bars[0].get_height() == pytest.approx(total_change_state(1.0, 0.25).change)
    w.controls["x"].value = -1.5
    assert w.caption.value == total_change_state(-1.5, 0.25).caption
    assert [t.get_text() for t in w.bar_texts] == ["-0.44", "-0.75", "-0.50"]      # change, one path, both
    w2 = total_change_explorer(x0=0.5, dx=-0.5)
    assert w2.caption.value == total_change_state(0.5, -0.5).caption
