"""mcdl.vector_derivation: the vector chain rule step by step for vector expressions (paper §4.5.3, §5, §6).

Every derivation is checked where it matters: its Jacobian evaluated at numbers against mcdl.jacobian
(finite differences of the expression itself), its step-3 product against its simplified result, and the
shapes of every product multiplying out. The paper's own results (§4.2–4.4, §5, §6) are cases here.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import mcdl
from mcdl.derivation import COMBINE, DIFFERENTIATE, INTRODUCE, RESULT, Derivation, DerivationError, ShapeProduct
from mcdl.shapes import ShapeError
from mcdl.symbolic import ExpressionSyntaxError, UnsafeExpressionError
from mcdl.vector_derivation import (
    MAX_OPERATIONS, VectorDerivation, _evaluate, parse_shapes, vector_chain_rule_steps,
)

RNG = np.random.default_rng(20261201)
NEURON = {"w": (3,), "x": (3,), "b": ()}
LOSS = {"w": (3,), "X": (8, 3), "b": (), "y": (8,)}


def values_for(shapes, rng=RNG, scale=1.0):
    return {name: (rng.normal(size=shape) * scale if shape else float(rng.normal() * scale))
            for name, shape in shapes.items()}


def numeric(d: VectorDerivation, values: dict) -> np.ndarray:
    """mcdl.jacobian of the expression itself with respect to d.wrt, everything else held."""
    return mcdl.jacobian(lambda z: d.value(**{**values, d.wrt: z}), values[d.wrt])


def agrees(d, values, rtol=1e-6, atol=1e-7):
    exact = d.evaluate(**values)
    assert exact.shape == d.shape
    np.testing.assert_allclose(d.evaluate_product(**values), exact, rtol=1e-10, atol=1e-12)
    reference = numeric(d, values)
    scale = max(1.0, float(np.max(np.abs(reference))))
    np.testing.assert_allclose(exact, reference, rtol=rtol, atol=atol * scale)
    return exact


# ------------------------------------------------------------------------------------------------
# The paper's results
def test_section_5_dot_product_gradients_are_x_and_w_transposed():
    shapes = {"w": (4,), "x": (4,)}
    d = vector_chain_rule_steps("dot(w, x)", "w", shapes)
    assert d.jacobian.text() == "xᵀ" and d.shape == (1, 4)
    names = [node.name for node in d.intermediates]
    assert names == ["u1", "y"]                          # the paper's u = w ⊗ x, y = sum(u)
    assert d.intermediates[0].definition.kind == "mul" and d.intermediates[1].definition.kind == "sum"
    v = values_for(shapes)
    np.testing.assert_allclose(agrees(d, v), [v["x"]])
    d = vector_chain_rule_steps("dot(w, x)", "x", shapes)
    assert d.jacobian.text() == "wᵀ"
    np.testing.assert_allclose(agrees(d, v), [v["w"]])


def test_section_5_neuron_activation_gradient_switches_off_with_the_neuron():
    d = vector_chain_rule_steps("max(0, dot(w, x) + b)", "w", NEURON)
    assert d.jacobian.text() == "[dot(w, x) + b > 0]·xᵀ"
    assert r"\left[\mathbf{w} \cdot \mathbf{x} + b > 0\right]" in d.jacobian.latex()
    x = np.array([0.5, -1.0, 2.0])
    active = {"w": np.array([1.0, 0.5, 0.25]), "x": x, "b": 0.1}        # z = 0.6 > 0: xᵀ
    inactive = {"w": np.array([-1.0, 0.5, 0.25]), "x": x, "b": 0.1}     # z = -0.4: 0ᵀ
    np.testing.assert_allclose(agrees(d, active), [x])
    np.testing.assert_allclose(agrees(d, inactive), [[0.0, 0.0, 0.0]])
    kink = {"w": np.array([1.0, 0.5, 0.0]), "x": x, "b": 0.0}           # z = 0 exactly: ReLU'(0) = 0
    np.testing.assert_array_equal(d.evaluate(**kink), [[0.0, 0.0, 0.0]])
    db = vector_chain_rule_steps("max(0, dot(w, x) + b)", "b", NEURON)
    assert db.shape == (1, 1)
    assert db.evaluate(**active)[0, 0] == 1.0 and db.evaluate(**inactive)[0, 0] == 0.0
    dx = vector_chain_rule_steps("max(0, dot(w, x) + b)", "x", NEURON)
    np.testing.assert_allclose(agrees(dx, active), [active["w"]])


def test_section_5_broadcast_relu_jacobian_is_a_diagonal_of_zeros_and_ones():
    d = vector_chain_rule_steps("max(0, x)", "x", {"x": (4,)})
    x = np.array([1.5, -2.0, 0.0, 0.3])
    np.testing.assert_array_equal(d.evaluate(x=x), np.diag([1.0, 0.0, 0.0, 1.0]))
    rule = d.local_jacobians[0].rule
    assert "diagonal" in rule and "vector of 0s and 1s" in rule


def corrected_loss_gradient(w, b, X, y):
    """The paper's §6.1 result with the case inside the sum: (2/N) Σ over active samples of eᵢ xᵢᵀ."""
    z = X @ w + b
    e = np.where(z > 0, z - y, 0.0)
    return (2 / len(y)) * e @ X, (2 / len(y)) * np.sum(e)


