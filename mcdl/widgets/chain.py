"""The chain rules, explored (paper §4.5): a derivation and its dataflow graph filling in step by step, and the
finite-change demonstration of why the total derivative adds the paths.

* ``chain_state(text, k)`` decides what the chain explorer shows at step k of the learner's expression (pure,
  tested without a front end): the steps so far (earlier ones stay, the newest highlighted — the stepper's own
  :func:`~mcdl.widgets.stepper.stepper_state`), the dataflow graph's inputs (the graph as it stands after step
  k: :func:`mcdl.plots.dataflow_figure`), which buttons work, a caption, and at the last step the result
  checked against ``mcdl.numeric`` at a few points.  Text that cannot be derived (a typo, an unknown function,
  ``__import__('os')``, an expression the derivation refuses) gives a one-line message and the previous
  derivation stays on show; the text is parsed by :mod:`mcdl.symbolic`'s whitelist, never evaluated.
* ``total_change_state(x, dx)`` is §4.5.2's demonstration for y = x + x²: y(x) and y(x + Δx), the actual
  change, the single-path prediction 2x·Δx (the chain rule applied as if x reached y only through x²) and the
  total-derivative prediction (1 + 2x)·Δx.

``ChainExplorer`` and ``TotalChangeExplorer`` are the thin views.
"""
from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from ..plots import COLORS, LiveFigure, Picture, cached_text, dataflow_figure, picture_png
from ..text import number
from .base import MISTAKE_PREFIX, Explorer, factory_of, fixed_scale, slider, style_widget
from .stepper import stepper_state, steps_html

# ==================================================================================================
# The chain explorer: state
# ==================================================================================================
CHECK_POINTS = (0.5, 1.1, 1.7, -0.6, 2.3, -1.3, 0.2, 2.9, -2.1, 3.4, -0.15, 4.1)   # tried in this order
CHECK_COUNT = 5
CHECK_TOLERANCE = 1e-6          # relative to max(1, |exact|): mcdl.numeric's Richardson estimate is ~1e-9
ALLOWED = "Use numbers, x, pi, e, + - * / ** and functions such as sin, cos, exp, log, sqrt, tanh."
PLACEHOLDER = "Type an expression in x, e.g. sin(x)**3, and press Enter."
FIGURE_DPI = 96                 # one CSS pixel per point at 72/96: the labels read like the page's text


@dataclass(frozen=True)
class NumericCheck:
    """The result formula against ``mcdl.numeric``'s derivative of the typed function at a few points."""

    points: tuple = ()
    exact: tuple = ()               # the result formula at each point
    numeric: tuple = ()             # the finite-difference derivative of the typed function there
    largest: float = math.nan       # the largest difference, relative to max(1, |exact|)
    agrees: bool = False
    text: str = ""                  # "checked numerically at 5 points: agrees (largest difference 3e-11)"


@dataclass(frozen=True)
class ChainState:
    """What the chain explorer shows.

    ``typed`` is the text in the box; ``text`` the expression whose derivation is on show (the previous one
    when ``typed`` could not be derived; "" when there is none); ``index`` is the step k (0-based) of
    ``total``; ``html`` the steps 1 … k+1 (the stepper's HTML, the newest highlighted), ``title`` the
    derivation's title; ``message`` the one-line reason the typed text was not used ("" when it was);
    ``dataflow`` and ``figure_step`` (the step on show) what :func:`mcdl.plots.dataflow_figure` draws; ``paths`` how many paths
    lead from x to y; ``result`` dy/dx as text; ``check`` the numeric check (at the last step only).
    """

    typed: str
    text: str = ""
    index: int = 0
    total: int = 0
    html: str = ""
    title: str = ""
    caption: str = ""
    message: str = ""
    prev_enabled: bool = False
    next_enabled: bool = False
    dataflow: object = field(default=None, compare=False)
    paths: int = 0
    result: str = ""
    check: NumericCheck | None = None

    @property
    def figure_step(self) -> int:
        """The step the graph is drawn at: the step on show."""
        return self.index

    @property
    def at_last_step(self) -> bool:
        return self.total > 0 and self.index == self.total - 1


