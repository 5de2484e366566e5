"""`make bench`: the course's speed and memory, measured (never asserted in tests).

Prints one table per concern:
  1. seconds to execute each chapter headless (fresh kernel each, as Run All does) and the course;
     the kernel's resident memory (VmRSS) at the end of each chapter;
  2. each explorer's update latency, kernel-side, for every control of the registry (mcdl.widgets.EXPLORERS):
     control.value = v -> state -> draw -> figure blitted; and end to end in Voila + Chromium
     (tools/latency.py: key press -> first paint of the canvas);
  3. `import mcdl` time in a fresh interpreter (and with the numeric module loaded);
  4. numeric Jacobian speed and its error against the analytic Jacobian; the same beside numdifftools at a
     standard and a badly scaled point (n = 200); a gradient's memory at n = 10,000; the time of typed formulas;
  5. the worst error of each identity in the registry against finite differences;
  6. a class on one server: K = 20 student kernels at once, each through the whole course in order
     (tools/class_load.py; CLASS_K=… to change K): wall time, failed cells, peak memory per kernel.
Targets: chapter ≤ 3 s; a slider move ≤ 10 ms kernel-side; key press -> pixels ≤ 20 ms median and
≤ 33 ms p95 end to end; import mcdl ≤ 0.3 s.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RSS_CELL = ("import re as _re\n"
            "print('VmRSS', _re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")


def table(title, header, rows):
    print(f"\n{title}")
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(f"{str(c):<{w}}" for c, w in zip(row, widths)))


def bench_notebooks(repeats: int = 3):
    import nbformat
    from nbclient import NotebookClient

    rows, total = [], 0.0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        times = []
        for _ in range(repeats):
            nb = nbformat.read(path, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(RSS_CELL))
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"],
                           resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
            times.append(time.perf_counter() - t0)
        seconds = statistics.median(times)
        total += seconds
        rss_kb = int(nb.cells[-1].outputs[0]["text"].split()[1])
        rows.append((path.name, f"{seconds:.2f}", f"{min(times):.2f}", f"{rss_kb / 1024:.0f}",
                     "ok" if seconds <= 3 else "OVER 3 s"))
    rows.append(("whole course", f"{total:.2f}", "", "", ""))
    table(f"Notebook execution (nbclient, fresh kernel per run, includes kernel start ≈ 0.8 s; {repeats} runs)",
          ("chapter", "median s", "best s", "kernel RSS MB", "target ≤ 3 s"), rows)


def latency(setter, values, repeat=2):
    samples = []
    for _ in range(repeat):
        for v in values:
            t0 = time.perf_counter()
            setter(v)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _sweep(control, n: int = 61):
    """Values across a control's whole range (a slider) or every option (a menu), as a learner would move it."""
    options = getattr(control, "options", None)
    if options:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return (values * 4)[:max(len(values), 12)]
    if isinstance(control.value, int) and not isinstance(control.value, bool):
        return list(range(control.min, control.max + 1, max(1, int(control.step)))) * 4
    if hasattr(control, "base"):                            # a FloatLogSlider: min and max are exponents
        return [float(control.base ** e) for e in np.linspace(control.min, control.max, n)]
    return [round(float(v), 4) for v in np.linspace(control.min, control.max, n)]


