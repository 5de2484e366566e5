"""What every mcdl explorer shares: one wiring loop, a caption, a live figure, a picture for readers without a kernel.

An explorer is three pieces (as ipywidgets' ``interactive`` is one observe loop around one pure function):

* **controls** — named ipywidgets (sliders, menus), each carrying the CSS class ``mcdl-control-<name>``;
* **state(**values)** — pure: everything the explorer shows, as a small frozen dataclass with a ``caption``
  (the module's ``*_state`` function; tests call it without a front end);
* **scenery(state)** and **draw(state)** — the view: ``scenery`` builds what stays still (axes, curves,
  heatmap grids) and runs at the start and when a *structural* control (n, an operator, a case) changes;
  ``draw`` moves the animated artists.  A plain move is then a blit (``plots.LiveFigure.update``).

Running a cell again replaces its output: the explorers the cell made before are closed then (their
widgets, canvas and figure), so a learner who re-runs a cell twenty times does not keep twenty canvases alive.
``explorer.close()`` does the same by hand.

A mistake in the learner's function (:class:`mcdl.functions.FunctionError`) raises when the explorer is
built; on a later move it is shown in the caption, and the moving artists are hidden until the next good
state — the same in every explorer.
"""
from __future__ import annotations

import base64
import inspect
import math
import weakref

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .. import functions
from ..functions import FunctionError, budget
from ..plots import LiveFigure, close_widget
from ..shapes import ShapeError

MISTAKE_PREFIX = "⚠ "
_BY_CELL: dict = {}               # notebook cell id -> (the execution that ran it, weak refs to its explorers)