def friendly_message(err: BaseException, typed: str = "") -> str:
    """An error from the parser or the derivation as one line a learner can act on: no traceback, no echo of
    the text with a caret under it (the box shows the text), the hint joined on."""
    lines = [line.rstrip() for line in (str(err) or type(err).__name__).splitlines()]
    keep = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or set(stripped) <= {"^", "~"}:                  # a caret line
            continue
        if stripped == typed.strip() or (i + 1 < len(lines) and set(lines[i + 1].strip()) <= {"^", "~"}
                                         and lines[i + 1].strip()):
            continue                                                     # the echo of the text
        keep.append(stripped[:-1] + "." if stripped.endswith(":") else stripped)
    text = " ".join(keep) or type(err).__name__
    if "; use only " in text:             # the whitelist, spelled out in full, is a paragraph: name its gist
        text = text.split("; use only ", 1)[0] + ". " + ALLOWED
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.isalpha() else text      # not "Abs(...)"


@lru_cache(maxsize=64)
def _derive(text: str):
    """(derivation, None) or (None, message): chain_rule_steps of the learner's text, never raising."""
    from ..derivation import chain_rule_steps

    try:
        return chain_rule_steps(text), None
    except RecursionError:
        return None, "This expression is nested too deeply to derive step by step."
    except Exception as err:              # every refusal is a message in the widget, never a traceback
        return None, friendly_message(err, text)


def numeric_check(derivation, points=CHECK_POINTS, count: int = CHECK_COUNT,
                  tolerance: float = CHECK_TOLERANCE) -> NumericCheck:
    """Compare ``derivation.result`` with ``mcdl.numeric``'s derivative of ``derivation.expression`` at the
    first ``count`` of ``points`` where both are defined."""
    from ..functions import learner_function

    try:
        f = learner_function(derivation.expression, "scalar")
        exact_f = learner_function(derivation.result, "scalar")
        rows = []
        with np.errstate(all="ignore"):
            for x0 in points:
                if len(rows) == count:
                    break
                if not math.isfinite(f(x0)):
                    continue
                exact, numeric = float(exact_f(x0)), float(f.derivative(x0))
                if math.isfinite(exact) and math.isfinite(numeric):
                    rows.append((float(x0), exact, numeric))
    except Exception as err:              # (a FunctionError from the time budget, say): said, not raised
        return NumericCheck(text=f"could not be checked numerically ({type(err).__name__})")
    if not rows:
        return NumericCheck(text="could not be checked numerically: not defined at the sample points")
    xs, exact, numeric = (tuple(column) for column in zip(*rows))
    differences = [abs(a - b) / max(1.0, abs(a)) for _, a, b in rows]
    largest = max(differences)
    agrees = largest <= tolerance
    where = f"{len(rows)} point" + ("s" if len(rows) != 1 else "")
    if agrees:
        text = f"checked numerically at {where}: agrees (largest difference {_tiny(largest)})"
    else:
        worst = xs[differences.index(largest)]
        text = f"checked numerically at {where}: DISAGREES at x = {number(worst)} (difference {largest:.1e})"
    return NumericCheck(xs, exact, numeric, largest, agrees, text)


def _tiny(value: float) -> str:
    return "0" if value == 0 else f"{value:.0e}"


@lru_cache(maxsize=64)
def _check(text: str) -> NumericCheck:
    derivation, _ = _derive(text)
    return numeric_check(derivation)


def _stage_words(stage: str) -> str:
    """'Step 2 · differentiate each intermediate' -> 'differentiate each intermediate'; 'Result' -> 'result'."""
    return stage.split(" · ", 1)[-1].strip().lower() if stage else ""


