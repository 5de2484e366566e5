"""The trainer (chapter 10): its pure state function, the playback (synchronous and on an event loop), and the
view driven headless."""
import asyncio
import threading

import numpy as np
import pytest

from mcdl.neuron import mse_loss, train
from mcdl.widgets.trainer import FRAMES, TrainerState, W0, trainer_explorer, trainer_state, training_data


def on_own_thread(fn):
    """Run fn on a fresh thread: no event loop is running there (other tests, the browser tier's driver among
    them, may leave one running on the main thread), so asyncio.run and the loop-free path behave as in a
    plain script."""
    failure = []

    def target():
        try:
            fn()
        except BaseException as err:            # re-raised on the test's own thread
            failure.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if failure:
        raise failure[0]


def test_the_data_set_is_seeded_and_read_only():
    X, y = training_data()
    assert X.shape == (60, 1) and y.shape == (60,)
    assert training_data() is training_data()
    with pytest.raises(ValueError):
        X[0, 0] = 1.0


def test_state_is_the_training_run_at_one_epoch():
    s = trainer_state(0.1, 100, 0, 0.5)
    assert isinstance(s, TrainerState) and s.epoch == s.last == 100
    X, y = training_data()
    h = train(X, y, lr=0.1, epochs=100, seed=0, w0=[W0], b0=0.5)
    assert s.loss == pytest.approx(h.loss[-1]) and s.w == pytest.approx(h.w[-1][0]) and s.b == pytest.approx(h.b[-1])
    assert s.loss == pytest.approx(mse_loss([s.w], s.b, X, y))
    assert s.caption.startswith("epoch 100 of 100: loss 0.0180 (start 0.1466)")
    early = trainer_state(0.1, 100, 0, 0.5, shown=10)
    assert early.epoch == 10 and len(early.losses) == 11 and early.loss > s.loss
    xs, ys = early.fit
    np.testing.assert_allclose(ys, np.maximum(0, early.w * xs + early.b))


def test_a_shorter_run_is_a_slice_of_a_longer_one():
    long = trainer_state(0.05, 300, 8, 0.5)
    short = trainer_state(0.05, 120, 8, 0.5)
    X, y = training_data()
    direct = train(X, y, lr=0.05, epochs=120, seed=0, batch_size=8, w0=[W0], b0=0.5)
    np.testing.assert_allclose(short.losses, direct.loss)
    np.testing.assert_allclose(long.losses[:121], direct.loss)


def test_dead_neuron_and_divergence_are_said_in_the_caption():
    dead = trainer_state(0.1, 100, 0, -4.0)
    assert dead.message and dead.active == 0 and "dead neuron from the start" in dead.caption
    assert np.all(dead.losses == dead.losses[0])
    killed = trainer_state(2.0, 100, 0, 0.5)
    assert "dead neuron since epoch" in killed.caption
    gone = trainer_state(10.0, 100, 0, 0.5)
    assert gone.diverged and gone.last < 100 and "diverged at epoch" in gone.caption and "η = 10" in gone.caption
    assert np.all(np.isfinite(gone.losses)) and "nan" not in gone.caption.lower()


def test_playback_without_an_event_loop_draws_every_frame():
    e = trainer_explorer(epochs=100)
    on_own_thread(e.play)
    assert e.frames == len(e.frames_for(100)) <= FRAMES + 1
    assert e.caption.value.startswith("epoch 100 of 100") and e.progress.value == 100
    assert not e.train_button.disabled and e.stop_button.disabled


def test_playback_on_an_event_loop_leaves_the_loop_free_between_frames():
    e = trainer_explorer(epochs=200)
    seen, ticks = [], []

    async def run():
        task = e.play()
        assert task is not None and e.stop_button.disabled is False
        while not task.done():                       # the loop runs other work between frames
            ticks.append(e.progress.value)
            seen.append(e.caption.value)
            await asyncio.sleep(0.01)
        await task

    on_own_thread(lambda: asyncio.run(run()))
    assert len(set(seen)) > 5 and ticks == sorted(ticks) and ticks[0] < 200
    assert e.caption.value.startswith("epoch 200 of 200") and e.frames == len(e.frames_for(200))


def test_stop_and_moving_a_control_end_a_playback():
    e = trainer_explorer(epochs=200)

    async def run():
        task = e.play()
        await asyncio.sleep(0.1)
        e.stop()
        await asyncio.sleep(0.05)
        assert task.done() and e.progress.value < 200
        stopped_at = e.caption.value
        await asyncio.sleep(0.1)
        assert e.caption.value == stopped_at                 # stopped means stopped
        e.play()
        await asyncio.sleep(0.1)
        e.controls["b0"].value = -4.0                        # a new run: its end, at once
        assert "dead neuron" in e.caption.value and e.caption.value.startswith("epoch 200 of 200")

    on_own_thread(lambda: asyncio.run(run()))


def test_the_view_follows_the_controls():
    e = trainer_explorer()
    e.controls["epochs"].value = 300
    assert e.progress.max == 300 and e.live.axes[0][1].get_xlim() == (0.0, 300.0)
    e.controls["batch"].value = 8
    assert e.current.batch == 8 and e.caption.value == e.current.caption
    e.controls["lr"].value = 10.0
    assert e.progress.bar_style == "danger" and "diverged" in e.caption.value
    e.controls["lr"].value = 0.1
    e.controls["b0"].value = -4.0
    assert e.progress.bar_style == "warning"
