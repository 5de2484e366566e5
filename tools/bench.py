"""`make bench`: the course's speed and memory, measured (never asserted in tests).

Prints one table per concern:
  1. seconds to execute each chapter headless (fresh kernel each, as Run All does) and the course;
     the kernel's resident memory (VmRSS) at the end of each chapter;
  2. each widget's update latency, kernel-side: slider.value = v -> callback -> figure blitted;
  3. `import mcdl` time in a fresh interpreter (and with the numeric module loaded);
  4. numeric Jacobian speed and its error against the analytic Jacobian;
  5. the worst error of each identity in the registry against finite differences.
Targets (issue #2): chapter ≤ 3 s, widget update ≤ 20 ms median, import mcdl ≤ 0.3 s.
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
            NotebookClient(nb, timeout=600, kernel_name="python3",
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


def bench_widgets():
    import mcdl
    from mcdl.widgets.tangent import tangent_explorer

    results = []
    w = tangent_explorer(lambda x: x**3 - 2 * x, x0=1.0)
    xs = [round(float(v), 2) for v in np.linspace(-3, 3, 61)]
    results.append(("tangent explorer: x slider", *latency(lambda v: setattr(w.x_slider, "value", v), xs)))
    hs = [round(float(v), 2) for v in np.linspace(0.01, 2, 41)]
    results.append(("tangent explorer: h slider", *latency(lambda v: setattr(w.h_slider, "value", v), hs)))
    xs2 = [round(float(v), 2) for v in np.linspace(-2, 2, 61)]
    xs3 = [round(float(v), 2) for v in np.linspace(-3, 3, 61)]
    sl = mcdl.slice_explorer("3*x**2*y", x0=1.0, y0=2.0)
    results.append(("slice explorer (ch02): x0 slider", *latency(lambda v: setattr(sl.x_slider, "value", v), xs3)))
    results.append(("slice explorer (ch02): y0 slider", *latency(lambda v: setattr(sl.y_slider, "value", v), xs3)))
    g = mcdl.gradient_explorer("3*x**2*y", x0=1.0, y0=1.0, xlim=(-2, 2), ylim=(-2, 2))
    results.append(("gradient explorer (ch03): x0 slider", *latency(lambda v: setattr(g.x_slider, "value", v), xs2)))
    results.append(("gradient explorer (ch03): y0 slider", *latency(lambda v: setattr(g.y_slider, "value", v), xs2)))
    results.append(("gradient explorer (ch03): θ slider",
                    *latency(lambda v: setattr(g.theta_slider, "value", v), list(range(0, 361, 6)))))
    j = mcdl.jacobian_map(lambda v: [v[0]**2 - v[1], v[0] * v[1] + np.sin(v[1])], x0=(1.0, 0.5), r=0.5)
    results.append(("jacobian map (ch04): x1 slider", *latency(lambda v: setattr(j.x1_slider, "value", v), xs2)))
    results.append(("jacobian map (ch04): x2 slider", *latency(lambda v: setattr(j.x2_slider, "value", v), xs2)))
    radii = [float(10 ** e) for e in np.round(np.arange(-2, 0.01, 0.1), 1)] * 3
    results.append(("jacobian map (ch04): r slider", *latency(lambda v: setattr(j.r_slider, "value", v), radii)))
    sh = mcdl.shape_explorer(m=2, n=3)
    results.append(("shape explorer (ch04): m slider", *latency(lambda v: setattr(sh.m_slider, "value", v), [1, 2, 3, 4, 5] * 12)))
    vals = [float(v) for v in np.arange(-6, 6.01, 0.5)] * 2 + [1.0, 2.0]
    e = mcdl.elementwise_explorer()                                  # ⊗, w = [1, 2, 3], x = [4, 5, 6]
    results.append(("elementwise explorer (ch05): w₂ slider, ⊗",
                    *latency(lambda v: setattr(e.w_sliders[1], "value", v), vals)))
    e.op_menu.value = "⊘"
    results.append(("elementwise explorer (ch05): x₁ slider, ⊘",
                    *latency(lambda v: setattr(e.x_sliders[0], "value", v), vals)))
    e.n_slider.value = 4
    e.op_menu.value = "shifted ⊗"
    results.append(("elementwise explorer (ch05): x₁ slider, shifted ⊗, n = 4",
                    *latency(lambda v: setattr(e.x_sliders[0], "value", v), vals)))
    results.append(("elementwise explorer (ch05): n slider (full redraw)",
                    *latency(lambda v: setattr(e.n_slider, "value", v), [1, 2, 3, 4] * 5)))
    x6 = mcdl.expansion_explorer("*", x=(1.0, 2.0, 3.0), z=2.0)
    results.append(("expansion explorer (ch06): z slider", *latency(lambda v: setattr(x6.z_slider, "value", v), xs3)))
    results.append(("expansion explorer (ch06): x₁ slider",
                    *latency(lambda v: setattr(x6.x_sliders[0], "value", v), xs3)))
    s7 = mcdl.sum_explorer(case="cyclic")
    results.append(("sum explorer (ch07): x₁ slider, cyclic n = 3",
                    *latency(lambda v: setattr(s7.x_sliders[0], "value", v), xs3)))
    s7.n_slider.value = 5
    results.append(("sum explorer (ch07): x₁ slider, cyclic n = 5",
                    *latency(lambda v: setattr(s7.x_sliders[0], "value", v), xs3)))
    s7z = mcdl.sum_explorer(case="sum-scalar-product")
    results.append(("sum explorer (ch07): z slider, sum(x z)", *latency(lambda v: setattr(s7z.z_slider, "value", v), xs3)))
    s7w = mcdl.sum_explorer(case="dot-product")
    results.append(("sum explorer (ch07): w₁ slider, w · x", *latency(lambda v: setattr(s7w.w_sliders[0], "value", v), xs3)))
    s = mcdl.stepper("log(sin(x**3)**2)")

    def click(_):
        (s.next_button if not s.next_button.disabled else s.prev_button).click()
    results.append(("derivation stepper: Next/Prev", *latency(click, range(30))))
    rows = [(name, f"{med:.1f}", f"{p95:.1f}", "ok" if med <= 20 else "OVER") for name, med, p95 in results]
    table("Widget update latency, kernel-side (ms; set value -> state -> redraw -> diff PNG)",
          ("widget / control", "median", "p95", "target ≤ 20"), rows)


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


def main():
    os.environ.pop("MPLBACKEND", None)       # kernels draw as in JupyterLab; in-process widgets use Agg below
    import matplotlib
    matplotlib.use("Agg")
    print("mcdl benchmark  (machine:", os.cpu_count(), "cores)")
    bench_import()
    bench_jacobian()
    bench_identities()
    bench_widgets()
    bench_notebooks()
    print("\nOne training epoch of the hand-derived neuron gradient: arrives with chapter 10 (neuron.py).")


if __name__ == "__main__":
    main()