def chain_state(text: str, k: int = 0, fallback: str | None = None) -> ChainState:
    """Everything the chain explorer shows at step ``k`` (0-based, clamped to the steps there are) of the
    derivation of ``text``.

    Text that cannot be derived gives ``message`` (one line) and shows the derivation of ``fallback`` (the
    last text that worked) at step k instead, or nothing when there is none.  Deterministic; the learner's
    text is parsed by the whitelist of :mod:`mcdl.symbolic`, never evaluated.
    """
    typed = str(text)
    message = ""
    derivation = None
    if not typed.strip():
        message = PLACEHOLDER
    else:
        derivation, message = _derive(typed)
        message = message or ""
    shown = typed
    if derivation is None and fallback is not None and str(fallback).strip():
        derivation, _ = _derive(str(fallback))
        shown = str(fallback)
    if derivation is None or len(derivation) == 0:
        caption = MISTAKE_PREFIX + message if message else "nothing to derive yet"
        return ChainState(typed, caption=caption, message=message, html=steps_html((), None))
    n = len(derivation)
    k = max(0, min(int(k), n - 1))
    steps = stepper_state(derivation, k)
    flow = derivation.dataflow
    result = str(derivation.result) if derivation.result is not None else ""
    check = _check(shown) if k == n - 1 else None
    caption = f"y = {shown}: step {k + 1} of {n}, {_stage_words(steps.stage)}"
    if check is not None:
        caption += f": dy/dx = {result}, {check.text}"
    if message:
        caption = f"{MISTAKE_PREFIX}{message} (still showing y = {shown}, step {k + 1} of {n})"
    return ChainState(typed, shown, k, n, steps.html, derivation.title, caption, message, steps.prev_enabled,
                      steps.next_enabled, flow, len(flow.paths) if flow is not None else 1, result, check)


# ==================================================================================================
# The chain explorer: its picture (a PNG per (text, step), kept: Prev / Next to a step seen before is free)
# ==================================================================================================
_PNGS: dict = {}


def _note_png(note: str) -> bytes:
    fig = Picture(figsize=(3.6, 0.9), dpi=FIGURE_DPI)
    fig.text(0.5, 0.5, note, ha="center", va="center", fontsize=10.5, color=COLORS["muted"], wrap=True)
    return picture_png(fig)


def figure_png(state: ChainState) -> bytes:
    """The dataflow graph of a state as PNG bytes (``dataflow_figure(dataflow, step=k)``; kept per text and step)."""
    key = (state.text, state.figure_step)
    if key not in _PNGS:
        if len(_PNGS) > 256:
            _PNGS.clear()
        if state.dataflow is None:
            note = ("no intermediate variables: " + (f"y = {state.text}" if state.text else "nothing to draw yet"))
            _PNGS[key] = _note_png(note)
        else:
            _PNGS[key] = picture_png(dataflow_figure(state.dataflow, step=state.figure_step, math=False,
                                                     dpi=FIGURE_DPI))
    return _PNGS[key]


def _full_png(text: str) -> bytes:
    derivation, _ = _derive(text)
    if derivation is None or derivation.dataflow is None:
        return figure_png(chain_state(text, 0))
    return figure_png(chain_state(text, len(derivation) - 1))


# ==================================================================================================
# The chain explorer: the view
# ==================================================================================================
_MESSAGE_STYLE = "color: #b00020; margin: 0.1em 0 0.3em"
# A long derivation scrolls inside its own box, beside the graph, and the box keeps its newest step in view
# (a column-reverse scroll box is anchored at its end); its sentences wrap to the box's width.
_CHAIN_CSS = (".mcdl-chain .mcdl-steps-box { min-width: 0; } "
              ".mcdl-chain .mcdl-steps-box .widget-htmlmath-content { white-space: normal; min-width: 0; "
              "max-height: 38em; overflow-y: auto; display: flex; flex-direction: column-reverse; }")


