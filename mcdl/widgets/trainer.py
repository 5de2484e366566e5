"""The trainer (paper §6): gradient descent on one ReLU neuron, played back epoch by epoch.

``trainer_state`` decides everything that is shown (pure, tested without a front end): it trains the neuron
max(0, w·x + b) on a fixed, seeded data set with :func:`mcdl.neuron.train` (the corrected loss gradient) and
picks out one epoch. ``TrainerExplorer`` is the view: the learning rate η, the number of epochs, the batch size
and the starting bias b₀; a Train button that plays the training back (a few dozen frames, each drawn after
the kernel has had its turn, so the notebook stays responsive and Stop works), a progress bar, the data with
the neuron's fit on the left and the loss curve on the right.

Moving a control shows the end of the new training at once; Train replays it from epoch 0.
"""
from __future__ import annotations

import asyncio
import math
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from ..neuron import DivergenceWarning, TrainingHistory, train
from ..plots import COLORS, LiveFigure
from ..text import number
from .base import Explorer, factory_of, slider

BATCHES = (("all (gradient descent)", 0), ("32", 32), ("8", 8), ("1 (stochastic)", 1))
X_RANGE = (-2.5, 2.5)
LOSS_RANGE = (1e-3, 1e4)       # the loss axis (log): a diverging run is clipped at the top
W0 = 0.5                       # the starting weight (the same for every run, so runs compare)
FRAMES = 40                    # frames of a playback
FRAME_SECONDS = 1 / 25         # the pause between frames, during which the kernel answers other messages