def bench_widgets():
    """Every explorer of the registry, every control: its whole range, kernel-side."""
    import mcdl
    from mcdl.widgets import EXPLORERS

    results = []
    for name, entry in EXPLORERS.items():
        widget = entry.build()
        for control_name in sorted(entry.controls, key=lambda c: c in widget.structural):  # plain moves first
            if control_name in widget.structural:
                widget = entry.build()                      # each structural sweep from the start
            if not widget.active(control_name) or isinstance(widget.controls[control_name].value, str):
                continue                                    # (a text box: bench_chain types into it)
            control = widget.controls[control_name]
            kind = "structural: rebuild + full redraw" if control_name in widget.structural else "blit"
            results.append((f"{name}: {control_name} ({kind})",
                            *latency(lambda v, c=control: setattr(c, "value", v), _sweep(control))))
        if "n" in widget.controls:                           # the largest n: the most numbers on the figure
            widget = entry.build()
            widget.controls["n"].value = widget.controls["n"].max
            first = next(c for c in entry.controls if c not in widget.structural and widget.active(c))
            control = widget.controls[first]
            results.append((f"{name}: {first} at n = {widget.controls['n'].max} (blit)",
                            *latency(lambda v, c=control: setattr(c, "value", v), _sweep(control))))
    s = mcdl.stepper("log(sin(x**3)**2)")

    def click(_):
        (s.next_button if not s.next_button.disabled else s.prev_button).click()
    results.append(("derivation stepper: Next/Prev", *latency(click, range(30))))
    rows = [(name, f"{med:.1f}", f"{p95:.1f}", "" if "structural" in name else "ok" if med <= 10 else "OVER")
            for name, med, p95 in results]
    table("Widget update latency, kernel-side (ms; set value -> state -> draw -> blit -> diff PNG)",
          ("explorer: control", "median", "p95", "target ≤ 10"), rows)


CHAIN_EXPRESSIONS = ("sin(x)**3", "exp(sin(x)**2)", "log(sin(x**3)**2)", "x + x**2", "x**2*sin(x)",
                     "sqrt(1 + exp(-x))", "tanh(x**2 + 3*x)", "exp(sin(cos(tan(x))))", "sin(x)*cos(x) + exp(x)",
                     "log(1 + x**2)/x", "exp(exp(x))**2 + sin(x)**3", "atan(sqrt(x**2 + 1))*cos(3*x)",
                     "(x + 1)*(x + 2)*(x + 3) + x", "sqrt(x**4 + 1) - x*exp(-x**2)",
                     "exp(sin(x)**2) + log(1 + x**2)*cos(3*x)")


def _forget_chain_caches():
    """A newly typed expression: nothing of it known yet (mcdl's caches and SymPy's own cache emptied)."""
    from sympy.core.cache import clear_cache

    from mcdl import plots
    from mcdl.widgets import chain

    chain._derive.cache_clear()
    chain._check.cache_clear()
    chain._PNGS.clear()
    plots._LAYOUTS.clear()
    plots._TEXT_SIZES.clear()
    plots.CachedText._cache.clear()           # (rendered labels: a new expression's are new)
    clear_cache()


def bench_chain(repeats: int = 3):
    """The chain explorer's answer to a typed expression: parse + derive (chain_rule_steps) + graph layout +
    the first step's picture, i.e. ``text.value = ...`` until the caption is set; then Next to the last step
    (the whole graph, every label, and the numeric check), and one step back (a picture already made)."""
    import mcdl
    from mcdl.widgets import chain

    widget = mcdl.chain_explorer("sin(x)")
    rows, typed_all, last_all, back_all = [], [], [], []
    for text in CHAIN_EXPRESSIONS:
        typed, last, back = [], [], []
        for _ in range(repeats):
            _forget_chain_caches()
            widget.controls["text"].value = "sin(x)"
            t0 = time.perf_counter()
            widget.controls["text"].value = text
            typed.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            widget.go(widget.controls["step"].max)
            last.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            widget.prev()
            back.append((time.perf_counter() - t0) * 1000)
        flow = chain.chain_state(text, 0).dataflow
        intermediates = len(flow.nodes) - 1 if flow is not None else 0
        med = statistics.median(typed)
        typed_all.append(med)
        last_all.append(statistics.median(last))
        back_all.append(statistics.median(back))
        rows.append((text, intermediates, f"{med:.1f}", f"{statistics.median(last):.1f}",
                     f"{statistics.median(back):.1f}", "ok" if med <= 100 else "OVER"))
    med = statistics.median(typed_all)
    rows.append((f"median over {len(CHAIN_EXPRESSIONS)} expressions", "", f"{med:.1f}",
                 f"{statistics.median(last_all):.1f}", f"{statistics.median(back_all):.1f}",
                 "ok" if med <= 100 else "OVER 100 ms"))
    table(f"Chain explorer: a typed expression, kernel-side (ms, median of {repeats}; cold: SymPy's and mcdl's "
          "caches emptied before each)",
          ("expression", "intermediates", "typed -> step 1", "Next -> last step", "Prev", "target ≤ 100"), rows)