class ChainExplorer(Explorer):
    """The view: a text box for y(x), ◀ Prev / a step slider / Next ▶, the steps so far beside the dataflow graph
    as it stands after this step, and the caption.

    Parts a notebook or test can reach: ``controls["text"]`` (Text, class ``mcdl-control-text``; the value is
    used on Enter), ``controls["step"]`` (IntSlider 1 … n, ``mcdl-control-step``), ``prev_button`` and
    ``next_button`` (``mcdl-prev`` / ``mcdl-next``), ``derive_button``, ``message`` (HTML, ``mcdl-message``),
    ``steps`` (HTMLMath, ``mcdl-steps`` inside), ``image`` (the graph, ``mcdl-dataflow``), ``caption``.
    """

    css_class = "mcdl-chain"

    def __init__(self, text: str = "exp(sin(x)**2)"):
        text = str(text)
        first = chain_state(text, 0)
        if first.message:                                  # a mistake in the call itself: say so at once
            raise ValueError(f"chain_explorer({text!r}): {first.message}")
        self._last_typed, self._shown, self._syncing = text, text, False
        entry = widgets.Text(value=text, placeholder="an expression in x, e.g. sin(x)**3",
                             description="y(x) =", continuous_update=False,
                             layout=widgets.Layout(width="24em"))
        step = widgets.IntSlider(value=1, min=1, max=max(first.total, 1), step=1, description="step",
                                 continuous_update=True, style={"description_width": "initial"},
                                 layout=widgets.Layout(width="18em"))
        self.derive_button = widgets.Button(description="Derive", tooltip="derive it step by step",
                                            layout=widgets.Layout(width="auto"))
        self.prev_button = widgets.Button(description="◀ Prev", tooltip="previous step",
                                          layout=widgets.Layout(width="auto"))
        self.next_button = widgets.Button(description="Next ▶", tooltip="next step",
                                          layout=widgets.Layout(width="auto"))
        self.prev_button.add_class("mcdl-prev")
        self.next_button.add_class("mcdl-next")
        self.message = widgets.HTML(layout=widgets.Layout(margin="0"))
        self.message.add_class("mcdl-message")
        self.heading = widgets.HTML()
        self.steps = widgets.HTMLMath(layout=widgets.Layout(flex="1 1 28em", min_height="3em"))
        self.steps.add_class("mcdl-steps-box")
        self.image = widgets.Image(format="png", layout=widgets.Layout(flex="0 0 auto", margin="0 0 0 1em",
                                                                       object_fit="contain"))
        self.image.add_class("mcdl-dataflow")
        self.prev_button.on_click(lambda _: self.go(self.controls["step"].value - 1))
        self.next_button.on_click(lambda _: self.go(self.controls["step"].value + 1))
        self.derive_button.on_click(lambda _: self.refresh(rebuild=True))
        body = widgets.HBox([self.steps, self.image], layout=widgets.Layout(flex_flow="row wrap",
                                                                            align_items="flex-start"))
        super().__init__({"text": entry, "step": step}, structural=("text",),
                         rows=[["text", self.derive_button], self.message, self.heading,
                               [self.prev_button, "step", self.next_button]], below=[body, style_widget(_CHAIN_CSS)])

    # ---- the Explorer hooks ---------------------------------------------------------------------------
    def active(self, name: str) -> bool:
        return not self._syncing                      # the explorer's own slider updates are not moves

    def state(self, text, step):
        if text != self._last_typed:                  # newly typed: its derivation from the first step
            s = chain_state(text, 0, fallback=self._shown)
            if s.message:                             # refused: the previous derivation stays where it was
                s = chain_state(text, step - 1, fallback=self._shown)
        else:
            s = chain_state(text, step - 1, fallback=self._shown)
        self._last_typed = text
        if not s.message:
            self._shown = s.text
        return s

    def draw(self, state: ChainState):
        self.image.value = figure_png(state)            # the picture and the steps first: the caption is "done"
        self.steps.value = state.html
        self.heading.value = f"<strong>{html.escape(state.title)}</strong>" if state.title else ""
        self.message.value = (f'<div style="{_MESSAGE_STYLE}">{MISTAKE_PREFIX}{html.escape(state.message)}</div>'
                              if state.message else "")
        self.prev_button.disabled = not state.prev_enabled
        self.next_button.disabled = not state.next_enabled
        slider_ = self.controls["step"]
        self._syncing = True
        try:
            with slider_.hold_trait_notifications():
                slider_.max = max(state.total, 1)
                slider_.value = state.index + 1
        finally:
            self._syncing = False

    # ---- navigation -----------------------------------------------------------------------------------
    def go(self, step: int) -> None:
        """Show step ``step`` (1-based, clamped)."""
        slider_ = self.controls["step"]
        slider_.value = max(slider_.min, min(int(step), slider_.max))

    def next(self) -> None:
        self.go(self.controls["step"].value + 1)

    def prev(self) -> None:
        self.go(self.controls["step"].value - 1)

    # ---- the notebook output --------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        """The live widget; for readers without a kernel the whole derivation, the finished graph and the caption."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        derivation, _ = _derive(self._shown)
        png = _full_png(self._shown)
        encoded = base64.b64encode(png).decode("ascii")
        steps = derivation._repr_html_() if derivation is not None else ""
        bundle["image/png"] = encoded
        bundle["text/html"] = (f'<div class="mcdl-chain-static">{steps}'
                               f'<img alt="the dataflow graph of y = {html.escape(self._shown)}" '
                               f'src="data:image/png;base64,{encoded}"/></div>')
        return bundle


