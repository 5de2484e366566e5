"""What every mcdl widget shares: a caption line and a static picture for readers without a kernel."""
from __future__ import annotations

import base64
import inspect
import math

import ipywidgets as widgets
import numpy as np


class Explorer(widgets.VBox):
    """A VBox whose notebook output also carries a PNG of its initial state and its caption as text.

    JupyterLab and Voila render the live widget (the widget view mimetype outranks image/png), so a
    learner with a kernel sees the figure once; GitHub, nbviewer and a printed handout, which cannot
    run widgets, fall back to the PNG and the caption.  Subclasses set ``self.live`` (a LiveFigure)
    and ``self.caption`` (a Label updated on every change; the browser tests wait on it).
    """

    live = None
    caption: widgets.Label

    def __init__(self, children=(), **kwargs):
        super().__init__(list(children) + [caption_style()], **kwargs)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        bundle["text/plain"] = self.caption.value
        if self.live is not None:
            png = base64.b64encode(self.live.png()).decode("ascii")
            bundle["image/png"] = png
        return bundle


# ipywidgets draws a Label on one line and cuts it with an ellipsis; a caption that lists three vectors is
# longer than a narrow page.  One style rule, shipped (invisibly) with every explorer, lets captions wrap.
_CAPTION_CSS = (".mcdl-caption { white-space: normal !important; overflow: visible !important; "
                "text-overflow: clip !important; height: auto !important; line-height: 1.4 !important; }")
_STYLE = []


def caption_style() -> widgets.HTML:
    """The (one, shared) invisible widget that carries the caption style rule."""
    if not _STYLE:
        _STYLE.append(widgets.HTML(f"<style>{_CAPTION_CSS}</style>", layout=widgets.Layout(margin="0")))
        _STYLE[0].add_class("mcdl-style")
    return _STYLE[0]


def caption_label(text: str = "") -> widgets.Label:
    """The one-line text caption: readable by screen readers, and the browser tests' 'update done' signal."""
    label = widgets.Label(value=text, style={"font_family": "monospace"})
    label.add_class("mcdl-caption")
    return label


def caption_number(value, fmt: str = ".2f", undefined: str = "–") -> str:
    """A number as a caption shows it: fixed precision, never '-0.00', ``undefined`` when not finite."""
    value = float(value)
    if not math.isfinite(value):
        return undefined
    text = f"{value:{fmt}}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def caption_vector(values, fmt: str = ".2f", undefined: str = "–") -> str:
    """A vector as a caption shows it: '[1.00, -2.50, 3.00]'."""
    return "[" + ", ".join(caption_number(v, fmt, undefined) for v in np.ravel(values)) + "]"


def positional_parameters(f):
    """(required, total, varargs): f's positional parameters, or None when Python cannot tell.

    The widgets use it to accept a learner's function in the form they wrote it: f(x, y) with two
    numbers, or f(v) with one vector.  numpy ufuncs have no signature but know their input count.
    """
    if isinstance(f, np.ufunc):
        return f.nin, f.nin, False
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    return len(required), len(positional), any(p.kind is p.VAR_POSITIONAL for p in params)
