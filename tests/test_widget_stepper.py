"""The derivation stepper (mcdl.widgets.stepper): its pure state function, then the widget driven headless."""
import ipywidgets as widgets
import pytest
import sympy

from mcdl.derivation import Derivation, Step, chain_rule_steps, product_rule_steps
from mcdl.symbolic import symbols
from mcdl.widgets.stepper import Stepper, stepper, stepper_state

x, t = symbols("x", "t")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


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


def test_stepper_widget_clicks_through_every_step():
    w = stepper("ln(sin(x**3)**2)")
    assert isinstance(w, widgets.VBox) and isinstance(w, Stepper)
    n = len(w.derivation)
    assert w.caption.value == f"step 1 of {n}"
    assert w.prev_button.disabled and not w.next_button.disabled
    assert w.math.value == f"$${w.derivation[0].latex}$$"
    for k in range(2, n + 1):
        w.next_button.click()
        assert w.caption.value == f"step {k} of {n}"
        assert w.math.value == f"$${w.derivation[k - 1].latex}$$"
        assert w.derivation[k - 1].text.split(":")[0] in w.sentence.value or w.sentence.value
        assert w.prev_button.disabled is False
        assert w.next_button.disabled is (k == n)
    w.next_button.click()                           # past the end: stays on the last step
    assert w.caption.value == f"step {n} of {n}"
    for k in range(n - 1, 0, -1):
        w.prev_button.click()
        assert w.caption.value == f"step {k} of {n}"
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