@lru_cache(maxsize=4)
def training_data(seed: int = 0, N: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """The chapter's data set: N inputs x in [-2, 2] (as an (N, 1) matrix, one sample per row) and targets
    y = max(0, 1.5x − 0.5) plus a little noise, seeded. Read-only."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=N)
    y = np.maximum(0.0, 1.5 * x - 0.5) + 0.1 * rng.normal(size=N)
    X = x.reshape(-1, 1)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


_RUNS: dict = {}               # (lr, batch, b0) -> the longest run trained so far


def _history(lr: float, epochs: int, batch: int, b0: float) -> TrainingHistory:
    """The run for these controls. Training is seeded, so the first k epochs of a longer run ARE the run of
    k epochs: the longest run per (lr, batch, b0) is kept, and a shorter one is a slice of it (dragging the
    epochs slider never trains again)."""
    key = (lr, batch, b0)
    run = _RUNS.get(key)
    if run is None or (run.epochs < epochs and not run.diverged):
        X, y = training_data()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)     # said in the caption instead
            run = train(X, y, lr=lr, epochs=epochs, seed=0, batch_size=batch or None, w0=[W0], b0=b0)
        if len(_RUNS) >= 32:
            _RUNS.pop(next(iter(_RUNS)))
        _RUNS[key] = run
    if run.epochs <= epochs:
        return run
    keep = slice(0, epochs + 1)
    return TrainingHistory(run.loss[keep], run.w[keep], run.b[keep], run.active[keep], False,
                           _dead_message(run, epochs))


def _dead_message(run: TrainingHistory, epochs: int) -> str:
    """The long run's dead-neuron message holds for a slice that ends dead too."""
    return run.message if run.message and run.active[epochs] == 0 else ""


@dataclass(frozen=True)
class TrainerState:
    """What the trainer shows: the training run for (lr, epochs, batch, b0) and its epoch ``epoch`` (the last
    one unless a playback is under way): its loss, weight, bias and share of active samples, the fit
    ``fit = (xs, ys)``, the loss curve up to there, and ``message`` (diverged or dead, "" otherwise)."""

    lr: float
    epochs: int
    batch: int
    b0: float
    epoch: int
    last: int
    loss: float
    w: float
    b: float
    active: float
    fit: tuple
    losses: np.ndarray
    diverged: bool
    message: str
    caption: str = field(default="", compare=False)


def trainer_state(lr: float, epochs: int, batch: int, b0: float, shown: int | None = None) -> TrainerState:
    """The trainer at these controls: the neuron trained for ``epochs`` epochs with learning rate ``lr``, batch
    size ``batch`` (0 = all samples: gradient descent) from w = 0.5, b = ``b0``, shown at epoch ``shown``
    (default: the last one the run reached)."""
    lr, epochs, batch, b0 = float(lr), int(epochs), int(batch), float(b0)
    history = _history(lr, epochs, batch, b0)
    message = history.message
    last = history.epochs
    k = last if shown is None else max(0, min(int(shown), last))
    w, b = float(history.w[k][0]), float(history.b[k])
    xs = np.linspace(*X_RANGE, 201)
    fit = (xs, np.maximum(0.0, w * xs + b))
    caption = (f"epoch {k} of {epochs}: loss {number(history.loss[k], '.4f')} "
               f"(start {number(history.loss[0], '.4f')}), w = {number(w)}, b = {number(b)}, "
               f"active on {history.active[k] * 100:.0f}% of the samples")
    if history.diverged and k == last:
        caption += f";  diverged at epoch {last + 1}: η = {lr:g} is too large, training stopped there"
    elif message and k == last:
        dead = np.flatnonzero(history.active > 0)
        since = "from the start" if dead.size == 0 else f"since epoch {int(dead[-1]) + 1}"
        caption += f";  dead neuron {since}: every sample inactive, the gradient is 0, nothing moves"
    return TrainerState(lr, epochs, batch, b0, k, last, float(history.loss[k]), w, b, float(history.active[k]),
                        fit, history.loss[:k + 1], history.diverged, message, caption=caption)


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class TrainerExplorer(Explorer):
    """The view: η, epochs, batch size and b₀; Train ▶ and Stop; a progress bar; data and fit; the loss."""

    css_class = "mcdl-trainer"

    def __init__(self, lr=0.1, epochs=100, batch=0, b0=0.5, figsize=(9.0, 3.6)):
        controls = {
            "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.1, description="η",
                                         readout_format=".3g", continuous_update=True,
                                         style={"description_width": "6em"}),
            "epochs": slider(epochs, 10, 500, 10, "epochs", integer=True, label_width="6em"),
            "batch": widgets.Dropdown(options=BATCHES, value=batch, description="batch size",
                                      style={"description_width": "6em"}),
            "b0": slider(b0, -5.0, 2.0, 0.1, "start b₀", label_width="6em"),
        }
        self.train_button = widgets.Button(description="Train ▶", tooltip="play the training back, epoch by epoch")
        self.stop_button = widgets.Button(description="Stop", tooltip="stop the playback", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=max(1, epochs), description="progress",
                                            style={"description_width": "6em"})
        self.train_button.add_class("mcdl-train")
        self.stop_button.add_class("mcdl-stop")
        self.progress.add_class("mcdl-progress")
        self.train_button.on_click(lambda _: self.play())
        self.stop_button.on_click(lambda _: self.stop())
        self._shown = None
        self._playing = None                  # the controls' values of the run being played back
        self._task = None
        self.frames = 0                       # frames drawn by the last playback (tests and the bench read it)
        live = LiveFigure(figsize=figsize, ncols=2, margins=dict(left=0.08, right=0.97, bottom=0.15, top=0.9,
                                                                 wspace=0.28))
        super().__init__(controls, live=live, structural=("epochs",),
                         rows=[["lr", "epochs"], ["batch", "b0"], [self.train_button, self.stop_button, self.progress]])

    def state(self, lr, epochs, batch, b0):
        shown = self._shown if self._playing == (lr, epochs, batch, b0) else None
        return trainer_state(lr, epochs, batch, b0, shown)

    def scenery(self, state):
        data, curve = self.live.axes[0]
        for ax in (data, curve):
            ax.clear()
        self.live._animated.clear()
        X, y = training_data()
        data.scatter(X[:, 0], y, s=14, color=COLORS["curve"], alpha=0.7, label="data (xᵢ, yᵢ)")
        data.set(xlim=X_RANGE, ylim=(-1.0, 4.5), xlabel="x", ylabel="y")
        data.set_title("the data and the neuron's fit max(0, w x + b)", fontsize=9)
        data.grid(alpha=0.3)
        add = self.live.add_animated
        self.fit_line = add(data.plot([], [], color=COLORS["tangent"], lw=2.2, label="the neuron")[0])
        data.legend(loc="upper left", fontsize=8)
        curve.set(xlim=(0, state.epochs), ylim=LOSS_RANGE, yscale="log", xlabel="epoch", ylabel="loss C (log scale)")
        curve.set_title("the loss, epoch by epoch", fontsize=9)
        curve.grid(alpha=0.3, which="both")
        self.loss_line = add(curve.plot([], [], color=COLORS["secant"], lw=2)[0])
        self.loss_dot = add(curve.plot([], [], "o", color=COLORS["secant"], ms=6)[0])

    def draw(self, state):
        self.fit_line.set_data(*state.fit)
        losses = np.clip(state.losses, *LOSS_RANGE)
        epochs = np.arange(len(losses))
        self.loss_line.set_data(epochs, losses)
        self.loss_dot.set_data(epochs[-1:], losses[-1:])
        self.progress.max = max(1, state.epochs)
        self.progress.value = min(state.epoch, self.progress.max)
        self.progress.bar_style = "danger" if state.diverged else ("warning" if state.message else "")

    # ---- playback ---------------------------------------------------------------------------------------
    def frames_for(self, last: int) -> list[int]:
        """The epochs a playback shows: about FRAMES of them, from 0 to the last, evenly spaced."""
        step = max(1, math.ceil(last / FRAMES))
        return list(range(0, last, step)) + [last]

    def play(self):
        """Play the training back from epoch 0 (a task on the kernel's event loop, one frame per
        FRAME_SECONDS; without a running loop, as in a script or a test, all frames at once)."""
        self.stop()
        values = self.values()
        self._playing = (values["lr"], values["epochs"], values["batch"], values["b0"])
        last = trainer_state(**values).last
        loop = _running_loop()
        self.train_button.disabled, self.stop_button.disabled = True, False
        if loop is None:
            for k in self.frames_for(last):
                self._frame(k)
            self._finish()
            return None
        frames = self.frames_for(last)
        self._frame(frames[0])                    # epoch 0 at once: the click is answered before the first pause
        self._task = loop.create_task(self._playback(frames[1:]))
        return self._task

    async def _playback(self, frames: list[int]):
        try:
            for k in frames:
                await asyncio.sleep(FRAME_SECONDS)
                if self._playing is None:
                    return
                self._frame(k)
        finally:
            self._finish()

    def _frame(self, k: int):
        self._shown = k
        self.frames += 1
        self.refresh()

    def _finish(self):
        self.train_button.disabled, self.stop_button.disabled = False, True
        self._task = None

    def close(self):
        """Stop any playback first: a closed explorer must not keep drawing."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        super().close()

    def stop(self):
        """Stop a playback where it is (the figure keeps that epoch until a control moves)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self.frames = 0
        self.train_button.disabled, self.stop_button.disabled = False, True

    def _on_control(self, change):
        self.stop()
        self._playing, self._shown = None, None        # a new run: show its end
        super()._on_control(change)


@factory_of(TrainerExplorer)
def trainer_explorer(**options) -> TrainerExplorer:
    """Train the paper's neuron by gradient descent on a small data set and watch it learn (paper §6): pick the
    learning rate η, the number of epochs, the batch size and the starting bias b₀, press Train ▶, and watch the
    fit and the loss move epoch by epoch. Too large an η diverges, too negative a b₀ leaves a dead neuron.

    Options: ``lr``, ``epochs``, ``batch`` (0 for all samples, or 32, 8, 1) and ``b0``: where the controls start.
    """
    return TrainerExplorer(**options)
