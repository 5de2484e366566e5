"""The derivation stepper (mcdl.widgets.stepper): its pure state function, then the widget driven headless."""
import html
import re

import ipywidgets as widgets
import pytest
import sympy

from mcdl.derivation import COMBINE, DIFFERENTIATE, INTRODUCE, Derivation, Step, chain_rule_steps, product_rule_steps
from mcdl.symbolic import symbols
from mcdl.widgets.stepper import Stepper, stepper, stepper_state, steps_html

x, t = symbols("x", "t")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def shown(page):
    """How many steps an HTML page of the stepper shows."""
    return len(re.findall(r'class="mcdl-step[ "]', page))


def test_stepper_state_walks_the_steps():
    d = chain_rule_steps("sin(x**2)")
    n = len(d)
    first = stepper_state(d, 0)
    assert first.caption == f"step 1 of {n}"
    assert not first.prev_enabled and first.next_enabled
    assert first.latex == d[0].latex and first.text == d[0].text
    middle = stepper_state(d, 1)
    assert middle.caption == f"step 2 of {n}" and middle.prev_enabled and middle.next_enabled
    last = stepper_state(d, n - 1)
    assert last.caption == f"step {n} of {n}" and last.prev_enabled and not last.next_enabled
    for k in (-1, n):
        with pytest.raises(IndexError):
            stepper_state(d, k)


def test_stepper_state_single_and_empty():
    single = stepper_state(Derivation("one", [Step("a", "b")]), 0)
    assert single.caption == "step 1 of 1" and not single.prev_enabled and not single.next_enabled
    empty = stepper_state(Derivation("none"), 0)
    assert empty.caption == "step 0 of 0" and not empty.prev_enabled and not empty.next_enabled
    assert single.visible == (Step("a", "b"),) and single.current == 0
    assert empty.visible == () and empty.current is None and "no steps yet" in empty.html


def test_stepper_state_reveals_the_steps_cumulatively():
    d = chain_rule_steps("sin(x**2)")
    for k in range(len(d)):
        state = stepper_state(d, k)
        assert state.visible == tuple(d.steps[:k + 1])          # steps 1 … k+1 stay on screen
        assert state.current == k and state.visible[state.current] == d[k]
        assert (state.latex, state.text, state.stage) == (d[k].latex, d[k].text, d[k].stage)
    # at the combine step, the local derivatives it multiplies are still visible
    combine = next(k for k, step in enumerate(d) if step.stage == COMBINE)
    state = stepper_state(d, combine)
    assert [s.stage for s in state.visible].count(DIFFERENTIATE) == 2
    assert all(r"$$" + html.escape(s.latex) + "$$" in state.html for s in state.visible)
    assert html.escape(d[combine + 1].latex) not in state.html      # later steps are not shown yet


def test_stepper_html_highlights_the_current_step_and_heads_each_stage():
    d = chain_rule_steps("sin(x**2)")
    state = stepper_state(d, 4)                                     # the combine step
    page = state.html
    assert shown(page) == 5
    assert page.count("mcdl-step-current") == 1 and page.count('aria-current="step"') == 1
    current = page.index("mcdl-step-current")
    assert html.escape(d[4].text) in page[current:]                 # the highlighted step is the last one
    assert all(html.escape(d[j].text) in page[:current] for j in range(4))
    headings = re.findall(r'<h4 class="mcdl-stage"[^>]*>(.*?)</h4>', page)
    assert headings == [html.escape(s) for s in (INTRODUCE, DIFFERENTIATE, COMBINE)]   # each stage once
    # deterministic: the same state gives the same HTML, with no ids or object addresses
    assert stepper_state(chain_rule_steps("sin(x**2)"), 4).html == page
    assert " id=" not in page and "0x" not in page
    # text and LaTeX are escaped
    odd = steps_html([Step("x < 0 & y", "a <script> step", "<b>stage</b>")], 0)
    assert "<script>" not in odd and "&lt;script&gt;" in odd and "$$x &lt; 0 &amp; y$$" in odd
    assert "&lt;b&gt;stage&lt;/b&gt;" in odd


def test_stepper_widget_clicks_through_every_step():
    w = stepper("ln(sin(x**3)**2)")
    assert isinstance(w, widgets.VBox) and isinstance(w, Stepper)
    n = len(w.derivation)
    assert w.caption.value == f"step 1 of {n}"
    assert w.prev_button.disabled and not w.next_button.disabled
    assert w.math.value == stepper_state(w.derivation, 0).html
    for k in range(2, n + 1):
        w.next_button.click()
        assert w.caption.value == f"step {k} of {n}"
        assert w.math.value == stepper_state(w.derivation, k - 1).html
        assert shown(w.math.value) == k          # every step so far is on screen
        assert w.prev_button.disabled is False
        assert w.next_button.disabled is (k == n)
    w.next_button.click()                           # past the end: stays on the last step
    assert w.caption.value == f"step {n} of {n}"
    for k in range(n - 1, 0, -1):
        w.prev_button.click()
        assert w.caption.value == f"step {k} of {n}"
        assert shown(w.math.value) == k          # Prev hides the newest step again
        assert w.next_button.disabled is False
    assert w.prev_button.disabled
    w.prev_button.click()
    assert w.caption.value == f"step 1 of {n}"


def test_stepper_shows_a_bad_expression_as_a_message():
    w = stepper("sin(x**2)")
    before = (w.derivation, w.caption.value)
    w.entry.value = "x.__class__"                   # typing + Enter (continuous_update=False)
    assert "attribute access" in w.message.value
    assert (w.derivation, w.caption.value) == before
    w.entry.value = "sin(x"
    w.derive_button.click()
    assert "matching" in w.message.value
    for bad in ["__import__('os')", "9**9**9", "z", "lambda: 1", "2x", "x" * 600]:
        assert w.derive(bad) is False
        assert w.message.value and w.derivation is before[0]