def _execution() -> tuple[str, str] | None:
    """(cell id, message id) of the execution running now, when a front end (JupyterLab) names the cell."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
        cell = (parent or {}).get("metadata", {}).get("cellId")
        message = (parent or {}).get("header", {}).get("msg_id")
    except Exception:
        return None
    return (str(cell), str(message)) if cell and message else None


def _replace_earlier_runs(explorer) -> None:
    """A cell run again: close the explorers its earlier run made (their output is gone from the page)."""
    execution = _execution()
    if execution is None:
        return
    cell, message = execution
    previous, refs = _BY_CELL.get(cell, (None, []))
    if previous != message:
        for ref in refs:
            old = ref()
            if old is not None:
                old.close()
        refs = []
    _BY_CELL[cell] = (message, [ref for ref in refs if ref() is not None] + [weakref.ref(explorer)])
EXPLORER_BUDGET_FACTOR = 3        # an explorer's update (hundreds of calls of the learner's f) may take 3 budgets


class Explorer(widgets.VBox):
    """The skeleton: controls → ``state(**values)`` → ``draw(state)``, with one observe loop.

    Subclasses set ``css_class``, build their controls and ``LiveFigure`` and call
    ``super().__init__(controls, live=..., structural=(...), rows=[...], below=[...], beside=[...])``; they implement
    ``state(**values)``, ``scenery(state)`` and ``draw(state)``, and may override ``active(name)`` (is a
    control in use now? moves of hidden ones are ignored).  ``rows`` lays out the top part (names of
    controls or widgets; a list is one row); ``beside`` sits right of the figure (wrapping under it on a
    narrow page); ``below`` comes under the figure, above the caption.
    """

    css_class = "mcdl-explorer"
    live = None
    caption: widgets.Label

    def __init__(self, controls: dict, live=None, structural=(), rows=None, below=(), beside=()):
        self.controls = dict(controls)
        self.structural = frozenset(structural)
        self.live = live
        self.caption = caption_label()
        self.current = None                 # the state on show (None while a mistake is shown instead)
        self._names = {}
        for name, control in self.controls.items():
            control.add_class(f"mcdl-control-{name}")
            self._names[id(control)] = name
        top = []
        for row in (rows if rows is not None else list(self.controls)):
            items = row if isinstance(row, (list, tuple)) else [row]
            items = [self.controls[item] if isinstance(item, str) else item for item in items]
            top.append(items[0] if len(items) == 1 else
                       widgets.HBox(items, layout=widgets.Layout(flex_flow="row wrap")))
        view = [live.canvas] if live is not None else []
        if beside and view:
            live.canvas.layout.flex = "0 0 auto"              # the canvas keeps its width; the rest wraps
            view = [widgets.HBox(view + list(beside), layout=widgets.Layout(flex_flow="row wrap"))]
        super().__init__(top + view + list(below) + [self.caption, caption_style()])
        self.add_class(self.css_class)
        self._hidden = False
        self._stale = False                  # a structural change arrived while a mistake was shown
        self.refresh(rebuild=True, initial=True)
        for control in self.controls.values():          # the one wiring loop
            control.observe(self._on_control, names="value")
        _replace_earlier_runs(self)

    def close(self):
        """Close the explorer and every widget in it (controls, canvas, toolbar, their layouts), and empty its
        figure; what is left of it holds no canvas.  The shared style widgets stay for the other explorers."""
        if "controls" not in vars(self):                  # a constructor that failed early (and __del__ now)
            return super().close()
        shared = {id(widget) for widget in _STYLES.values()}
        stack, seen = list(self.children) + list(self.controls.values()), set()
        while stack:
            widget = stack.pop()
            if id(widget) in seen or id(widget) in shared or widget is self:
                continue
            seen.add(id(widget))
            stack.extend(getattr(widget, "children", ()))
            if self.live is not None and widget is self.live.canvas:
                continue                                  # (closed with its toolbar below)
            close_widget(widget)
        if self.live is not None:
            self.live.close()
        for name, value in list(vars(self).items()):     # artists, grids and pixels the figure no longer needs
            if name not in ("controls", "caption", "structural", "current") and _heavy(value):
                setattr(self, name, None)
        self.layout.close()
        super().close()

    # ---- what subclasses provide --------------------------------------------------------------------
    def state(self, **values):
        raise NotImplementedError

    def scenery(self, state):
        """Build the still parts for this state (called first, and after a structural change)."""

    def draw(self, state):
        raise NotImplementedError

    def active(self, name: str) -> bool:
        return True

    # ---- the loop -----------------------------------------------------------------------------------
    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def _on_control(self, change):
        name = self._names.get(id(change["owner"]))
        if name is None or not self.active(name):
            return
        self.refresh(rebuild=name in self.structural)

    def refresh(self, rebuild: bool = False, initial: bool = False):
        """Compute the state from the controls and show it (a blit, or a full redraw after ``rebuild``)."""
        # numpy's floating-point warnings stay out of the learner's notebook: a function with huge values
        # (1e307) must give "not defined" or a picture, never an overflow warning under the widget.  One time
        # budget for the whole update: a function too slow to draw is stopped, not only one that never returns.
        with np.errstate(all="ignore"), budget(EXPLORER_BUDGET_FACTOR * functions.BUDGET_SECONDS):
            try:
                state = self.state(**self.values())
            except FunctionError as err:
                if initial:
                    raise
                self._stale = self._stale or rebuild
                self._show_mistake(err)
                return
            rebuild, self._stale = rebuild or self._stale, False
            self.current = state
            if rebuild:
                self.scenery(state)
            self.draw(state)
            self._set_hidden(False)
            if self.live is not None and not initial:  # the pixels first: the caption is the "done" signal
                self.live.redraw() if rebuild else self.live.update()
            # (at the start no draw: the front end asks for a full one when it shows the canvas)
        self.caption.value = state.caption

    def _show_mistake(self, err: FunctionError):
        self.current = None
        self.caption.value = MISTAKE_PREFIX + str(err)
        self._set_hidden(True)
        if self.live is not None:
            self.live.update()

    def _set_hidden(self, hidden: bool):
        if self.live is None or hidden == self._hidden:
            return
        self._hidden = hidden
        for artist in self.live._animated:
            artist.set_visible(not hidden)

    # ---- the notebook output --------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        """The live view, plus a PNG of the initial state and the caption as text.

        JupyterLab and Voila render the live widget (the widget view mimetype outranks image/png), so a
        learner with a kernel sees the figure once; GitHub, nbviewer and a printed handout fall back to
        the PNG and the caption.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        bundle["text/plain"] = self.caption.value
        if self.live is not None:
            bundle["image/png"] = base64.b64encode(self.live.png()).decode("ascii")
        return bundle


def _heavy(value) -> bool:
    """Does an attribute hold part of a figure (artists, the LiveFigure) or an array?"""
    items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
    return any(isinstance(item, (Artist, Figure, LiveFigure, np.ndarray)) for item in items)


def factory_of(cls):
    """Decorate a thin factory (``def tangent_explorer(f, **options)``) with the signature of ``cls``.

    Each default is written once, in the class; ``help(mcdl.tangent_explorer)`` and a notebook's tab
    completion still show every option with its default.
    """
    def decorate(factory):
        own = inspect.signature(factory)
        given = {p.name: p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD}
        params = [given.get(p.name, p) for p in list(inspect.signature(cls.__init__).parameters.values())[1:]]
        factory.__signature__ = own.replace(parameters=params, return_annotation=cls)
        return factory
    return decorate