VECTOR_EXPRESSIONS = (
    ("dot(w, x)", "w", {"w": (3,), "x": (3,)}),
    ("max(0, dot(w, x) + b)", "w", {"w": (3,), "x": (3,), "b": ()}),
    ("sum(exp(W @ x))", "x", {"W": (2, 3), "x": (3,)}),
    ("dot(x, A @ x)", "x", {"x": (3,), "A": (3, 3)}),
    ("x * sum(x)", "x", {"x": (3,)}),
    ("mean((y - max(0, X @ w + b))**2)", "w", {"w": (3,), "X": (100, 3), "b": (), "y": (100,)}),
    ("mean((y - max(0, X @ w + b))**2)", "b", {"w": (3,), "X": (100, 3), "b": (), "y": (100,)}),
    ("sum(tanh(W @ x + c) * v) / (1 + dot(x, x))", "x", {"W": (4, 3), "x": (3,), "c": (4,), "v": (4,)}),
    ("mean(log(1 + exp(-(y * (X @ w + b)))))", "w", {"w": (3,), "X": (100, 3), "b": (), "y": (100,)}),
    ("sum(sqrt(1 + (A @ x)**2) * sin(x * s) / (2 + cos(dot(x, x))))", "x", {"A": (3, 3), "x": (3,), "s": ()}),
    ("sum(exp(sin(tanh(cos(exp(sin(tanh(cos(x)))))))))", "x", {"x": (5,)}),
    ("dot(x * sum(x), A @ (x * x)) + mean(exp(A @ x)) * sum(x)", "x", {"x": (4,), "A": (4, 4)}),
)


def bench_vector_engine(repeats: int = 5):
    """mcdl.vector_chain_rule_steps: text -> every step (parse, shapes, local Jacobians, product, simplification,
    substitution); then evaluate() at numbers. Target: ≤ 200 ms for an expression of up to 10 operations."""
    import numpy as np

    from mcdl.vector_derivation import vector_chain_rule_steps

    rows, worst = [], 0.0
    for text, wrt, shapes in VECTOR_EXPRESSIONS:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            d = vector_chain_rule_steps(text, wrt, shapes)
            times.append((time.perf_counter() - t0) * 1000)
        rng = np.random.default_rng(0)
        values = {k: rng.normal(size=v) if v else 0.3 for k, v in shapes.items()}
        t0 = time.perf_counter()
        d.evaluate(**values)
        ev = (time.perf_counter() - t0) * 1000
        ops = len(d.intermediates)
        med = statistics.median(times)
        if ops <= 10:
            worst = max(worst, med)
        rows.append((text if len(text) <= 48 else text[:45] + "…", wrt, ops, len(d.paths), len(d), f"{med:.1f}",
                     f"{ev:.2f}", ("ok" if med <= 200 else "OVER") if ops <= 10 else "(> 10 ops)"))
    rows.append(("slowest with ≤ 10 operations", "", "", "", "", f"{worst:.1f}", "", "ok" if worst <= 200 else "OVER"))
    table(f"Vector chain rule engine: text -> all steps (ms, median of {repeats}), and evaluate() (ms)",
          ("expression", "wrt", "ops", "paths", "steps", "derive", "evaluate", "target ≤ 200"), rows)

    # the loss gradient it derives, evaluated at N = 100,000, n = 100, against the two products any gradient needs
    rng = np.random.default_rng(1)
    N, n = 100_000, 100
    X, y, w, b = rng.normal(size=(N, n)), rng.normal(size=N), rng.normal(size=n) / 10, 0.1
    d = vector_chain_rule_steps("mean((y - max(0, X @ w + b))**2)", "w", {"w": (n,), "X": (N, n), "b": (), "y": (N,)})
    engine, bound = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        d.evaluate(w=w, X=X, b=b, y=y)
        engine.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        e = X @ w
        e @ X
        bound.append(time.perf_counter() - t0)
    rows = [("engine: evaluate() of the derived loss gradient", f"{statistics.median(engine) * 1000:.1f}",
             f"{statistics.median(engine) / statistics.median(bound):.2f}×"),
            ("numpy bound: X @ w and e @ X", f"{statistics.median(bound) * 1000:.1f}", "1.00×")]
    try:
        import torch
    except ImportError:
        rows.append(("PyTorch autograd", "not installed (never a dependency)", ""))
    else:
        tX, ty = torch.from_numpy(X), torch.from_numpy(y)
        times = []
        for _ in range(repeats):
            tw = torch.from_numpy(w.copy()).requires_grad_()
            t0 = time.perf_counter()
            loss = torch.mean((ty - torch.clamp(tX @ tw + b, min=0)) ** 2)
            loss.backward()
            times.append(time.perf_counter() - t0)
        rows.append(("PyTorch autograd (forward + backward)", f"{statistics.median(times) * 1000:.1f}",
                     f"{statistics.median(times) / statistics.median(bound):.2f}×"))
    table(f"The engine's loss gradient at N = {N:,}, n = {n} (ms, median of {repeats})",
          ("computation", "ms", "vs numpy bound"), rows)


