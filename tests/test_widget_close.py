"""A closed explorer lets go of its widgets, canvas and figure, and running a cell again closes the explorers
its earlier run made (mcdl.widgets.base: Explorer.close, _replace_earlier_runs)."""
import gc
import weakref

import ipywidgets as widgets
import pytest

from mcdl.widgets import EXPLORERS, base
from mcdl.widgets.tangent import tangent_explorer

pytestmark = [pytest.mark.view, pytest.mark.filterwarnings("ignore:Widget.widgets is deprecated")]


def cubic(x):
    return x**3 - 2 * x


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_close_releases_every_widget_and_the_figure(name):
    EXPLORERS["tangent_explorer"].build().close()      # the shared style widgets exist from here on
    gc.collect()
    before = set(widgets.Widget.widgets)
    explorer = EXPLORERS[name].build()
    explorer._repr_mimebundle_()                       # as a notebook shows it: the picture is drawn too
    figure = weakref.ref(explorer.live.figure) if explorer.live is not None else None
    assert len(set(widgets.Widget.widgets) - before) > 5
    explorer.close()
    shared = {w.model_id for style in base._STYLES.values() for w in (style, style.layout, style.style)}
    assert set(widgets.Widget.widgets) - before - shared == set(), "widgets left open"
    if figure is not None:
        assert not figure().axes                        # the figure is empty: no artists kept
    assert all(w.comm is not None for w in base._STYLES.values())   # shared: they stay for other explorers


def test_running_a_cell_again_closes_what_its_earlier_run_made(monkeypatch):
    runs = iter([("cell-a", "run-1"), ("cell-a", "run-1"), ("cell-b", "run-2"), ("cell-a", "run-3")])
    monkeypatch.setattr(base, "_execution", lambda: next(runs))
    monkeypatch.setattr(base, "_BY_CELL", {})
    first, second = tangent_explorer(cubic), tangent_explorer(cubic)     # one run of cell a: both stay
    other = tangent_explorer(cubic)                                       # cell b
    assert first.comm is not None and second.comm is not None
    again = tangent_explorer(cubic)                                       # cell a, run again
    assert first.comm is None and second.comm is None                     # closed: their output was replaced
    assert other.comm is not None and again.comm is not None
    assert again.controls["x"].comm is not None and first.controls["x"].comm is None


def test_without_a_front_end_naming_the_cell_nothing_is_closed(monkeypatch):
    monkeypatch.setattr(base, "_execution", lambda: None)
    a, b = tangent_explorer(cubic), tangent_explorer(cubic)
    assert a.comm is not None and b.comm is not None


def test_an_explorer_whose_construction_failed_is_collected_quietly(monkeypatch):
    import sys

    caught = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)
    with pytest.raises(Exception):
        tangent_explorer(lambda x, y: x * y)                      # refused: two arguments
    gc.collect()
    assert caught == [], [str(c.exc_value) for c in caught]