def test_section_6_loss_gradient_is_the_corrected_form():
    d = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "w", LOSS)
    db = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "b", LOSS)
    rng = np.random.default_rng(6)
    X = rng.normal(size=(8, 3))
    w = np.array([0.8, -0.5, 0.3])
    v = {"w": w, "X": X, "b": 0.05, "y": rng.normal(size=8)}
    z = X @ w + 0.05
    assert (z > 0).any() and (z <= 0).any()            # some samples inactive: where the paper's slip shows
    gw, gb = corrected_loss_gradient(w, 0.05, X, v["y"])
    np.testing.assert_allclose(agrees(d, v), [gw], rtol=1e-10)
    np.testing.assert_allclose(agrees(db, v), [[gb]], rtol=1e-10)
    # the uncorrected last line (case split outside the sum, the error over every sample) is a different number
    e_all = z - v["y"]
    assert not np.allclose(d.evaluate(**v), (2 / 8) * e_all @ X)
    assert d.shape == (1, 3) and db.shape == (1, 1)
    assert "-2/8" in d.jacobian.text() and "[X w + b > 0]" in d.jacobian.text()


def test_section_6_intermediates_local_jacobians_and_the_product_of_shapes():
    d = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "w", LOSS)
    assert [n.shape for n in d.intermediates] == [(8,)] * 5 + [()]
    kinds = [n.definition.kind for n in d.intermediates]
    assert kinds == ["matvec", "add", "relu", "sub", "pow", "mean"]
    assert [lj.shape for lj in d.local_jacobians] == [(8, 3), (8, 8), (8, 8), (8, 8), (8, 8), (1, 8)]
    assert [lj.jacobian.text() for lj in d.local_jacobians] == [
        "X", "I", "diag([u₂ > 0])", "-I", "2·diag(u₄)", "1/8·1ᵀ"]
    combine = [s for s in d.steps if s.stage == COMBINE]
    assert combine[0].shapes == (ShapeProduct(((1, 8), (8, 8), (8, 8), (8, 8), (8, 8), (8, 3)), (1, 3)),)


@pytest.mark.parametrize("text, wrt, shapes, expected", [
    ("w + x", "w", {"w": (3,), "x": (3,)}, "I"),                         # §4.2: element-wise +
    ("w - x", "x", {"w": (3,), "x": (3,)}, "-I"),
    ("w * x", "w", {"w": (3,), "x": (3,)}, "diag(x)"),                   # §4.2: ⊗
    ("w / x", "x", {"w": (3,), "x": (3,)}, "-diag(w / x^2)"),
    ("x + z", "z", {"x": (3,), "z": ()}, "1"),                           # §4.3: scalar expansion, a column
    ("x * z", "z", {"x": (3,), "z": ()}, "x"),
    ("x * z", "x", {"x": (3,), "z": ()}, "z·I"),
    ("sum(x)", "x", {"x": (3,)}, "1ᵀ"),                                  # §4.4: sum reduction
    ("sum(x * z)", "z", {"x": (3,), "z": ()}, "sum(x)"),
    ("x", "x", {"x": (3,)}, "I"),
    ("sum(v)", "x", {"x": (3,), "v": (2,)}, "0"),                        # does not depend on x
])
def test_the_rules_of_chapters_05_to_07(text, wrt, shapes, expected):
    d = vector_chain_rule_steps(text, wrt, shapes)
    assert d.jacobian.text() == expected
    v = values_for(shapes)
    if "x" in v and text.startswith("w / x"):
        v["x"] = np.abs(v["x"]) + 0.5
    agrees(d, v)