@factory_of(ChainExplorer)
def chain_explorer(text="exp(sin(x)**2)", **options) -> ChainExplorer:
    """Derive any one-variable expression by the chain rule, step by step, and watch its dataflow graph fill in
    (paper §4.5.1–4.5.2).

    Type y(x) in the box (``sin(x)**3``, ``x + x**2``, ``ln(sin(x**3)**2)``) and press Enter; ◀ Prev / Next ▶
    walk through the four steps: introduce the intermediate variables (the graph grows a node per step),
    differentiate each (its edge gets its label), combine along the path — or add the paths, where x reaches y
    along several — and substitute back.  At the last step the result is checked against a finite-difference
    derivative.  A typo or an unknown function gives a one-line message; the previous derivation stays.
    """
    return ChainExplorer(text, **options)


# ==================================================================================================
# The total derivative as a finite change: y = x + x²
# ==================================================================================================
X_RANGE = (-1.5, 1.5)
DX_RANGE = (-1.5, 1.5)
CURVE_XLIM = (-3.2, 3.2)
BAR_NAMES = ("actual change", "one path: 2x·Δx", "both paths: (1 + 2x)·Δx")


@dataclass(frozen=True)
class TotalChangeState:
    """y = x + x² at x and x + Δx: the actual change, and what the chain rule predicts along one path and along
    both (§4.5.2).  ``rest`` = Δx², the second-order part no derivative predicts."""

    x0: float
    dx: float
    y0: float = 0.0
    y1: float = 0.0
    change: float = 0.0
    one_path: float = 0.0
    total: float = 0.0
    rest: float = 0.0
    caption: str = field(default="", compare=False)


def y_of(x):
    """The demonstration's function, y = x + x²: x reaches y directly and through u = x²."""
    return x + x * x


def total_change_state(x: float = 1.0, dx: float = 1.0) -> TotalChangeState:
    """What the total-change explorer shows at (x, Δx).  At x = 1, Δx = 1: y goes from 2 to 6, a change of 4;
    one path predicts 2, both paths 3, and the rest is Δx² = 1."""
    x0, dx = float(x), float(dx)
    y0, y1 = y_of(x0), y_of(x0 + dx)
    change, one_path, total = y1 - y0, 2 * x0 * dx, (1 + 2 * x0) * dx
    rest = change - total
    caption = (f"x = {number(x0)}, Δx = {number(dx)}: y goes from {number(y0)} to {number(y1)}, "
               f"a change of {number(change)}; one path (2x·Δx) predicts {number(one_path)}, "
               f"both paths ((1 + 2x)·Δx) predict {number(total)}; the rest is Δx² = {number(rest)}")
    return TotalChangeState(x0, dx, y0, y1, change, one_path, total, rest, caption)