def bench_neuron(repeats: int = 21):
    """mcdl.neuron.loss_gradient at N = 100,000, n = 100 against the numpy bound for the same data (the two
    matrix–vector products any gradient needs, X @ w and e @ X), interleaved so both see the same machine;
    PyTorch autograd when it happens to be installed; one epoch of gradient descent and of mini-batch SGD."""
    import numpy as np

    from mcdl.neuron import loss_gradient, train

    rng = np.random.default_rng(1)
    N, n = 100_000, 100
    X, y, w, b = rng.normal(size=(N, n)), rng.normal(size=N), rng.normal(size=n) / 10, 0.1
    ours, bound = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss_gradient(w, b, X, y)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        e = X @ w
        e @ X
        bound.append(time.perf_counter() - t0)
    lo, hi = statistics.median(ours), statistics.median(bound)
    rows = [("loss_gradient (validated inputs, case split per sample)", f"{lo * 1000:.1f}", f"{lo / hi:.2f}×",
             "ok" if lo / hi <= 1.1 else "OVER"),
            ("numpy bound: X @ w, then e @ X", f"{hi * 1000:.1f}", "1.00×", "")]
    try:
        import torch
    except ImportError:
        rows.append(("PyTorch autograd", "not installed (never a dependency)", "", ""))
    else:
        tX, ty = torch.from_numpy(X), torch.from_numpy(y)
        times = []
        for _ in range(repeats):
            tw = torch.from_numpy(w.copy()).requires_grad_()
            tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
            t0 = time.perf_counter()
            torch.mean((ty - torch.clamp(tX @ tw + tb, min=0)) ** 2).backward()
            times.append(time.perf_counter() - t0)
        t = statistics.median(times)
        rows.append(("PyTorch autograd (forward + backward)", f"{t * 1000:.1f}", f"{t / hi:.2f}×",
                     "ok" if lo <= 0.5 * t else "OVER (target ≤ 0.5× its time)"))
    for label, batch in (("one epoch of gradient descent (1 step)", None), ("one epoch of mini-batch SGD, 256", 256)):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            train(X, y, lr=0.01, epochs=1, seed=0, batch_size=batch, w0=w, b0=b)
            times.append(time.perf_counter() - t0)
        rows.append((label, f"{statistics.median(times) * 1000:.1f}", "", ""))
    table(f"The neuron's loss gradient at N = {N:,}, n = {n} (ms, median of {repeats}, interleaved)",
          ("computation", "ms", "vs bound", "target ≤ 1.1×"), rows)


