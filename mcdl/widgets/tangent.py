"""Tangent-line explorer (paper §2): the derivative as the slope of the tangent, and the secant
slope (f(x+h) − f(x)) / h sliding towards it as h shrinks.

``tangent_state`` decides everything that is shown (pure, tested without a front end);
``TangentExplorer`` is the thin view: two sliders, one live figure, one caption.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..functions import learner_function
from ..plots import COLORS, LiveFigure, nice_ylim
from ..text import number
from .base import Explorer, factory_of, slider

_EMPTY = (np.array([]), np.array([]))


@dataclass(frozen=True)
class TangentState:
    """What the tangent explorer shows at (x0, h).  NaN and empty lines where f or f′ is undefined."""

    x0: float
    h: float
    y0: float = math.nan
    slope: float = math.nan
    tangent: tuple = _EMPTY                 # (xs, ys) across the window
    secant_h: float = math.nan              # the step used: +h, or −h when f(x0 + h) is undefined
    secant_slope: float = math.nan
    secant: tuple = _EMPTY
    secant_points: tuple = _EMPTY           # (x0, x0 + step), (f(x0), f(x0 + step))
    caption: str = field(default="", compare=False)

    @property
    def defined(self) -> bool:
        return math.isfinite(self.y0)


def tangent_state(f, x0: float, h: float = 0.5, xlim=(-3.0, 3.0)) -> TangentState:
    """Everything the tangent explorer shows at (x0, h), as plain numbers.

    ``f`` is anything :func:`mcdl.functions.learner_function` accepts as f(x).  The slope comes from
    ``mcdl.numeric``; the secant uses +h, or −h where f(x0 + h) is undefined.  Where f or its derivative is
    undefined the values are NaN, the lines empty, and the caption says so — never a warning.
    """
    f = learner_function(f, "scalar")
    x0, h = float(x0), float(h)
    ends = np.array([float(xlim[0]), float(xlim[1])])
    where = f"x = {number(x0)}"
    y0 = f(x0)
    if not math.isfinite(y0):
        return TangentState(x0, h, caption=f"{where},  f is not defined here")
    slope = f.derivative(x0)
    tangent = (ends, y0 + slope * (ends - x0)) if math.isfinite(slope) else _EMPTY
    secant = {}
    for step in (h, -h):                               # forward secant; backward if f(x0+h) is undefined
        y1 = f(x0 + step) if step != 0 else math.nan
        if math.isfinite(y1):
            s = (y1 - y0) / step
            secant = dict(secant_h=step, secant_slope=s, secant=(ends, y0 + s * (ends - x0)),
                          secant_points=(np.array([x0, x0 + step]), np.array([y0, y1])))
            break
    caption = f"{where},  f(x) = {number(y0)},  slope = {number(slope, undefined='undefined')}"
    if secant:
        caption += f",  secant slope (h = {number(secant['secant_h'])}) = {number(secant['secant_slope'])}"
    return TangentState(x0, h, y0, slope, tangent, caption=caption, **secant)


class TangentExplorer(Explorer):
    """The view: an x slider, an h slider, the curve with its tangent and secant, and a caption."""

    css_class = "mcdl-tangent"

    def __init__(self, f, x0=1.0, xlim=(-3.0, 3.0), h=0.5, label="f(x)", step=0.05, figsize=(6.0, 3.6)):
        self.f = learner_function(f, "scalar")
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.label = label
        controls = {"x": slider(x0, *self.xlim, step, "x", label_width="5.5em"),
                    "h": slider(h, 0.01, 2.0, 0.01, "h (secant)", label_width="5.5em")}
        super().__init__(controls, live=LiveFigure(figsize=figsize))

    def state(self, x, h):
        return tangent_state(self.f, x, h, self.xlim)

    def scenery(self, state):
        ax = self.live.ax
        xs = np.linspace(*self.xlim, 400)
        ys = self.f.sample(xs)
        ax.plot(xs, ys, color=COLORS["curve"], lw=2, label=self.label)
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*nice_ylim(ys))
        ax.axhline(0, color=COLORS["muted"], lw=0.8)
        ax.axvline(0, color=COLORS["muted"], lw=0.8)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        add = self.live.add_animated
        self.tangent_line = add(ax.plot([], [], color=COLORS["tangent"], lw=2, label="tangent (slope = derivative)")[0])
        self.secant_line = add(ax.plot([], [], color=COLORS["secant"], lw=1.5, ls="--",
                                       label="secant through x and x+h")[0])
        self.secant_dots = add(ax.plot([], [], "o", color=COLORS["secant"], ms=5)[0])
        self.point = add(ax.plot([], [], "o", color=COLORS["point"], ms=7)[0])
        ax.legend(loc="upper left", fontsize=8, framealpha=0.85)

    def draw(self, state):
        self.tangent_line.set_data(*state.tangent)
        self.secant_line.set_data(*state.secant)
        self.secant_dots.set_data(*state.secant_points)
        self.point.set_data(*(([state.x0], [state.y0]) if state.defined else ([], [])))


@factory_of(TangentExplorer)
def tangent_explorer(f, **options) -> TangentExplorer:
    """Explore the derivative of any f: R → R as the slope of its tangent line (paper §2).

    ``f`` is a Python function (``np.sin``, ``lambda x: x**3``) or an expression as text (``"x**3"``).
    Drag x to move along the curve; drag h to watch the secant slope approach the derivative.  Options:
    ``x0`` and ``h`` (where the sliders start), ``xlim`` (the window), ``label`` (the curve's legend).
    """
    return TangentExplorer(f, **options)