class TotalChangeExplorer(Explorer):
    """The view: x and Δx sliders; y = x + x² with the actual step and the two predictions; a bar for each."""

    css_class = "mcdl-total-change"
    BOX = {"x": X_RANGE, "dx": DX_RANGE}

    def __init__(self, x0: float = 1.0, dx: float = 1.0, figsize=(7.6, 3.3)):
        controls = {"x": slider(x0, *X_RANGE, 0.05, "x", label_width="2.5em"),
                    "dx": slider(dx, *DX_RANGE, 0.05, "Δx", label_width="2.5em")}
        live = LiveFigure(figsize=figsize, ncols=2,
                          margins=dict(left=0.075, right=0.985, bottom=0.2, top=0.88, wspace=0.28))
        super().__init__(controls, live=live)

    def state(self, x, dx):
        return total_change_state(x, dx)

    def scenery(self, state):
        ax, bars = self.live.axes[0]
        xs = np.linspace(*CURVE_XLIM, 200)
        ax.plot(xs, y_of(xs), color=COLORS["curve"], lw=2, label="y = x + x²")
        ax.set_xlim(*CURVE_XLIM)
        ax.set_ylim(-1.5, 13.0)
        ax.axhline(0, color=COLORS["muted"], lw=0.8)
        ax.axvline(0, color=COLORS["muted"], lw=0.8)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        ax.set_title("y = x + x²: a step Δx", fontsize=10)
        add = self.live.add_animated
        self.one_line = add(ax.plot([], [], color=COLORS["tangent"], lw=2, ls="--", label="one path: 2x·Δx")[0])
        self.total_line = add(ax.plot([], [], color=COLORS["secant"], lw=2, label="both paths: (1 + 2x)·Δx")[0])
        self.rise = add(ax.plot([], [], color=COLORS["point"], lw=1.2, ls=":")[0])
        self.points = add(ax.plot([], [], "o", color=COLORS["point"], ms=6)[0])
        ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
        limit = fixed_scale(total_change_state, self.BOX, lambda s: (s.change, s.one_path, s.total), floor=1.0,
                            include={"x": X_RANGE[1], "dx": DX_RANGE[1]}, margin=1.15)
        bars.set_xlim(-0.6, 2.6)
        bars.set_ylim(-limit, limit)
        bars.axhline(0, color=COLORS["muted"], lw=0.8)
        bars.set_xticks([0, 1, 2], ["actual", "one path", "both paths"], fontsize=9)
        bars.set_title("the change in y", fontsize=10)
        bars.grid(axis="y", alpha=0.3)
        from matplotlib.patches import Rectangle

        self.bars, self.bar_texts = [], []
        for i, colour in enumerate((COLORS["point"], COLORS["tangent"], COLORS["secant"])):
            bar = add(Rectangle((i - 0.32, 0.0), 0.64, 0.0, facecolor=colour, alpha=0.8))
            bars.add_patch(bar)
            self.bars.append(bar)
            self.bar_texts.append(add(cached_text(bars, i, 0.0, "", fontsize=9)))
        self._limit = limit

    def draw(self, state):
        x0, x1 = state.x0, state.x0 + state.dx
        self.one_line.set_data([x0, x1], [state.y0, state.y0 + state.one_path])
        self.total_line.set_data([x0, x1], [state.y0, state.y0 + state.total])
        self.rise.set_data([x0, x1, x1], [state.y0, state.y0, state.y1])     # Δx across, then the change up
        self.points.set_data([x0, x1], [state.y0, state.y1])
        pad = 0.06 * self._limit
        for i, (bar, label, value) in enumerate(zip(self.bars, self.bar_texts,
                                                    (state.change, state.one_path, state.total))):
            bar.set_height(value)
            label.set_text(number(value))
            label.set_position((i, value + (pad if value >= 0 else -pad)))
            label.set_va("bottom" if value >= 0 else "top")


@factory_of(TotalChangeExplorer)
def total_change_explorer(**options) -> TotalChangeExplorer:
    """Why the total derivative adds the paths (paper §4.5.2), as a finite change of y = x + x².

    x reaches y twice: directly, and through u = x².  Move Δx: the actual change y(x + Δx) − y(x) is close to
    (1 + 2x)·Δx — both paths — and not to 2x·Δx, the single-variable chain rule applied as if x reached y only
    through u.  What is left over, Δx², shrinks faster than Δx.  Options: ``x0`` and ``dx`` (where the sliders
    start).
    """
    return TotalChangeExplorer(**options)
