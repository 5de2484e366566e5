"""The derivation stepper (paper §4.5.1): a :class:`~mcdl.derivation.Derivation` revealed one step at a time.

``stepper_state`` decides what is shown at step k (pure, tested without a front end): steps 1 … k stay on
screen, so the local derivatives are still there when step 3 multiplies them; step k, the newest, is
highlighted, and each stage of the recipe ("Step 1 · introduce intermediate variables") is a heading.
``Stepper`` is the thin view: the steps, ◀ Prev / Next ▶ and a "step k of n" caption under them, and a text
box where the learner types an expression of their own to derive.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..derivation import Derivation, Step, chain_rule_steps, shape_boxes_html

# How a step looks: the current one with a coloured bar on its left and a light tint (transparent, so it
# reads on a light and a dark theme), earlier ones plain, with the same padding so nothing shifts.
CURRENT_STYLE = ("border-left: 4px solid #0072B2; background: rgba(0, 114, 178, 0.10); "
                 "padding: 0.15em 0.75em; margin: 0.3em 0")
EARLIER_STYLE = "border-left: 4px solid transparent; padding: 0.15em 0.75em; margin: 0.3em 0"
STEPS_STYLE = "line-height: 1.45"         # the widget's own line height is that of one control (28 px)
HEADING_STYLE = "margin: 0.9em 0 0.2em; font-size: 1.05em; font-weight: 600"
EMPTY_TEXT = "This derivation has no steps yet."


@dataclass(frozen=True)
class StepperState:
    """What the stepper shows at one step.

    ``visible`` is the steps on screen (steps 1 … k, in order) and ``current`` the position in it of the
    highlighted one (always the last; ``None`` when there are no steps); ``latex``, ``text`` and ``stage`` are
    that step's. ``html`` is the steps rendered (stage headings, sentences, LaTeX between ``$$``), the same
    for the same state; ``caption`` reads "step k of n"; ``prev_enabled`` / ``next_enabled`` say which buttons
    work; ``index`` is k - 1 (0-based) and ``total`` is n.
    """

    latex: str
    text: str
    stage: str
    caption: str
    prev_enabled: bool
    next_enabled: bool
    index: int
    total: int
    visible: tuple[Step, ...] = ()
    current: int | None = None
    html: str = ""


def steps_html(steps, current: int | None) -> str:
    """The steps as HTML for the stepper: a heading where a new stage begins, then each step's sentence and
    its LaTeX line (``$$…$$``, escaped, for MathJax); the step at position ``current`` is highlighted.

    Deterministic: no ids, no addresses, only the text of the steps and fixed classes and styles. Hooks for
    tests and styling: ``mcdl-steps`` (the whole), ``mcdl-stage`` (a heading), ``mcdl-step`` (a step) and
    ``mcdl-step-current`` (the highlighted one, which also carries ``aria-current="step"``).
    """
    if not steps:
        return f'<div class="mcdl-steps" style="{STEPS_STYLE}"><p>{html.escape(EMPTY_TEXT)}</p></div>'
    parts = [f'<div class="mcdl-steps" style="{STEPS_STYLE}">']
    stage = None
    for position, step in enumerate(steps):
        if step.stage and step.stage != stage:
            parts.append(f'<h4 class="mcdl-stage" style="{HEADING_STYLE}">{html.escape(step.stage)}</h4>')
        stage = step.stage
        if position == current:
            parts.append(f'<div class="mcdl-step mcdl-step-current" aria-current="step" style="{CURRENT_STYLE}">')
        else:
            parts.append(f'<div class="mcdl-step" style="{EARLIER_STYLE}">')
        parts.append(f'<p style="margin: 0.3em 0">{html.escape(step.text)}</p>')
        if step.latex:
            parts.append(f'<div style="overflow-x: auto">$${html.escape(step.latex)}$$</div>')
        if step.shapes:
            parts.append(shape_boxes_html(step.shapes))
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def stepper_state(derivation: Derivation, k: int) -> StepperState:
    """What the stepper shows at step ``k`` (0-based): steps 0 … k, with step k highlighted; its LaTeX and
    sentence; the caption ``"step k+1 of n"``; whether Prev / Next are enabled. Raises ``IndexError`` outside
    0 … n-1.

    An empty derivation (k = 0) gives caption ``"step 0 of 0"``, no visible steps and both buttons disabled.
    """
    n = len(derivation)
    if n == 0 and k == 0:
        return StepperState(latex="", text=EMPTY_TEXT, stage="", caption="step 0 of 0",
                            prev_enabled=False, next_enabled=False, index=0, total=0,
                            visible=(), current=None, html=steps_html((), None))
    if not 0 <= k < n:
        raise IndexError(f"step {k} does not exist: this derivation has steps 0 to {n - 1}")
    step = derivation[k]
    visible = tuple(derivation[j] for j in range(k + 1))
    return StepperState(latex=step.latex, text=step.text, stage=step.stage, caption=f"step {k + 1} of {n}",
                        prev_enabled=k > 0, next_enabled=k < n - 1, index=k, total=n,
                        visible=visible, current=k, html=steps_html(visible, k))


def _as_derivation(item, var) -> Derivation:
    if isinstance(item, Derivation):
        return item
    return chain_rule_steps(item, var)


class Stepper(widgets.VBox):
    """Reveals a :class:`Derivation` one step at a time: every step so far (stage headings, sentences, LaTeX),
    the newest highlighted, then ◀ Prev / Next ▶ and the caption.

    Parts a notebook or test can reach: ``math`` (HTMLMath: the steps so far, each with its sentence, i.e.
    ``stepper_state(...).html``), ``prev_button``, ``next_button``, ``caption`` (Label, "step k of n"),
    ``entry`` (Text), ``derive_button``, ``message`` (HTML, errors), ``index`` (0-based) and ``derivation``.
    """

    def __init__(self, derivation: Derivation, var: str = "x", editable: bool = True, text: str = ""):
        self.derivation = derivation
        self.var = var
        self.index = 0
        self.heading = widgets.HTML()
        self.math = widgets.HTMLMath(layout=widgets.Layout(min_height="3em"))
        self.prev_button = widgets.Button(description="◀ Prev", tooltip="previous step")
        self.next_button = widgets.Button(description="Next ▶", tooltip="next step")
        self.caption = widgets.Label()
        self.entry = widgets.Text(value=text, placeholder="your own expression in x, e.g. sin(x**2)",
                                  description=f"y({var}) =", continuous_update=False)
        self.derive_button = widgets.Button(description="Derive", tooltip="derive step by step")
        self.message = widgets.HTML()
        self.prev_button.on_click(lambda _: self.show(self.index - 1))
        self.next_button.on_click(lambda _: self.show(self.index + 1))
        self.derive_button.on_click(lambda _: self.derive(self.entry.value))
        self.entry.observe(lambda change: self.derive(change["new"]), names="value")
        # the buttons under the steps: the newest step is always just above them
        children = [self.heading, self.math, widgets.HBox([self.prev_button, self.next_button, self.caption])]
        if editable:
            children += self._entry_rows() + [self.message]
        super().__init__(children=children)
        self.add_class("mcdl-stepper")            # stable hooks for the browser tests
        self.caption.add_class("mcdl-caption")
        self._load(derivation)

    def _entry_rows(self) -> list:
        return [widgets.HBox([self.entry, self.derive_button])]

    def _build(self, text: str) -> Derivation:
        return chain_rule_steps(text, self.var)

    def _load(self, derivation: Derivation) -> None:
        self.derivation = derivation
        self.heading.value = f"<strong>{html.escape(derivation.title)}</strong>"
        self.show(0)

    def show(self, k: int) -> None:
        """Display steps 0 … k (0-based), step k highlighted; k is clamped to the available steps."""
        k = max(0, min(k, len(self.derivation) - 1))
        state = stepper_state(self.derivation, k)
        self.index = k
        self.math.value = state.html
        self.caption.value = state.caption
        self.prev_button.disabled = not state.prev_enabled
        self.next_button.disabled = not state.next_enabled

    def next(self) -> None:
        self.show(self.index + 1)

    def prev(self) -> None:
        self.show(self.index - 1)

    def derive(self, text: str) -> bool:
        """Build the chain-rule derivation of what the learner typed. Never raises: a bad expression
        leaves the current derivation in place and shows the reason in ``message``."""
        if not str(text).strip():
            self.message.value = ""
            return False
        try:
            derivation = self._build(text)
        except Exception as err:            # shown to the learner, never raised into the notebook
            self.message.value = _error_html(err)
            return False
        self.message.value = ""
        self._load(derivation)
        return True

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the whole derivation as text and HTML for readers without a kernel
        (GitHub, nbviewer). JupyterLab and Voila prefer the widget view, so no one sees it twice."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = str(self.derivation)
        bundle["text/html"] = self.derivation._repr_html_()
        return bundle


def _error_html(err: Exception) -> str:
    reason = str(err) or type(err).__name__
    return f'<pre style="color:#b00020; white-space:pre-wrap; margin:0">⚠ {html.escape(reason)}</pre>'


def vector_derivation_state(text: str, wrt: str, shapes) -> tuple:
    """What the vector stepper shows for what the learner typed (pure): ``(derivation, "")`` when the
    expression derives, ``(None, reason)`` when it does not — the reason is the engine's own message
    (a shape that does not fit, a name without a shape, text outside the grammar). ``shapes`` is a dict or
    text such as ``"X: 100x3, w: 3, b: scalar"``. Never raises."""
    from ..vector_derivation import vector_chain_rule_steps
    if not str(text).strip():
        return None, ""
    try:
        return vector_chain_rule_steps(text, str(wrt).strip(), shapes), ""
    except Exception as err:                 # every refusal becomes feedback
        return None, str(err) or type(err).__name__


def _shapes_text(shapes) -> str:
    if isinstance(shapes, str):
        return shapes
    def one(shape):
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
        return "scalar" if not shape else "x".join(str(n) for n in shape)
    return ", ".join(f"{name}: {one(shape)}" for name, shape in shapes.items())


class VectorStepper(Stepper):
    """The stepper for the vector chain rule (:func:`mcdl.vector_chain_rule_steps`): besides the expression,
    the learner types the shapes (``X: 100x3, w: 3, b: scalar``) and the variable; each change derives
    again. Extra parts: ``shapes_entry`` and ``wrt_entry`` (Text)."""

    def __init__(self, derivation, text: str, wrt: str, shapes, editable: bool = True):
        self.shapes_entry = widgets.Text(value=_shapes_text(shapes), description="shapes:",
                                         placeholder="X: 100x3, w: 3, b: scalar", continuous_update=False,
                                         layout=widgets.Layout(width="28em"))
        self.wrt_entry = widgets.Text(value=wrt, description="∂/∂", continuous_update=False,
                                      layout=widgets.Layout(width="9em"))
        super().__init__(derivation, var=wrt, editable=editable, text=text)
        self.entry.description = "y ="
        self.entry.placeholder = "e.g. mean((y - max(0, X @ w + b))**2)"
        self.entry.layout = widgets.Layout(width="36em")
        for box in (self.shapes_entry, self.wrt_entry):
            box.observe(lambda change: self.derive(self.entry.value), names="value")
        self.add_class("mcdl-vector-stepper")            # hooks for the browser tests
        for name, part in (("text", self.entry), ("shapes", self.shapes_entry), ("wrt", self.wrt_entry)):
            part.add_class(f"mcdl-control-{name}")
        self.message.add_class("mcdl-message")
        self.next_button.add_class("mcdl-next")

    def _entry_rows(self) -> list:
        return [widgets.HBox([self.entry, self.derive_button]), widgets.HBox([self.shapes_entry, self.wrt_entry])]

    def _build(self, text: str) -> Derivation:
        derivation, reason = vector_derivation_state(text, self.wrt_entry.value, self.shapes_entry.value)
        if derivation is None:
            raise ValueError(reason)
        return derivation


def vector_stepper(text: str, wrt: str, shapes, editable: bool = True) -> VectorStepper:
    """The vector chain rule step by step (paper §4.5.3, as §5–6 use it) in the stepper: intermediates with
    their shapes, each local Jacobian, their product with the shapes drawn as boxes, the simplification.

    ``vector_stepper("max(0, dot(w, x) + b)", "w", {"w": (3,), "x": (3,), "b": ()})``. With ``editable``,
    the learner can type another expression, other shapes or another variable. A first expression the
    engine refuses raises its error (a notebook's own call should be right); what the learner types later
    only ever shows a message.
    """
    from ..vector_derivation import vector_chain_rule_steps
    derivation = vector_chain_rule_steps(text, wrt, shapes)
    return VectorStepper(derivation, text, wrt, shapes, editable=editable)


def stepper(derivation_or_expression, var: str = "x", editable: bool = True) -> Stepper:
    """A widget that reveals a derivation step by step (§4.5.1's four steps for an expression): the steps so
    far stay on screen, the newest highlighted.

    ``stepper("ln(sin(x**3)**2)")`` builds :func:`chain_rule_steps` for the expression; a
    :class:`Derivation` (e.g. from :func:`product_rule_steps`) is shown as given. With ``editable``,
    a text box lets the learner type an expression of their own and derive it.
    """
    text = derivation_or_expression if isinstance(derivation_or_expression, str) else ""
    return Stepper(_as_derivation(derivation_or_expression, var), var=var, editable=editable, text=text)