def bench_end_to_end():
    """Key press -> new pixels on the canvas, in Voila + Chromium (tools/latency.py)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import latency as e2e

    if not os.path.exists(e2e.CHROMIUM):
        print(f"\nEnd-to-end latency: skipped ({e2e.CHROMIUM} is missing; apt-get install chromium)")
        return
    rows = [(*row[:4], row[4], "ok" if row[2] != "–" and float(row[2]) <= 20 and float(row[3]) <= 33 else "OVER")
            for row in e2e.run()]
    table(f"End-to-end latency in Voila + Chromium (ms; key press -> first paint of the canvas; "
          f"{e2e.PRESSES} presses per slider)",
          ("explorer", "control", "median", "p95", "presses", "target ≤ 20 / 33"), rows)


def bench_import():
    rows = []
    for label, code in (("import mcdl", "import mcdl"),
                        ("import mcdl; mcdl.jacobian (loads numpy)", "import mcdl; mcdl.jacobian"),
                        ("import mcdl; mcdl.tangent_explorer (widgets, matplotlib)", "import mcdl; mcdl.tangent_explorer")):
        times = []
        for _ in range(5):
            out = subprocess.run([sys.executable, "-c",
                                  f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"],
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            times.append(float(out.stdout.strip()))
        med = statistics.median(times)
        rows.append((label, f"{med:.3f}", "ok" if med <= 0.3 or "tangent" in label else "OVER 0.3 s"))
    table("Import time (fresh interpreter, median of 5, seconds)", ("what", "seconds", "target ≤ 0.3 s"), rows)


def bench_jacobian():
    import mcdl

    rng = np.random.default_rng(0)
    rows = []
    for n in (3, 30, 100):
        A = rng.normal(size=(n, n))
        x = rng.normal(size=n)
        f = lambda v: A @ v + np.sin(v)            # batch-friendly: works column-wise on (n, k)
        exact = A + np.diag(np.cos(x))
        for label, kw in (("central, batched", {}), ("central, column by column", {"batch": False}),
                          ("complex step", {"method": "complex"})):
            reps = 20 if n < 100 else 5
            t0 = time.perf_counter()
            for _ in range(reps):
                J = mcdl.jacobian(f, x, **kw)
            ms = (time.perf_counter() - t0) / reps * 1000
            err = np.max(np.abs(J - exact)) / np.max(np.abs(exact))
            rows.append((f"n = m = {n}", label, f"{ms:.2f}", f"{err:.1e}"))
    table("Numeric Jacobian of f(x) = A x + sin(x) against the analytic A + diag(cos x)",
          ("size", "method", "ms per Jacobian", "max rel. error"), rows)


def bench_numeric_vs_numdifftools():
    """mcdl.numeric beside numdifftools on an n = 200 Jacobian, at a standard and a badly scaled point."""
    import warnings
    import tracemalloc

    import numdifftools as nd
    import mcdl

    rng = np.random.default_rng(0)
    n = 200
    A = rng.normal(size=(n, n)) / np.sqrt(n)
    f = lambda v: A @ v + np.sin(v) * v[::-1]            # noqa: E731  (works column-wise on (n, k))
    rows = []
    points = (("standard", rng.normal(size=n)), ("badly scaled", rng.normal(size=n) * 10.0 ** rng.uniform(-8, 8, n)))
    for label, x in points:
        exact = A.copy()
        exact[np.arange(n), np.arange(n)] += np.cos(x) * x[::-1]
        exact[np.arange(n), np.arange(n)[::-1]] += np.sin(x)
        floor = 1e-12 * np.abs(exact).max(axis=1, keepdims=True)          # an entry's row sets its scale
        times = {}
        for name, run in (("mcdl central", lambda: mcdl.jacobian(f, x)),
                          ("numdifftools central", lambda: nd.Jacobian(f, method="central")(x)),
                          ("mcdl complex", lambda: mcdl.jacobian(f, x, method="complex")),
                          ("numdifftools complex", lambda: nd.Jacobian(f, method="complex")(x))):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                best = np.inf
                for _ in range(3):
                    t0 = time.perf_counter()
                    J = run()
                    best = min(best, time.perf_counter() - t0)
            err = np.abs(J - exact) / np.maximum(np.abs(exact), floor)
            times[name] = best
            rows.append((label, name, f"{best * 1000:.1f}", f"{err.max():.1e}", int((err > 1e-6).sum())))
        for kind in ("central", "complex"):
            rows.append((label, f"  numdifftools / mcdl, {kind}",
                         f"{times[f'numdifftools {kind}'] / times[f'mcdl {kind}']:.1f}x", "", ""))
    table(f"Numeric Jacobian, n = m = {n}: mcdl.numeric beside numdifftools (best of 3; error relative to each "
          "entry, floored at 1e-12 of its row)", ("point", "method", "ms", "worst rel. error", "entries > 1e-6"), rows)

    tracemalloc.start()
    t0 = time.perf_counter()
    mcdl.gradient(lambda v: np.sum(v**2), np.full(10_000, 0.5))
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\ngradient of sum(x²) at n = 10,000 (one point at a time): {seconds:.2f} s, "
          f"peak extra memory {peak / 1e6:.1f} MB (target <= 100 MB)")


def bench_symbolic(count: int = 300, seed: int = 20240909):
    """Random learner-like formulas of <= 200 characters: the slowest parse, derivative and derivation."""
    import random

    from sympy.core.cache import clear_cache

    from mcdl.derivation import chain_rule_steps
    from mcdl.symbolic import parse_expression, symbolic_derivative

    rnd = random.Random(seed)
    unary = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "asin", "atan", "tanh", "cot", "csc"]

    def formula(depth):
        if depth == 0 or rnd.random() < 0.25:
            return rnd.choice(["x", "x", "pi", "e", str(rnd.randint(1, 9)), "0.5"])
        if rnd.random() < 0.45:
            return f"{rnd.choice(unary)}({formula(depth - 1)})"
        if rnd.random() < 0.1:
            return f"max({formula(depth - 1)}, {formula(depth - 1)})"
        return f"({formula(depth - 1)} {rnd.choice('+-*/')} {formula(depth - 1)})"

    texts = [t for t in (formula(rnd.randint(2, 7)) for _ in range(count * 3)) if len(t) <= 200][:count]
    rows = []
    for name, call in (("parse_expression", parse_expression), ("symbolic_derivative", symbolic_derivative),
                       ("chain_rule_steps", chain_rule_steps)):
        times, refused = [], 0
        for text in texts:
            clear_cache()
            t0 = time.perf_counter()
            try:
                call(text)
            except ValueError:
                refused += 1
            times.append(time.perf_counter() - t0)
        times.sort()
        rows.append((name, f"{times[-1]:.2f}", f"{times[int(0.99 * len(times)) - 1]:.2f}", f"{statistics.median(times) * 1000:.1f}",
                     refused))
    table(f"Typed formulas: {len(texts)} random ones of <= 200 characters, cold SymPy cache (target: every one <= 1 s)",
          ("function", "max s", "p99 s", "median ms", "refused"), rows)


def bench_identities():
    from mcdl import identities

    rows = []
    for identity in identities.IDENTITIES:
        t0 = time.perf_counter()
        err = max(identities.verify(identity, seed) for seed in range(10))
        ms = (time.perf_counter() - t0) / 10 * 1000
        rows.append((identity.name, ", ".join(f"§{s}" for s in identity.sections), f"{err:.1e}", f"{ms:.1f}"))
    table("The identities registry against finite differences (10 seeds × 3 random points, n = 1..5)",
          ("identity", "paper", "max error", "ms per verify"), rows)


def bench_class():
    import importlib.util

    spec = importlib.util.spec_from_file_location("class_load", ROOT / "tools" / "class_load.py")
    class_load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(class_load)
    print()
    print(class_load.report(class_load.run_class(int(os.environ.get("CLASS_K", 20)))))


def main():
    os.environ.pop("MPLBACKEND", None)       # kernels draw as in JupyterLab; in-process widgets use Agg below
    import matplotlib
    matplotlib.use("Agg")
    print("mcdl benchmark  (machine:", os.cpu_count(), "cores)")
    bench_import()
    bench_jacobian()
    bench_numeric_vs_numdifftools()
    bench_symbolic()
    bench_identities()
    bench_widgets()
    bench_chain()
    bench_vector_engine()
    bench_end_to_end()
    bench_notebooks()
    bench_neuron()
    bench_class()


if __name__ == "__main__":
    main()