def test_stepper_derives_what_the_learner_types():
    w = stepper("sin(x**2)")
    w.next_button.click()
    w.entry.value = "ln(x^2)"
    assert w.message.value == ""
    assert w.derivation.result == 2 / x
    assert w.caption.value == f"step 1 of {len(w.derivation)}"
    w.entry.value = "cos(x)"
    w.derive_button.click()                         # clicking Derive again is harmless
    assert w.derivation.result == -sympy.sin(x)


def test_stepper_accepts_derivations_and_expressions():
    w = stepper(product_rule_steps("x**2", "x"))
    assert w.caption.value == "step 1 of 5" and w.derivation.result == 3 * x**2
    w = stepper(sympy.exp(x**2))
    assert w.derivation.result == 2 * x * sympy.exp(x**2)
    w = stepper("exp(t**2)", var="t", editable=False)
    assert w.entry not in w.children and w.derivation.result == 2 * t * sympy.exp(t**2)


def test_stepper_mimebundle_includes_the_whole_derivation():
    w = stepper("sin(x**2)")
    bundle = w._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert bundle["text/plain"] == str(w.derivation)
    assert bundle["text/html"] == w.derivation._repr_html_()
    assert all(step.text in bundle["text/plain"] for step in w.derivation)


# ------------------------------------------------------------------------------------------------
# The vector stepper: the vector chain rule with shape boxes, and the shapes typed by the learner
from mcdl.derivation import ShapeProduct, shape_boxes_html, shape_text  # noqa: E402
from mcdl.widgets.stepper import VectorStepper, vector_derivation_state, vector_stepper  # noqa: E402

LOSS = "mean((y - max(0, X @ w + b))**2)"
LOSS_SHAPES = {"w": (3,), "X": (100, 3), "b": (), "y": (100,)}


def test_shape_boxes_draw_each_factor_and_the_result():
    product = ShapeProduct(((1, 100), (100, 100), (100, 3)), (1, 3))
    assert shape_text(product) == "1×100 · 100×100 · 100×3 = 1×3"
    page = shape_boxes_html([product])
    assert page.count('class="mcdl-shapes"') == 1
    assert 'aria-label="shapes: 1×100 · 100×100 · 100×3 = 1×3"' in page
    sizes = re.findall(r"width: (\d+)px; height: (\d+)px", page)
    assert len(sizes) == 4
    (w1, h1), (w2, h2), (w3, h3), (w4, h4) = [(int(a), int(b)) for a, b in sizes]
    assert w1 > h1 and w2 == h2 and h3 > w3          # a wide row, a square, a tall matrix
    assert (h4, w4) == (h1, w3)                      # the result: the first's rows, the last's columns
    assert page.count("=") >= 1 and shape_boxes_html([]) == ""


def test_vector_derivation_state_never_raises():
    d, message = vector_derivation_state(LOSS, "w", LOSS_SHAPES)
    assert d is not None and message == ""
    for text, wrt, shapes, words in [
        ("W @ x", "x", "W: 3x4, x: 3", "the columns of W (4) must match the length of x (3)"),
        (LOSS, "w", "X: 100x3, w: 3", "y has no shape"),
        (LOSS, "X", LOSS_SHAPES, "with respect to a matrix"),
        ("__import__('os')", "w", "w: 3", "not allowed"),
        (LOSS, "w", "X: 100 by 3", "could not read the shape"),
    ]:
        d, message = vector_derivation_state(text, wrt, shapes)
        assert d is None and words in message
    assert vector_derivation_state("  ", "w", "w: 3") == (None, "")


def test_vector_stepper_shows_shapes_and_rederives_on_every_change():
    s = vector_stepper(LOSS, "w", LOSS_SHAPES)
    assert isinstance(s, VectorStepper) and "mcdl-vector-stepper" in s._dom_classes
    assert s.shapes_entry.value == "w: 3, X: 100x3, b: scalar, y: 100" and s.wrt_entry.value == "w"
    n = len(s.derivation)
    s.show(n - 1)
    assert s.caption.value == f"step {n} of {n}"
    assert 'aria-label="shapes: 1×100 · 100×100 · 100×100 · 100×100 · 100×100 · 100×3 = 1×3"' in s.math.value
    s.wrt_entry.value = "b"                                   # another variable: derived again, from step 1
    assert s.derivation.wrt == "b" and s.derivation.shape == (1, 1) and s.index == 0
    s.shapes_entry.value = "w: 3, X: 5x3, b: scalar, y: 5"   # other shapes
    assert s.derivation.shape == (1, 1) and s.derivation.shapes["X"] == (5, 3)
    s.entry.value = "W @ x"                                   # a slip: the message, the old steps stay
    assert "W has no shape" in s.message.value and s.derivation.shapes["X"] == (5, 3)
    s.shapes_entry.value = "W: 2x3, x: 3"
    s.wrt_entry.value = "x"
    assert s.message.value == "" and s.derivation.shape == (2, 3)
    bundle = s._repr_mimebundle_()
    assert "mcdl-shapes" in bundle["text/html"] and "shapes:" in bundle["text/plain"]


def test_vector_stepper_refuses_a_bad_first_expression():
    with pytest.raises(Exception, match="no shape"):
        vector_stepper("sum(q)", "w", {"w": (3,)})
