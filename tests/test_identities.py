"""mcdl.identities: the registry of the paper's identities (§4.1–4.4, §8.1–8.4).

Every identity's analytic derivatives agree with finite differences at random points of several sizes, each
derivative has the shape the paper gives it, and the tables the chapters show are rendered from the registry.
"""
import re

import numpy as np
import pytest

import mcdl
from mcdl import identities as reg
from mcdl.shapes import ShapeError

NAMES = [i.name for i in reg.IDENTITIES]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_identity_agrees_with_finite_differences(name, seed):
    assert reg.verify(name, np.random.default_rng(seed)) < 1e-6


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_every_identity_holds_for_each_vector_length(name, n):
    assert reg.verify(name, seed := n, n=n) < 1e-6, seed


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_have_the_papers_shapes(name):
    identity = reg.get(name)
    n = identity.fixed_n or 4
    args = identity.sample(np.random.default_rng(3), n=n)
    for d in identity.derivatives:
        J = np.asarray(d.function(**args))
        assert J.shape == reg.SHAPES[d.shape][1](n), (name, d.wrt)
        if d.shape == "diagonal":
            assert np.count_nonzero(J - np.diag(np.diagonal(J))) == 0


def test_the_registry_covers_the_papers_sections():
    sections = {s for i in reg.IDENTITIES for s in i.sections}
    assert {"4.1", "4.2", "4.3", "4.4", "8.1", "8.2", "8.3", "8.4"} <= sections
    assert [i.name for i in reg.for_section("4.2")] == [
        "elementwise-add", "elementwise-subtract", "elementwise-multiply", "elementwise-divide",
        "elementwise-general"]
    assert [i.name for i in reg.for_section("8.3")] == ["scalar-add", "scalar-multiply"]
    assert {i.name for i in reg.for_section("4")} | {i.name for i in reg.for_section("5")} | {
        i.name for i in reg.for_section("6")} == set(NAMES)
    assert [i.name for i in reg.for_section("8.5")] == ["chain-single", "chain-total", "chain-vector"]
    assert [i.name for i in reg.for_section("5")] == ["affine", "relu-broadcast", "activation"]


@pytest.mark.parametrize("name, wrt, shape, latex", [
    ("identity", "x", "diagonal", "I"),
    ("elementwise-subtract", "x", "diagonal", "-I"),
    ("elementwise-multiply", "w", "diagonal", r"diag(\mathbf{x})"),
    ("scalar-add", "z", "column", r"\vec{1}"),
    ("scalar-multiply", "z", "column", r"\mathbf{x}"),
    ("sum", "x", "row", r"\vec{1}^T"),
    ("sum-scalar-product", "z", "scalar", r"sum(\mathbf{x})"),
    ("dot-product", "w", "row", r"\vec{1}^T diag(\mathbf{x}) = \mathbf{x}^T"),
])
def test_registry_states_the_papers_results(name, wrt, shape, latex):
    d = reg.get(name).derivative(wrt)
    assert (d.shape, d.latex) == (shape, latex)


def test_registry_values_at_the_papers_example_14():
    w, x = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    d = reg.get("elementwise-divide").derivative("x").function(w=w, x=x)
    np.testing.assert_allclose(np.diagonal(d), [-0.0625, -0.08, -1 / 12])


def test_verify_catches_a_wrong_identity():
    good = reg.get("elementwise-multiply")
    swapped = reg.Identity("swapped", ("4.2",), "w ⊗ x with the partials swapped", good.latex, good.arguments,
                           good.forward, tuple(reg.Derivative(d.wrt, d.latex, d.shape, other.function)
                                               for d, other in zip(good.derivatives, good.derivatives[::-1])))
    assert reg.verify(swapped, 0, n=3) > 0.1


def test_verify_catches_a_wrong_shape():
    good = reg.get("scalar-add")
    as_row = reg.Identity("as-row", ("4.3",), "x + z with ∂/∂z as a row", good.latex, good.arguments, good.forward,
                          (good.derivatives[0],
                           reg.Derivative("z", r"\vec{1}^T", "column", lambda x, z: np.ones((1, np.size(x))))))
    with pytest.raises(ShapeError, match=r"n×1 column.*\(3, 1\).*\(1, 3\)"):
        reg.verify(as_row, 0, n=3)


def test_verify_is_deterministic_for_a_seed():
    assert reg.verify("sum-general", 7) == reg.verify("sum-general", 7)


def test_unknown_names_and_sections():
    with pytest.raises(KeyError, match="unknown identity 'elementwise-power'"):
        reg.get("elementwise-power")
    with pytest.raises(KeyError, match="neither an identity name nor a paper section"):
        reg.table("9.9")
    with pytest.raises(KeyError, match="with respect to w, x, not 'z'"):
        reg.get("dot-product").derivative("z")


def test_table_renders_one_row_per_derivative_from_the_registry():
    md = reg.table("4.2")._repr_markdown_()
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == sum(len(i.derivatives) for i in reg.for_section("4.2"))
    assert r"$diag(\ldots \frac{-w_i}{x_i^2} \ldots)$" in md
    assert md.count(r"$\mathbf{y} = \mathbf{w} \oslash \mathbf{x}$") == 1        # the function is written once
    assert "checked with f = sin" in md
    for row in rows:
        assert row.count("$") % 2 == 0 and row.count("|") == 6                   # LaTeX never breaks the table


def test_table_by_names_keeps_order_and_has_a_text_view():
    t = reg.table("sum", "dot-product", "sum")
    assert [i.name for i in t.identities] == ["sum", "dot-product"]
    text = str(t)
    assert re.search(r"sum\s+∂/∂x\s+\\vec\{1\}\^T\s+1×n row", text)
    assert repr(t) == text
    assert len(reg.table().identities) == len(NAMES)


def test_module_is_reachable_from_mcdl():
    assert mcdl.identities.get("sum") is reg.get("sum")