@pytest.mark.parametrize("text, shapes, paths, expected", [
    ("dot(x, A @ x)", {"x": (3,), "A": (3, 3)}, 2, "xᵀ·A + (A x)ᵀ"),
    ("x * sum(x)", {"x": (3,)}, 2, "x·1ᵀ + sum(x)·I"),
    ("x * x", {"x": (3,)}, 1, "2·diag(x)"),
    ("sum(exp(x)) * sum(x)", {"x": (2,)}, 2, None),
])
def test_several_paths_add_up_the_total_derivative_rule(text, shapes, paths, expected):
    d = vector_chain_rule_steps(text, "x", shapes)
    assert len(d.paths) == paths
    if expected:
        assert d.jacobian.text() == expected
    v = values_for(shapes)
    result = agrees(d, v)
    if text.startswith("dot"):
        np.testing.assert_allclose(result, [v["x"] @ (v["A"] + v["A"].T)])
    if paths > 1:
        assert any("paths" in s.text for s in d.steps if s.stage == COMBINE)


def test_the_stages_come_in_the_paper_order_and_every_product_multiplies_out():
    d = vector_chain_rule_steps("sum(tanh(W @ x + c) * v)", "x", {"W": (4, 2), "x": (2,), "c": (4,), "v": (4,)})
    stages = [s.stage for s in d.steps]
    assert stages[0] == INTRODUCE and stages[-1] == RESULT
    order = [INTRODUCE, DIFFERENTIATE, COMBINE]
    firsts = [stages.index(stage) for stage in order]
    assert firsts == sorted(firsts)
    for step in d.steps:
        for product in step.shapes:
            for left, right in zip(product.factors, product.factors[1:]):
                assert left[1] == right[0]
            if product.factors:
                assert (product.factors[0][0], product.factors[-1][1]) == product.result
    assert isinstance(d, Derivation) and len(d) == len(d.steps)
    agrees(d, values_for(d.shapes))


def test_numbers_go_to_the_front_and_identities_drop_out_in_named_steps():
    d = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "w", LOSS)
    simplify = [s.text for s in d.steps if s.stage == "Step 4 · simplify"]
    assert any("front" in t for t in simplify)
    assert any("I·A = A" in t for t in simplify)
    assert any("diag(a)·diag(b) = diag(a ⊗ b)" in t for t in simplify)
    assert any("1ᵀdiag(v) = vᵀ" in t for t in simplify)
    assert d.simplified.text() == "-2/8·(u₄ ⊗ [u₂ > 0])ᵀ·X"


def test_scalar_variable_gives_a_column_and_scalar_output_a_number():
    d = vector_chain_rule_steps("exp(s * v)", "s", {"s": (), "v": (3,)})
    assert d.shape == (3, 1)
    agrees(d, values_for(d.shapes))
    d = vector_chain_rule_steps("sin(s) * cos(s)", "s", {"s": ()})
    assert d.shape == (1, 1)
    v = {"s": 0.7}
    np.testing.assert_allclose(agrees(d, v), [[np.cos(1.4)]])


def test_typed_shapes():
    assert parse_shapes("X: 100x3, w: 3, b: scalar") == {"X": (100, 3), "w": (3,), "b": ()}
    assert parse_shapes("X: (100, 3); w = 3 ; b: ()") == {"X": (100, 3), "w": (3,), "b": ()}
    assert parse_shapes("A: 2×2") == {"A": (2, 2)}
    d = vector_chain_rule_steps("A @ x", "x", "A: 2x3, x: 3")
    assert d.shape == (2, 3)
    for bad in ("w", "w: three", "X: 1x2x3", ": 3"):
        with pytest.raises(ValueError, match="shape"):
            parse_shapes(bad)


def test_same_text_same_steps():
    one = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "w", LOSS)
    two = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "w", LOSS)
    assert one.steps == two.steps and str(one) == str(two)
    assert "shapes: 1×8 · 8×8 · 8×8 · 8×8 · 8×8 · 8×3 = 1×3" in str(one)
    assert "0x" not in one._repr_html_()


