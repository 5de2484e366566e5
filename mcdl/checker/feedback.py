"""What ``check`` returns: a :class:`Feedback` (plain text for print, a small styled box in Jupyter)."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

STATUSES = ("correct", "not-answered", "wrong-type", "wrong-shape", "wrong-values", "error")

_SYMBOLS = {"correct": "✓", "not-answered": "…"}            # every other status: ✗
_COLOURS = {"correct": "#2e7d32", "not-answered": "#757575"}  # every other status: red
_RED = "#c62828"


@dataclass(repr=False)
class Feedback:
    """The verdict on one answer.

    ``status`` is one of :data:`STATUSES`; ``message`` one plain-text sentence; ``details`` further lines
    (notes, the entries that differ, a fix).  ``bool(feedback)`` is True only when the answer is correct.
    """

    status: str
    message: str
    details: list = field(default_factory=list)
    exercise_id: str = ""
    mistake: str = ""               # the name of the row of MISTAKES that recognised the slip, if one did

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    @property
    def symbol(self) -> str:
        return _SYMBOLS.get(self.status, "✗")

    def __str__(self) -> str:
        head = f"{self.symbol} {self.exercise_id}: {self.message}" if self.exercise_id else \
            f"{self.symbol} {self.message}"
        return "\n".join([head] + [f"  • {line}" for line in self.details])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = _COLOURS.get(self.status, _RED)
        title = html.escape(f"{self.symbol} {self.exercise_id}".strip())
        items = "".join(f"<li>{html.escape(str(line))}</li>" for line in self.details)
        listing = f'<ul style="margin:0.3em 0 0 0;padding-left:1.4em">{items}</ul>' if items else ""
        return (f'<div class="mcdl-feedback mcdl-{html.escape(self.status)}" role="status" '
                f'style="border:2px solid {colour};border-left-width:6px;border-radius:4px;'
                f'padding:0.4em 0.8em;margin:0.3em 0;white-space:pre-wrap">'
                f'<strong style="color:{colour}">{title}</strong> {html.escape(self.message)}{listing}</div>')


class Verdict(Exception):
    """Internal: carries a verdict out of nested helpers to check()."""

    def __init__(self, status: str, message: str, details=(), mistake: str = ""):
        super().__init__(message)
        self.status, self.message, self.details, self.mistake = status, message, list(details), mistake


class HintText(str):
    """A hint: a str that Jupyter shows without quotes."""

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))
