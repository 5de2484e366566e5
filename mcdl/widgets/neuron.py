"""The neuron explorer (paper §5): max(0, w·x + b) for a 2-D input, which branch of the ReLU is active, and
the gradients ∂activation/∂w (xᵀ or 0ᵀ) and ∂activation/∂b (1 or 0), each checked numerically on screen.

``neuron_state`` decides everything that is shown (pure, tested without a front end); ``NeuronExplorer`` is
the thin view: sliders for w₁, w₂, b, x₁, x₂; on the left the input plane coloured by the activation, with the
line w·x + b = 0 where the neuron (and its gradient) switches off, the input x and the arrow of w; on the right
the ReLU with the current z, a and the slope of the branch in use.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import numeric
from ..neuron import activation, activation_gradients, affine
from ..plots import COLORS, LiveFigure
from ..text import number, vector
from .base import Explorer, factory_of, slider

PLANE = (-3.0, 3.0)            # the input plane shown (x₁ and x₂ sliders cover it)
Z_RANGE = (-8.0, 8.0)          # |w·x + b| ≤ 2·3 + 2·3 + 3 = 15 over the sliders; the ReLU panel clips at 8
COLOUR_TOP = 6.0               # the activation's colour scale, 0 … 6 (brighter is clipped)
KINK = 1e-9                    # |z| below this: on the kink, where the paper takes the derivative to be 0
NEAR_KINK = 0.05               # |z| below this: a finite-difference step would cross the kink, so no check


@dataclass(frozen=True)
class NeuronState:
    """What the neuron explorer shows for (w, b, x): z = w·x + b, the activation a = max(0, z), whether the
    neuron is ``active`` (z > 0), the analytic gradients ``grad_w`` (xᵀ or 0ᵀ, a row) and ``grad_b`` (1 or 0),
    and the same two computed by finite differences (``numeric_w``, ``numeric_b``; NaN on the kink, where no
    derivative exists); ``agrees`` says whether they match."""

    w: tuple
    b: float
    x: tuple
    z: float
    a: float
    active: bool
    grad_w: tuple
    grad_b: float
    numeric_w: tuple = (math.nan, math.nan)
    numeric_b: float = math.nan
    agrees: bool | None = None
    caption: str = field(default="", compare=False)

    @property
    def on_kink(self) -> bool:
        return abs(self.z) < KINK


def neuron_state(w1: float, w2: float, b: float, x1: float, x2: float) -> NeuronState:
    """Everything the neuron explorer shows at w = (w1, w2), bias b, input x = (x1, x2)."""
    w, x, b = np.array([w1, w2], dtype=float), np.array([x1, x2], dtype=float), float(b)
    z = affine(w, b, x)
    if abs(z) < KINK:                 # slider steps of 0.05 leave rounding crumbs such as 1e-17: that is the kink
        z = 0.0
    a = max(0.0, z)
    active = z > 0
    g = activation_gradients(w, b, x)._replace(w=x * active, b=float(active), x=w * active)  # the z shown
    branch = "xᵀ" if active else "0ᵀ"
    head = (f"z = w·x + b = {number(z)} {'>' if active else '≤'} 0: "
            f"{'active' if active else 'inactive'}, activation = {number(a)};  "
            f"∂a/∂w = {branch} = {vector(g.w)},  ∂a/∂b = {number(g.b, '.0f')}")
    if z == 0.0:
        return NeuronState(tuple(w), b, tuple(x), z, a, False, tuple(g.w), float(g.b), agrees=None,
                           caption=head + ";  on the kink: no derivative exists, the paper takes 0")
    if abs(z) < NEAR_KINK:            # a difference quotient would straddle the corner and average the slopes
        return NeuronState(tuple(w), b, tuple(x), z, a, bool(active), tuple(g.w), float(g.b), agrees=None,
                           caption=head + ";  too close to the kink for a numeric check (|z| < 0.05)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", numeric.AccuracyWarning)
        nw = numeric.gradient(lambda v: activation(v, b, x), w)
        nb = numeric.derivative(lambda t: activation(w, t, x), b)
    agrees = bool(np.allclose(nw, g.w, atol=1e-6) and abs(nb - g.b) <= 1e-6)
    caption = head + f";  numeric check: {'agrees' if agrees else 'DISAGREES'} ({vector(nw)}, {number(nb)})"
    return NeuronState(tuple(w), b, tuple(x), z, a, bool(active), tuple(g.w), float(g.b), tuple(nw), float(nb),
                       agrees, caption)


def _switch_line(w, b):
    """The part of the line w·x + b = 0 inside the plane (empty when w = 0)."""
    (w1, w2), lo, hi = w, *PLANE
    ts = np.linspace(lo, hi, 2)
    if abs(w2) >= abs(w1) and abs(w2) > 1e-12:
        return ts, -(b + w1 * ts) / w2
    if abs(w1) > 1e-12:
        return -(b + w2 * ts) / w1, ts
    return np.array([]), np.array([])


class NeuronExplorer(Explorer):
    """The view: five sliders, the input plane and the ReLU, and a caption with the numeric check."""

    css_class = "mcdl-neuron"

    def __init__(self, w=(1.0, -0.5), b=0.5, x=(1.0, 1.5), figsize=(9.0, 3.9), resolution: int = 121):
        self.grid = np.linspace(*PLANE, resolution)
        self.X1, self.X2 = np.meshgrid(self.grid, self.grid)
        controls = {"w1": slider(w[0], -2.0, 2.0, 0.05, "w₁", label_width="2.5em"),
                    "w2": slider(w[1], -2.0, 2.0, 0.05, "w₂", label_width="2.5em"),
                    "b": slider(b, -3.0, 3.0, 0.05, "b", label_width="2.5em"),
                    "x1": slider(x[0], *PLANE, 0.05, "x₁", label_width="2.5em"),
                    "x2": slider(x[1], *PLANE, 0.05, "x₂", label_width="2.5em")}
        live = LiveFigure(figsize=figsize, ncols=2, margins=dict(left=0.07, right=0.97, bottom=0.14, top=0.9,
                                                                 wspace=0.32))
        super().__init__(controls, live=live, rows=[["w1", "w2", "b"], ["x1", "x2"]])

    def state(self, w1, w2, b, x1, x2):
        return neuron_state(w1, w2, b, x1, x2)

    def _plane_values(self, state):
        """The activation over the plane; the inactive part (z ≤ 0) masked, so the grey background shows."""
        w1, w2 = state.w
        z = w1 * self.X1 + w2 * self.X2 + state.b
        return np.ma.masked_less_equal(z, 0.0)

    def scenery(self, state):
        plane, curve = self.live.axes[0]
        for ax in (plane, curve):
            ax.clear()
        add = self.live.add_animated
        self.live._animated.clear()
        self.image = add(plane.imshow(self._plane_values(state), origin="lower", extent=(*PLANE, *PLANE),
                                      vmin=0.0, vmax=COLOUR_TOP, cmap="viridis", interpolation="nearest"))
        colourbar = getattr(self, "_colourbar", None)
        if colourbar is None:
            self._colourbar = self.live.figure.colorbar(self.image, ax=plane, fraction=0.046, pad=0.03)
            self._colourbar.set_label("activation max(0, w·x + b)", fontsize=8)
        plane.set_facecolor("#d4d4d4")
        plane.set(xlim=PLANE, ylim=PLANE, xlabel="x₁", ylabel="x₂", aspect="equal")
        # the key in the title, not a legend: a legend under the moving image would have to be redrawn (its text
        # re-rendered) on every move
        plane.set_title("input plane: the activation; grey: inactive (gradient 0)\n"
                        "dashed: w·x + b = 0 · dot: x · arrow: w (= ∂a/∂x where active)", fontsize=8)
        self.switch = add(plane.plot([], [], color="#222222", lw=1.8, ls="--", label="w·x + b = 0")[0])
        self.point = add(plane.plot([], [], "o", color=COLORS["tangent"], mec="white", ms=8, label="x")[0])
        self.arrow = add(plane.annotate("", xy=(0, 0), xytext=(0, 0),
                                        arrowprops=dict(arrowstyle="->", color="white", lw=2)))

        zs = np.linspace(*Z_RANGE, 400)
        curve.plot(zs, np.maximum(0, zs), color=COLORS["curve"], lw=2, label="max(0, z)")
        curve.axvline(0, color=COLORS["muted"], lw=0.8)
        curve.axhline(0, color=COLORS["muted"], lw=0.8)
        curve.set(xlim=Z_RANGE, ylim=(-1.0, Z_RANGE[1]), xlabel="z = w·x + b", ylabel="activation")
        curve.set_title("the ReLU: slope 0 for z ≤ 0, slope 1 for z > 0", fontsize=9)
        curve.grid(alpha=0.3)
        self.slope = add(curve.plot([], [], color=COLORS["tangent"], lw=3, alpha=0.8, label="slope in use")[0])
        self.z_point = add(curve.plot([], [], "o", color=COLORS["tangent"], ms=8)[0])
        curve.legend(loc="upper left", fontsize=8)

    def draw(self, state):
        self.image.set_data(self._plane_values(state))
        self.switch.set_data(*_switch_line(state.w, state.b))
        x1, x2 = state.x
        self.point.set_data([x1], [x2])
        w = np.array(state.w)
        size = float(np.hypot(*w))
        tip = (x1, x2) if size == 0 else tuple(np.array([x1, x2]) + 0.9 * w / max(size, 1.0))
        self.arrow.xy, self.arrow.xyann = tip, (x1, x2)
        self.arrow.arrow_patch.set_alpha(1.0 if state.active else 0.35)   # the gradient is off where inactive
        z = float(np.clip(state.z, *Z_RANGE))         # the panel's own z (clipped at its edge)
        zs = np.linspace(z - 1.5, z + 1.5, 2)
        self.slope.set_data(zs, (max(0.0, z) + (zs - z)) if state.active else np.zeros(2))
        self.z_point.set_data([z], [max(0.0, z)])


@factory_of(NeuronExplorer)
def neuron_explorer(**options) -> NeuronExplorer:
    """The paper's neuron max(0, w·x + b) with a 2-D input (paper §5): drag w, b and x and watch z, the
    activation, the active branch and the gradients ∂a/∂w (xᵀ or 0ᵀ) and ∂a/∂b (1 or 0), checked numerically.

    Options: ``w`` and ``x`` (pairs), ``b``: where the sliders start.
    """
    return NeuronExplorer(**options)