# ------------------------------------------------------------------------------------------------
# Refusals: every one names the problem
@pytest.mark.parametrize("text, shapes, match", [
    ("W @ x", {"W": (3, 4), "x": (3,)}, r"W @ x: W is 3×4 and x has length 3: the columns of W \(4\) must match the length of x \(3\)"),
    ("W @ x", {"W": (4, 3), "x": (4,)}, r"W transposed \(3×4\) would fit"),
    ("w + x", {"w": (3,), "x": (4,)}, r"w \+ x: element-wise \+ needs.*w is a vector of length 3 and x is a vector of length 4"),
    ("X + w", {"X": (2, 3), "w": (3,)}, "numpy would broadcast"),
    ("w @ b", {"w": (3,), "b": ()}, "b is a scalar"),
    ("w @ v", {"w": (3,), "v": (2,)}, "same length"),
    ("dot(w, X)", {"w": (3,), "X": (3, 3)}, "two vectors"),
    ("sum(u)", {"w": (3,)}, "u has no shape"),
    ("X", {"X": (2, 2), "w": (2,)}, "2×2 matrix"),
    ("(b * X) @ w", {"b": (), "X": (2, 3), "w": (3,)}, "changes with b"),
])
def test_shape_errors_name_the_operation_and_both_shapes(text, shapes, match):
    wrt = "b" if "b" in shapes and "changes" in match else next(iter(n for n in shapes if len(shapes[n]) < 2))
    with pytest.raises(ShapeError, match=match):
        vector_chain_rule_steps(text, wrt, shapes)


def test_wrt_must_be_a_declared_scalar_or_vector():
    with pytest.raises(ShapeError, match="no shape"):
        vector_chain_rule_steps("sum(w)", "v", {"w": (3,)})
    with pytest.raises(ShapeError, match="with respect to a matrix"):
        vector_chain_rule_steps("sum(X @ w)", "X", {"X": (2, 3), "w": (3,)})
    with pytest.raises(TypeError):
        vector_chain_rule_steps("sum(w)", 3, {"w": (3,)})


@pytest.mark.parametrize("shapes, error", [
    ({"w": (3, 2, 1)}, ShapeError), ({"w": (0,)}, ShapeError), ({"w": "three"}, TypeError),
    ({"sum": (3,)}, TypeError), ({"w": (1.5,)}, TypeError), (["w"], TypeError),
])
def test_bad_shapes_are_refused(shapes, error):
    with pytest.raises(error):
        vector_chain_rule_steps("w", "w", shapes)


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hi')", "w.T", "lambda: w", "w[0]", "w; w", "import os", "w if w else w",
    "open('f')", "sum(w, axis=0)", "[w]", "w % 2", "w // 2", "f'{w}'", "sum(*w)", "eval('1')",
])
def test_hostile_or_foreign_text_is_refused_without_running_it(text):
    with pytest.raises((UnsafeExpressionError, ExpressionSyntaxError)):
        vector_chain_rule_steps(text, "w", {"w": (3,)})


@pytest.mark.parametrize("text, error, match", [
    ("w ** w", UnsafeExpressionError, "exponent of \\*\\* must be a number"),
    ("max(w, v)", UnsafeExpressionError, "max compares with a number"),
    ("sum(w", ExpressionSyntaxError, "could not read"),
    ("2w", ExpressionSyntaxError, "could not read"),
    ("", ValueError, "empty"),
    ("w" + " + w" * 300, UnsafeExpressionError, "too long"),
    ("log(0) * w", ValueError, "no real value"),
    ("sum", ExpressionSyntaxError, "is a function"),
    ("dot(w)", ExpressionSyntaxError, "takes 2 arguments"),
])
def test_other_refusals(text, error, match):
    with pytest.raises(error, match=match):
        vector_chain_rule_steps(text, "w", {"w": (3,), "v": (3,)})
    with pytest.raises(TypeError):
        vector_chain_rule_steps(3, "w", {"w": (3,)})


def test_too_many_operations_is_a_derivation_error():
    text = "w" + "".join(f" * {k + 2}" for k in range(0))
    text = "sin(" * (MAX_OPERATIONS + 1) + "w" + ")" * (MAX_OPERATIONS + 1)
    with pytest.raises(DerivationError, match="operations"):
        vector_chain_rule_steps(text, "w", {"w": (2,)})


