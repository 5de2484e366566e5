"""Tangent-line explorer (paper §2): the derivative as the slope of the tangent, and the secant
slope (f(x+h) − f(x)) / h sliding towards it as h shrinks.

``tangent_state`` decides everything that is shown (pure, tested without a front end);
``tangent_explorer`` is the thin view: two sliders, one live figure, one caption.
"""
from __future__ import annotations

import math

import numpy as np
import ipywidgets as widgets

from ..numeric import derivative
from ..plots import COLORS, LiveFigure, nice_ylim, sample_curve
from ..shapes import require_callable
from .base import Explorer, caption_label


def as_function(f, variables=("x",)):
    """Accept a Python function, or an expression typed as text ('x**3 - 2*x'), parsed safely."""
    if isinstance(f, str):
        from ..symbolic import parse_expression, to_function
        return to_function(parse_expression(f, variables), variables)
    if hasattr(f, "free_symbols") and not callable(f):      # a sympy expression
        from ..symbolic import to_function
        return to_function(f, variables)
    return require_callable(f)


def _value(f, x):
    try:
        with np.errstate(all="ignore"):
            y = float(f(x))
    except Exception:
        return math.nan
    return y if math.isfinite(y) else math.nan


def tangent_state(f, x0: float, h: float = 0.5, xlim=(-3.0, 3.0)) -> dict:
    """Everything the tangent explorer shows at (x0, h), as plain numbers.

    Keys: x0, y0, slope, tangent (xs, ys over xlim), secant_h (the h actually used: +h, or −h when
    f(x0+h) is undefined), secant_slope, secant (xs, ys) and caption.  Where f or its derivative is
    undefined the values are NaN, the lines empty, and the caption says so — never a warning.
    """
    x0, h = float(x0), float(h)
    lo, hi = float(xlim[0]), float(xlim[1])
    y0 = _value(f, x0)
    slope = math.nan
    if math.isfinite(y0):
        try:
            slope = derivative(f, x0)
        except (ValueError, TypeError, ArithmeticError):
            slope = math.nan
    state = {"x0": x0, "y0": y0, "slope": slope, "h": h,
             "tangent": (np.array([]), np.array([])), "secant": (np.array([]), np.array([])),
             "secant_h": math.nan, "secant_slope": math.nan}
    if not math.isfinite(y0):
        state["caption"] = f"x = {x0:.2f},  f is not defined here"
        return state
    if math.isfinite(slope):
        xs = np.array([lo, hi])
        state["tangent"] = (xs, y0 + slope * (xs - x0))
    for step in (h, -h):                               # forward secant; backward if f(x0+h) is undefined
        y1 = _value(f, x0 + step)
        if math.isfinite(y1) and step != 0:
            state["secant_h"] = step
            state["secant_slope"] = (y1 - y0) / step
            xs = np.array([lo, hi])
            state["secant"] = (xs, y0 + state["secant_slope"] * (xs - x0))
            state["secant_points"] = (np.array([x0, x0 + step]), np.array([y0, y1]))
            break
    slope_text = f"{slope:.2f}" if math.isfinite(slope) else "undefined"
    caption = f"x = {x0:.2f},  f(x) = {y0:.2f},  slope = {slope_text}"
    if math.isfinite(state["secant_slope"]):
        caption += f",  secant slope (h = {state['secant_h']:.2f}) = {state['secant_slope']:.2f}"
    state["caption"] = caption
    return state


class TangentExplorer(Explorer):
    """The view: an x slider, an h slider, the curve with its tangent and secant, and a caption."""

    def __init__(self, f, x0=1.0, xlim=(-3.0, 3.0), h=0.5, label="f(x)", step=0.05, figsize=(6.0, 3.6)):
        self.f = as_function(f)
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.x_slider = widgets.FloatSlider(value=x0, min=self.xlim[0], max=self.xlim[1], step=step,
                                            description="x", continuous_update=True, readout_format=".2f")
        self.h_slider = widgets.FloatSlider(value=h, min=0.01, max=2.0, step=0.01, description="h (secant)",
                                            readout_format=".2f", style={"description_width": "initial"})
        self.caption = caption_label()
        self.live = LiveFigure(figsize=figsize)
        ax = self.live.ax
        xs, ys = sample_curve(self.f, self.xlim)
        ax.plot(xs, ys, color=COLORS["curve"], lw=2, label=label)
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*nice_ylim(ys))
        ax.axhline(0, color=COLORS["muted"], lw=0.8)
        ax.axvline(0, color=COLORS["muted"], lw=0.8)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        add = self.live.add_animated
        self.tangent_line, = add(ax.plot([], [], color=COLORS["tangent"], lw=2, label="tangent (slope = derivative)")[0]),
        self.secant_line, = add(ax.plot([], [], color=COLORS["secant"], lw=1.5, ls="--", label="secant through x and x+h")[0]),
        self.secant_dots, = add(ax.plot([], [], "o", color=COLORS["secant"], ms=5)[0]),
        self.point, = add(ax.plot([], [], "o", color=COLORS["point"], ms=7)[0]),
        ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
        super().__init__([self.x_slider, self.h_slider, self.live.canvas, self.caption])
        self.add_class("mcdl-tangent")
        self.x_slider.observe(self._on_change, names="value")
        self.h_slider.observe(self._on_change, names="value")
        self._apply(tangent_state(self.f, self.x_slider.value, self.h_slider.value, self.xlim))
        # no draw yet: the front end requests one when it shows the canvas, and update() draws in full
        # the first time if nothing has been drawn

    def _apply(self, state):
        self.state = state
        self.tangent_line.set_data(*state["tangent"])
        self.secant_line.set_data(*state["secant"])
        self.secant_dots.set_data(*state.get("secant_points", ([], [])))
        finite = math.isfinite(state["y0"])
        self.point.set_data([state["x0"]] if finite else [], [state["y0"]] if finite else [])
        self.caption.value = state["caption"]

    def _on_change(self, _change=None):
        self._apply(tangent_state(self.f, self.x_slider.value, self.h_slider.value, self.xlim))
        self.live.update()


def tangent_explorer(f, x0: float = 1.0, xlim=(-3.0, 3.0), h: float = 0.5, label: str = "f(x)", **kw) -> TangentExplorer:
    """Explore the derivative of any f: R → R as the slope of its tangent line (paper §2).

    ``f`` is a Python function (``np.sin``, ``lambda x: x**3``) or an expression as text (``"x**3"``).
    Drag x to move along the curve; drag h to watch the secant slope approach the derivative.
    """
    return TangentExplorer(f, x0=x0, xlim=xlim, h=h, label=label, **kw)