# ==================================================================================================
# Controls and captions
# ==================================================================================================
def slider(value, lo, hi, step, description, fmt=".2f", width=None, label_width=None, integer=False):
    """A FloatSlider (or IntSlider) the way every explorer wants it: continuous, fixed format, clipped value."""
    style = {"description_width": label_width or "initial"}
    layout = widgets.Layout(width=width) if width else widgets.Layout()
    if integer:
        return widgets.IntSlider(value=int(np.clip(value, lo, hi)), min=lo, max=hi, step=step,
                                 description=description, style=style, layout=layout, continuous_update=True)
    return widgets.FloatSlider(value=float(np.clip(value, lo, hi)), min=lo, max=hi, step=step,
                               description=description, readout_format=fmt, continuous_update=True,
                               style=style, layout=layout)


# ipywidgets draws a Label on one line and cuts it with an ellipsis; a caption that lists three vectors is
# longer than a narrow page.  One style rule, shipped (invisibly) with every explorer, lets captions wrap.
_CAPTION_CSS = (".mcdl-caption { white-space: normal !important; overflow: visible !important; "
                "text-overflow: clip !important; height: auto !important; line-height: 1.4 !important; }")
_STYLES: dict = {}


def style_widget(css: str) -> widgets.HTML:
    """The (one, shared) invisible widget that carries a style rule: each rule reaches the page once."""
    if css not in _STYLES:
        _STYLES[css] = widgets.HTML(f"<style>{css}</style>", layout=widgets.Layout(margin="0"))
        _STYLES[css].add_class("mcdl-style")
    return _STYLES[css]


def caption_style() -> widgets.HTML:
    """The invisible widget that carries the caption style rule."""
    return style_widget(_CAPTION_CSS)


def caption_label(text: str = "") -> widgets.Label:
    """The one-line text caption: readable by screen readers, and the browser tests' 'update done' signal."""
    label = widgets.Label(value=text, style={"font_family": "monospace"})
    label.add_class("mcdl-caption")
    return label


# ==================================================================================================
# Fixed scales: chosen once over the whole slider box, so a slider move never forces a full redraw
# ==================================================================================================
_NICE = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_up(value: float, floor: float = 1.0) -> float:
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ) ≥ value, and at least ``floor``."""
    value = max(float(value), float(floor))
    if not math.isfinite(value) or value <= 0:
        return float(floor)
    k = 10.0 ** math.floor(math.log10(value))
    for s in _NICE:
        if s * k >= value * (1 - 1e-12):
            return s * k
    return 10.0 * k


def box_points(box: dict, samples: int = 40, seed: int = 0, include=None) -> list[dict]:
    """Points of a slider box {name: (lo, hi)}: each coordinate an end or a uniform draw (seeded); plus ``include``.

    The ends matter (the largest values sit there), so a third of the coordinates are each end.
    """
    rng = np.random.default_rng(seed)
    names = list(box)
    lo = np.array([box[k][0] for k in names], dtype=float)
    hi = np.array([box[k][1] for k in names], dtype=float)
    picks = rng.integers(0, 3, size=(samples, len(names)))
    values = np.where(picks == 0, lo, np.where(picks == 1, hi, rng.uniform(lo, hi, size=(samples, len(names)))))
    points = [dict(zip(names, row)) for row in values]
    return points + ([dict(include)] if include else [])


def fixed_scale(state, box: dict, measure, samples: int = 40, seed: int = 0, include=None, floor: float = 1.0,
                margin: float = 1.25, quantile: float | None = None) -> float:
    """A round limit ≥ ``margin`` × the largest |number| ``measure(state(**point))`` yields over the box.

    ``state`` is the explorer's pure state function of the box's names; points where the learner's function
    is wrong or undefined are skipped.  With ``quantile`` (a percentage) that quantile of the |numbers| is
    used instead of the largest, so that a pole somewhere in the box (w/x² near x = 0) cannot wash out the
    colours everywhere else.  One routine for every colour scale and axis limit of the explorers.
    """
    seen = []
    with budget(EXPLORER_BUDGET_FACTOR * functions.BUDGET_SECONDS):
        values_at = []
        for point in box_points(box, samples, seed, include):
            try:
                values_at.append(np.asarray(measure(state(**point)), dtype=float).ravel())
            except FunctionError as err:
                if err.stopped:                      # out of time: the next points would be too
                    raise
            except (ShapeError, ValueError, TypeError):
                continue
    for values in values_at:
        seen.append(np.abs(values[np.isfinite(values)]))
    seen = np.concatenate(seen) if seen else np.array([])
    if seen.size == 0:
        return float(floor)
    level = float(np.max(seen)) if quantile is None else float(np.percentile(seen, quantile))
    return nice_up(margin * level, floor)