def test_evaluate_checks_its_values():
    d = vector_chain_rule_steps("max(0, dot(w, x) + b)", "w", NEURON)
    good = {"w": np.ones(3), "x": np.ones(3), "b": 0.0}
    with pytest.raises(ShapeError, match=r"w should be a vector of length 3.*got shape \(4,\)"):
        d.evaluate(**{**good, "w": np.ones(4)})
    with pytest.raises(TypeError, match="needs a value for b"):
        d.evaluate(w=np.ones(3), x=np.ones(3))
    with pytest.raises(TypeError, match="does not know"):
        d.evaluate(**good, z=1.0)
    with pytest.raises(ValueError, match="NaN"):
        d.evaluate(**{**good, "x": np.array([1.0, np.nan, 0.0])})
    d = vector_chain_rule_steps("sum(log(w))", "w", {"w": (3,)})
    with pytest.raises(ValueError, match=r"ln\(w\) is not defined.*entry 2 of 3.*positive"):
        d.evaluate(w=np.array([1.0, -1.0, 2.0]))


# ------------------------------------------------------------------------------------------------
# Properties: generated compositions of every operation, with generated shapes
SAFE_UNARY = ["sin({})", "cos({})", "tanh({})", "exp({} / 4)", "log(1 + ({})**2)", "sqrt(1 + ({})**2)",
              "max(0, {})", "({})**2", "({})**3", "-({})", "2 * ({})", "({}) / (2 + cos({}))"]


@st.composite
def expressions(draw, kind, depth):
    """Text of an expression of one kind: 'n' (a vector like x), 'm' (a vector like A @ x) or 's' (scalar)."""
    leaves = {"n": ["x", "x", "v", "x * c", "s * v", "x * s"], "m": ["A @ x", "A @ (s * x)", "u"],
              "s": ["s", "c", "dot(x, v)", "sum(x)", "x @ x"]}
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(leaves[kind]))
    choice = draw(st.integers(0, 5))
    if choice <= 1:
        template = draw(st.sampled_from(SAFE_UNARY))
        inner = draw(expressions(kind, depth - 1))
        return template.format(inner, inner)
    if choice <= 3:
        op = draw(st.sampled_from(["+", "-", "*"]))
        left = draw(expressions(kind, depth - 1))
        right_kind = draw(st.sampled_from([kind, "s"]))
        right = draw(expressions(right_kind, depth - 1))
        return f"({left}) {op} ({right})" if draw(st.booleans()) else f"({right}) {op} ({left})"
    if kind == "s":
        reducer = draw(st.sampled_from(["sum({})", "mean({})", "dot({}, v)", "({}) @ x"]))
        return reducer.format(draw(expressions("n", depth - 1)))
    if kind == "m":
        return f"A @ ({draw(expressions('n', depth - 1))})"
    return f"B @ ({draw(expressions('n', depth - 1))})"


def _relu_margin(d, values) -> float:
    """How far the argument of every max(0, ·) is from its kink at these values (inf when there is none)."""
    env = dict(values)
    margin = np.inf
    for node in d.intermediates:
        if node.definition.kind == "relu":
            margin = min(margin, float(np.min(np.abs(_evaluate(node.definition.args[0], env)))))
        env[node.name] = _evaluate(node.definition, env)
    return margin


# mcdl.jacobian warns (AccuracyWarning) when it is unsure of an entry, e.g. a derivative of 5e-7 next to
# values of order 1; the tolerances below hold those cases too, so the warning is not a failure here.
@pytest.mark.filterwarnings("ignore::mcdl.numeric.AccuracyWarning")
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(kind=st.sampled_from(["n", "m", "s"]), n=st.integers(1, 4), m=st.integers(1, 3),
       wrt=st.sampled_from(["x", "s"]), data=st.data())
