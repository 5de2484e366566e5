"""The derivation stepper (paper §4.5.1): a :class:`~mcdl.derivation.Derivation` shown one step at a time.

``stepper_state`` decides what is shown at step k (pure, tested without a front end); ``Stepper`` is the
thin view: the step's LaTeX line and sentence, ◀ Prev / Next ▶, a "step k of n" caption, and a text box
where the learner types an expression of their own to derive.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets

from ..derivation import Derivation, chain_rule_steps


@dataclass(frozen=True)
class StepperState:
    """What the stepper shows: one step's LaTeX and sentence, the caption, which buttons work."""

    latex: str
    text: str
    stage: str
    caption: str
    prev_enabled: bool
    next_enabled: bool
    index: int
    total: int


def stepper_state(derivation: Derivation, k: int) -> StepperState:
    """What the stepper shows at step ``k`` (0-based): the step's LaTeX and sentence, the caption
    ``"step k+1 of n"`` and whether Prev / Next are enabled. Raises ``IndexError`` outside 0 … n-1.

    An empty derivation (k = 0) gives caption ``"step 0 of 0"`` with both buttons disabled.
    """
    n = len(derivation)
    if n == 0 and k == 0:
        return StepperState(latex="", text="This derivation has no steps yet.", stage="", caption="step 0 of 0",
                            prev_enabled=False, next_enabled=False, index=0, total=0)
    if not 0 <= k < n:
        raise IndexError(f"step {k} does not exist: this derivation has steps 0 to {n - 1}")
    step = derivation[k]
    return StepperState(latex=step.latex, text=step.text, stage=step.stage, caption=f"step {k + 1} of {n}",
                        prev_enabled=k > 0, next_enabled=k < n - 1, index=k, total=n)


def _as_derivation(item, var) -> Derivation:
    if isinstance(item, Derivation):
        return item
    return chain_rule_steps(item, var)


class Stepper(widgets.VBox):
    """Shows a :class:`Derivation` one step at a time: LaTeX line, sentence, ◀ Prev / Next ▶, caption.

    Parts a notebook or test can reach: ``math`` (HTMLMath), ``sentence`` (HTML), ``prev_button``,
    ``next_button``, ``caption`` (Label, "step k of n"), ``entry`` (Text), ``derive_button``,
    ``message`` (HTML, errors), ``index`` (0-based) and ``derivation``.
    """

    def __init__(self, derivation: Derivation, var: str = "x", editable: bool = True, text: str = ""):
        self.derivation = derivation
        self.var = var
        self.index = 0
        self.heading = widgets.HTML()
        self.math = widgets.HTMLMath(layout=widgets.Layout(min_height="3em"))
        self.sentence = widgets.HTML()
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
        children = [self.heading, self.math, self.sentence,
                    widgets.HBox([self.prev_button, self.next_button, self.caption])]
        if editable:
            children += [widgets.HBox([self.entry, self.derive_button]), self.message]
        super().__init__(children=children)
        self.add_class("mcdl-stepper")            # stable hooks for the browser tests
        self.caption.add_class("mcdl-caption")
        self._load(derivation)

    def _load(self, derivation: Derivation) -> None:
        self.derivation = derivation
        self.heading.value = f"<strong>{html.escape(derivation.title)}</strong>"
        self.show(0)

    def show(self, k: int) -> None:
        """Display step k (0-based), clamped to the available steps."""
        k = max(0, min(k, len(self.derivation) - 1))
        state = stepper_state(self.derivation, k)
        self.index = k
        self.math.value = f"$${state.latex}$$" if state.latex else ""
        stage = f"<em>{html.escape(state.stage)}:</em> " if state.stage else ""
        self.sentence.value = f"{stage}{html.escape(state.text)}"
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
            derivation = chain_rule_steps(text, self.var)
        except Exception as err:            # shown to the learner, never raised into the notebook
            reason = str(err) or type(err).__name__
            self.message.value = (
                '<pre style="color:#b00020; white-space:pre-wrap; margin:0">'
                f"⚠ {html.escape(reason)}</pre>")
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


def stepper(derivation_or_expression, var: str = "x", editable: bool = True) -> Stepper:
    """A widget that steps through a derivation (§4.5.1's four steps for an expression).

    ``stepper("ln(sin(x**3)**2)")`` builds :func:`chain_rule_steps` for the expression; a
    :class:`Derivation` (e.g. from :func:`product_rule_steps`) is shown as given. With ``editable``,
    a text box lets the learner type an expression of their own and derive it.
    """
    text = derivation_or_expression if isinstance(derivation_or_expression, str) else ""
    return Stepper(_as_derivation(derivation_or_expression, var), var=var, editable=editable, text=text)