def test_generated_compositions_agree_with_finite_differences(kind, n, m, wrt, data):
    text = data.draw(expressions(kind, 4))
    shapes = {"x": (n,), "v": (n,), "A": (m, n), "B": (n, n), "s": (), "c": (), "u": (m,)}
    d = vector_chain_rule_steps(text, wrt, shapes)
    seed = data.draw(st.integers(0, 2**32 - 1))
    values = values_for({k: shapes[k] for k in set(d.used) | {wrt}}, np.random.default_rng(seed), scale=0.8)
    assume(_relu_margin(d, values) > 1e-3)
    assert d.shape == (1 if kind == "s" else (m if kind == "m" else n), n if wrt == "x" else 1)
    agrees(d, values, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# Regressions from a review: each was a wrong number, a wrong-reading formula or an unexpected exception
@pytest.mark.parametrize("text, shapes", [
    ("sum(exp(x) * u1)", {"x": (3,), "u1": (3,), "v1": (3,), "p1": (3,), "q1": (3,)}),
    ("sum(exp(x) * out)", {"x": (3,), "y": (3,), "f": (3,), "out": (3,)}),
    ("sum(exp(x) * u_1)", {"x": (3,), "u_1": (3,)}),
])
def test_intermediate_names_never_clash_with_the_learner_s(text, shapes):
    d = vector_chain_rule_steps(text, "x", shapes)
    assert not {node.name for node in d.intermediates} & set(shapes)
    agrees(d, values_for(shapes))


@pytest.mark.parametrize("text, wrt, shapes, expected", [
    ("(x + y) * (t - s)", "s", "x: scalar, y: scalar, t: scalar, s: scalar", "-(x + y)"),
    ("(x - s) * sum(x)", "x", "x: 3, s: scalar", "sum(x)·I + (x - s)·1ᵀ"),
    ("sum(exp((A + B) @ x))", "x", "A: 3x3, B: 3x3, x: 3", "exp((A + B) x)ᵀ·(A + B)"),
    ("(A - B) @ (x * s)", "s", "A: 3x3, B: 3x3, x: 3, s: scalar", "(A - B)·x"),
    ("sum(x @ A @ B)", "x", "x: 3, A: 3x3, B: 3x3", "1ᵀ·Bᵀ·Aᵀ"),
    ("(x @ A) @ x", "x", "x: 3, A: 3x3", "xᵀ·Aᵀ + (Aᵀ x)ᵀ"),
    ("mean(x) * 3", "x", "x: 3", "1ᵀ"),
    ("x * 9**300 * 9**300", "x", "x: 2", "3.51161e+572·I"),
])
def test_results_read_as_what_they_compute(text, wrt, shapes, expected):
    d = vector_chain_rule_steps(text, wrt, shapes)
    assert d.jacobian.text() == expected
    if "9**300" not in text:
        agrees(d, values_for(d.shapes, np.random.default_rng(2), scale=0.3))


@pytest.mark.parametrize("text, match", [
    ("x * 10**400", "too large"), ("x * 10.0**309", "too large"), ("x * 0**-1", "divides by zero"),
    ("x / 0", "divides by zero"), ("sum(x) / 0", "divides by zero"), ("exp(1e300*1e300) * x", "too large"),
    ("x * 1" + "0" * 400, "too large"), ("x * (0.1 + 1e-310)", "too small"),
])
def test_numbers_beyond_floating_point_are_refused_by_name(text, match):
    with pytest.raises(ValueError, match=match):
        vector_chain_rule_steps(text, "x", {"x": (3,)})


def test_a_long_flat_chain_is_refused_before_it_can_exhaust_the_stack():
    with pytest.raises(UnsafeExpressionError, match="248 operations; the limit is 150"):
        vector_chain_rule_steps("x*(" + "+".join(["s"] * 248) + ")", "x", {"x": (3,), "s": ()})


def test_formulas_too_long_to_typeset_are_left_out_with_a_sentence():
    e = "x"
    for _ in range(6):
        e = f"(-{e}*{e})"
    d = vector_chain_rule_steps(f"sum(sin({e}))", "x", {"x": (2,)})
    assert max(len(s.latex) for s in d.steps) <= 8000
    assert any("too long" in s.text for s in d.steps)
    agrees(d, {"x": np.array([0.3, -0.2])})


def test_small_texts_the_review_found():
    rule = vector_chain_rule_steps("x - x", "x", {"x": (2,)}).local_jacobians[0].rule
    assert "I (as the first operand) plus -I (as the second operand), which is 0" in rule
    assert "u^(1/2) = 1/2·u^(-1/2)" in vector_chain_rule_steps("x**0.5", "x", {"x": (2,)}).local_jacobians[0].rule
    many = vector_chain_rule_steps("s*s*s*s*s*s*s*s", "s", {"s": ()})
    assert len(many.paths) > 6 and all(not s.latex.endswith("=  + \\cdots") for s in many.steps)
    assert "uses no variable" in vector_chain_rule_steps("2", "x", {"x": (2,)}).steps[0].text
    one = vector_chain_rule_steps("exp(s)", "s", {"s": ()})
    assert not any(s.latex.count(r"\frac{\partial y}{\partial s}") == 2 for s in one.steps)
    d = vector_chain_rule_steps("sum(self * w)", "w", {"self": (3,), "w": (3,)})
    np.testing.assert_array_equal(d.evaluate(self=np.ones(3), w=np.ones(3)), [[1.0, 1.0, 1.0]])
    for spec in ("x: 10**3", "x: 3x", "x: ²"):
        with pytest.raises(ValueError, match="could not read the shape"):
            parse_shapes(spec)
