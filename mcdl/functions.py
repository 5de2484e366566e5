"""The learner's function, accepted once: one table of signatures, one error policy.

Every explorer and the checker take "your function" — a Python callable, text such as ``"3*x**2*y"``
(parsed safely by :mod:`mcdl.symbolic`, never evaluated as Python) or a SymPy expression.  This module is
the one door it comes in by.  :func:`learner_function` reads it against a declared :data:`SIGNATURES` row
(f(x), f(x, y), a map R² → R², y(w, x), y(x, z), a vector map) and returns a :class:`LearnerFunction` that
every state function and the checker call.  The policy is the same everywhere:

* **undefined at a point** (a math domain error, a division by zero, an overflow, a NaN or an infinity, text
  such as ``1/x`` at 0): the value is NaN, and the widget says "not defined here";
* **a mistake in the learner's code** (TypeError, NameError, IndexError, a wrong number of arguments, a
  result of the wrong shape, ``sys.exit()``): one :class:`FunctionError` naming the function, the point and
  an example of the expected form;
* **too slow**: a call that runs past its time budget (2 s) is stopped with a :class:`FunctionError`
  instead of freezing the kernel (signal based, so on Linux and macOS, in the main thread);
* every call gets **fresh copies** of its inputs, so ``w *= 2`` inside the learner's function never changes
  a slider's value or an exercise's stored points;
* derivatives come from :mod:`mcdl.numeric` (:meth:`LearnerFunction.jacobian`), never a local copy.
"""
from __future__ import annotations

import inspect
import math
import signal
import threading
import warnings
from dataclasses import dataclass

import numpy as np

from . import text
from .shapes import ShapeError, fmt_shape

__all__ = ["Signature", "SIGNATURES", "FunctionError", "LearnerFunction", "learner_function", "budget", "UNDEFINED",
           "BUDGET_SECONDS", "round_off_to_zero", "split_components"]

BUDGET_SECONDS = 2.0


# ==================================================================================================
# The signatures a course function can have
# ==================================================================================================
@dataclass(frozen=True)
class Signature:
    """How a function of the course is called: its parameters (scalar or vector), its output, an example.

    ``params``: the parameter names, ``kinds``: "scalar" or "vector" for each; ``output``: "scalar",
    "vector" (as long as the vector parameters), "any" (a vector of any length) or "raw" (whatever the
    function returns, unconverted: the checker reads it itself; :data:`UNDEFINED` where f is undefined);
    ``size``: the fixed length of vectors, where there is one (2 for a map of the plane).
    """

    key: str
    form: str
    params: tuple
    kinds: tuple
    output: str
    example: str
    text_example: str
    size: int | None = None

    @property
    def same_length(self) -> bool:
        """Two vector parameters that go entry by entry (y(w, x), f(x, w)): they must have one length."""
        return self.kinds == ("vector", "vector")

    @property
    def per_entry(self) -> bool:
        """The output has one value per entry of the vector parameters (not a fixed size, not any length)."""
        return self.output == "vector" and self.size is None

    @property
    def expected(self) -> str:
        text = f"a function {self.form}"
        if self.example:
            text += f", e.g. {self.example}"
        if self.text_example:
            text += f", or the text \"{self.text_example}\""
        return text

    @classmethod
    def of(cls, variables, kinds, form: str | None = None) -> "Signature":
        """A signature made on the spot (an exercise's function of its variables): raw output, no text form."""
        variables, kinds = tuple(variables), tuple(kinds)
        return cls(f"({', '.join(variables)})", form or f"of {', '.join(variables)} (def or lambda)", variables,
                   kinds, "raw", "", "")


SIGNATURES = {s.key: s for s in (
    Signature("scalar", "f(x) of one number", ("x",), ("scalar",), "scalar",
              "lambda x: x**3 - 2*x", "x**3 - 2*x"),
    Signature("surface", "f(x, y) of two numbers (or f(v) of one vector v = [x, y])", ("x", "y"),
              ("scalar", "scalar"), "scalar", "lambda x, y: 3*x**2*y", "3*x**2*y"),
    Signature("plane-map", "f(v) mapping a point v = [x, y] to a point [f₁, f₂] (R² → R²)", ("v",),
              ("vector",), "vector", "lambda v: [v[0]**2 - v[1], v[0]*v[1]]", "x**2 - y, x*y", size=2),
    Signature("binary", "y(w, x) of two vectors of the same length, returning a vector of that length",
              ("w", "x"), ("vector", "vector"), "vector", "lambda w, x: w * x", "w*x"),
    Signature("pair", "f(x, w) of two vectors of the same length, returning a vector of that length",
              ("x", "w"), ("vector", "vector"), "vector", "lambda x, w: w * x", "w*x"),
    Signature("expansion", "y(x, z) of a vector x and a number z, returning a vector as long as x",
              ("x", "z"), ("vector", "scalar"), "vector", "lambda x, z: x * z", "x*z"),
    Signature("vector", "f(x) of one vector, returning a vector", ("x",), ("vector",), "any",
              "lambda x: x * np.roll(x, -1)", "x**2"),
)}


class FunctionError(TypeError):
    """A mistake in the learner's function (not a point where it is undefined): one clear message.

    ``point`` is the text of the point it was called at, ``cause`` the learner's own exception (or None).
    It is a TypeError, so code that guards against a wrong function keeps working.
    """

    def __init__(self, message: str, point: str = "", cause: BaseException | None = None, stopped: bool = False):
        super().__init__(message)
        self.point, self.cause, self.stopped = point, cause, stopped        # stopped: by the time budget


class _Undefined:
    """The value of a "raw" function where it is undefined (a domain error, a division by zero, ...)."""

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()
_NOT_DEFINED = _Undefined()            # internal: the call raised one of the "undefined here" errors


class _OutOfTime(BaseException):
    """Raised by the alarm inside the learner's code; a BaseException so ``except Exception`` cannot eat it."""


# ==================================================================================================
# The time budget, and quiet numerics
# ==================================================================================================
# Thread-local flags: .armed, a budget's timer runs (.seconds, how long); .learner, how deep we are inside
# the learner's own code; .expired, the timer went off outside it; .quiet, the depth of _Quiet blocks.
_LOCAL = threading.local()


def _on_alarm(signum, frame):
    """Stop the learner's code, and only the learner's code.

    The alarm may go off anywhere; raising inside mcdl's own bookkeeping (restoring numpy's error state, the
    warning filters, the budget's flags) would leave them half done.  Outside the learner's code it is only
    noted (``.expired``), and the next call into the learner's code stops at once.
    """
    if not getattr(_LOCAL, "armed", False):
        return
    if getattr(_LOCAL, "learner", 0) > 0:
        raise _OutOfTime()
    _LOCAL.expired = True


def _can_alarm() -> bool:
    """Can a budget use SIGALRM here?  Installs the (inert unless armed) handler the first time it may."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    import _signal                                   # the raw getter: no enum conversion on every call
    current = _signal.getsignal(signal.SIGALRM)
    if current is _on_alarm:
        return True
    if current not in (signal.SIG_DFL, signal.SIG_IGN, None):
        return False                                 # someone else's alarm: leave it alone, run unbounded
    signal.signal(signal.SIGALRM, _on_alarm)
    return True


class budget:
    """``with budget(seconds):`` stops the learner's code inside after ``seconds`` (default
    :data:`BUDGET_SECONDS`, read when the block starts); a :class:`LearnerFunction` call then raises
    :class:`FunctionError`.

    Only the outermost budget counts (nested ones are free).  Where signals cannot be used (Windows, a thread
    other than the main one, a SIGALRM handler of someone else's) the code simply runs unbounded.
    """

    __slots__ = ("seconds", "_armed", "_depth")

    def __init__(self, seconds: float | None = None):
        self.seconds, self._armed, self._depth = seconds, False, 0

    def __enter__(self):
        if not getattr(_LOCAL, "armed", False) and _can_alarm():
            seconds = float(BUDGET_SECONDS if self.seconds is None else self.seconds)
            _LOCAL.expired, _LOCAL.seconds = False, seconds
            self._depth = getattr(_LOCAL, "learner", 0)
            _LOCAL.armed = self._armed = True
            signal.setitimer(signal.ITIMER_REAL, seconds)
        return self

    def __exit__(self, *exc):
        if self._armed:
            _LOCAL.armed = self._armed = False              # first: an alarm from here on is ignored
            signal.setitimer(signal.ITIMER_REAL, 0)
            _LOCAL.expired = False
            _LOCAL.learner = self._depth                    # even if an alarm cut a call short mid-bookkeeping
        return False


def _spent() -> float:
    """The seconds of the budget that ran out (for the message)."""
    return getattr(_LOCAL, "seconds", BUDGET_SECONDS)


class _Quiet:
    """numpy's floating-point errors and every warning silenced, set up once for a whole nest of calls."""

    __slots__ = ("_saved", "_warnings")

    def __enter__(self):
        depth = getattr(_LOCAL, "quiet", 0)
        _LOCAL.quiet = depth + 1
        self._saved = None
        if depth == 0:
            self._saved = np.seterr(all="ignore")
            self._warnings = warnings.catch_warnings()
            self._warnings.__enter__()
            warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        _LOCAL.quiet -= 1
        if self._saved is not None:
            self._warnings.__exit__(*exc)
            np.seterr(**self._saved)
        return False


# ==================================================================================================
# Small shared pieces
# ==================================================================================================
def round_off_to_zero(M, scale: float | None = None, rel: float = 1e-10):
    """Entries below ``rel`` × max(1, scale) set to an exact 0: finite-difference noise where the truth is 0.

    ``scale`` defaults to the largest |entry|.  The one threshold every explorer uses to show a zero as a zero.
    """
    M = np.array(M, dtype=float)
    finite = np.isfinite(M)
    if scale is None:
        scale = float(np.max(np.abs(M[finite]))) if finite.any() else 0.0
    M[finite & (np.abs(M) < rel * max(1.0, float(scale)))] = 0.0
    return M


def split_components(source: str) -> list[str]:
    """'x**2 - y, max(x, y)' -> ['x**2 - y', 'max(x, y)']: split on commas outside brackets.

    One pair of outer brackets around everything is dropped: '(x*y, x - y)' has two components.
    """
    source = source.strip()
    if len(source) >= 2 and source[0] in "([" and source[-1] in ")]":
        depth = 0
        for ch in source[1:-1]:
            depth += (ch in "([") - (ch in ")]")
            if depth < 0:
                break
        else:
            source = source[1:-1]
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(source):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(source[start:k])
            start = k + 1
    parts.append(source[start:])
    return [p.strip() for p in parts]


def positional_parameters(f):
    """(required, total, varargs) of f's positional parameters, or None when Python cannot tell."""
    if isinstance(f, np.ufunc):
        return f.nin, f.nin, False
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    return len(required), len(positional), any(p.kind is p.VAR_POSITIONAL for p in params)


def _takes(f, k: int) -> bool | None:
    """Can f be called with k positional arguments? None when Python cannot tell."""
    counts = positional_parameters(f)
    if counts is None:
        return None
    required, total, varargs = counts
    return required <= k and (varargs or k <= total)


def _is_sympy(value) -> bool:
    return type(value).__module__.startswith("sympy") and hasattr(value, "free_symbols")


def _reals(raw) -> np.ndarray:
    """A learner's (batch) result as floats: a complex entry with a nonzero imaginary part is NaN (undefined)."""
    value = np.asarray(raw)
    if np.iscomplexobj(value):
        return np.where(value.imag != 0, np.nan, value.real).astype(float)
    return np.asarray(value, dtype=float)


def _builtin_name(err: BaseException) -> str:
    """The name a learner knows: numpy's private _UFuncNoLoopError is a TypeError."""
    for cls in type(err).__mro__:
        if cls.__module__ == "builtins":
            return cls.__name__
    return type(err).__name__


# Exceptions that mean "f is undefined here", not "f is wrong": ValueError only for math's domain errors.
def _undefined(err: BaseException) -> bool:
    if isinstance(err, (ZeroDivisionError, OverflowError, FloatingPointError)):
        return True
    return isinstance(err, ValueError) and not isinstance(err, ShapeError) and "domain" in str(err)


# ==================================================================================================
# The door
# ==================================================================================================
class LearnerFunction:
    """The learner's function in the course's one calling convention, with the one error policy.

    ``F(*args)`` takes the signature's parameters (numbers for scalar ones, 1-D arrays for vector ones) and
    returns a float (scalar output) or a 1-D float array; NaN where f is undefined.  ``F.sample(X, Y)``
    evaluates a scalar-parameter function on whole arrays (one vectorised call when f allows it, else point
    by point).  ``F.jacobian(*args, wrt=name)`` is ∂F/∂wrt in numerator layout (m, n), by ``mcdl.numeric``.
    """

    def __init__(self, call, signature: Signature, name: str = "f", label: str | None = None,
                 source=None, vector_call: bool = False):
        self._call = call                       # the learner's callable, in the form they wrote it
        self.signature = signature
        self.name = name
        self.label = label or f"your {name}"
        self.source = source                    # the text or sympy expression it came from, if any
        self.vector_call = vector_call          # surface: called as f(v) with v = [x, y]
        self.expr = getattr(call, "expr", None)
        self._vectorised = None                 # learnt on first sample(): does f take whole arrays?
        self.undefined_reason = ""              # why f was last undefined somewhere, e.g. 'ZeroDivisionError: ...'
        self._m = signature.size

    def __repr__(self) -> str:
        return f"LearnerFunction({self.label!r}, signature={self.signature.key!r})"

    # ---- one call ---------------------------------------------------------------------------------
    def _args(self, args):
        sig = self.signature
        if len(args) != len(sig.params):
            raise TypeError(f"{self.label} is {sig.form}: it takes {len(sig.params)} argument(s) "
                            f"({', '.join(sig.params)}), got {len(args)}.")
        out = []
        for name, kind, value in zip(sig.params, sig.kinds, args):
            if kind == "scalar" and type(value) is float:            # immutable: nothing to copy
                out.append(value)
                continue
            value = np.array(value, dtype=float)                       # a private copy, always
            if kind == "scalar":
                if value.size != 1:
                    raise ShapeError(f"{name} should be a number, got shape {fmt_shape(value.shape)}.")
                out.append(float(value.reshape(())))
            else:
                if value.ndim != 1:
                    raise ShapeError(f"{name} should be a vector (1-D), got shape {fmt_shape(value.shape)}.")
                out.append(value)
        return out

    def where(self, *args) -> str:
        """The text of a point: 'x = 1.00, y = 2.00'."""
        return text.point(self.signature.params, args)

    def mistake(self, message: str, args=(), cause=None, detail: str = "", stopped: bool = False) -> FunctionError:
        """One FunctionError: '<label> <message> at <point>: <detail>. It should be <the expected form>.'"""
        where = self.where(*args) if args else ""
        at = f" at {where}" if where else ""
        detail = f": {detail}" if detail else ""
        return FunctionError(f"{self.label} {message}{at}{detail}. It should be {self.signature.expected}.",
                             where, cause, stopped)

    def _invoke(self, args):
        """The learner's callable, quietly (no numpy warnings); exceptions pass through.

        ``args`` are already private (copied by the caller: __call__, sample, columns)."""
        if self.vector_call:                         # f(v) for f(x, y, ...): one vector of all the numbers
            args = (np.array(args, dtype=float) if all(np.ndim(a) == 0 for a in args)
                    else np.stack(np.broadcast_arrays(*args)).astype(float),)
        with _Quiet():
            _LOCAL.learner = getattr(_LOCAL, "learner", 0) + 1
            try:
                if getattr(_LOCAL, "expired", False) and getattr(_LOCAL, "armed", False):
                    raise _OutOfTime()                      # the budget ran out between two calls
                return self._call(*args)
            finally:
                _LOCAL.learner -= 1

    def _guarded(self, args):
        """_invoke under the time budget, with the policy: the raw result, or _NOT_DEFINED where f is undefined.

        Where f is undefined, ``self.undefined_reason`` keeps the exception's text ('ZeroDivisionError: ...')."""
        try:
            with budget():
                return self._invoke(args)
        except _OutOfTime:
            raise self.mistake(f"ran for more than {_spent():g} s and was stopped (a loop that never ends, or a "
                               "function too slow to draw?)", args, stopped=True) from None
        except FunctionError:
            raise                                   # a door inside the learner's function already said it
        except SystemExit as err:
            raise self.mistake(f"called exit ({err.code!r}) instead of returning a value", args) from None
        except RecursionError as err:
            raise self.mistake("calls itself without end (RecursionError)", args, err) from None
        except Exception as err:
            if _undefined(err):
                self.undefined_reason = f"{_builtin_name(err)}: {err}" if str(err) else _builtin_name(err)
                return _NOT_DEFINED
            raise self.mistake(f"raised {_builtin_name(err)}", args, err, str(err)) from None

    def _result(self, raw, args):
        """The raw result as the signature's output: float or 1-D array; NaN where not finite."""
        sig = self.signature
        if sig.output == "raw":
            return UNDEFINED if raw is _NOT_DEFINED else raw
        if raw is _NOT_DEFINED:
            return math.nan if sig.output == "scalar" else np.full(self._expected_length(args), np.nan)
        if raw is None:
            raise self.mistake("returned None: is a return missing (return <your formula>)?", args)
        if raw is Ellipsis:
            raise self.mistake("returns ... (the exercise's placeholder): replace it with your formula", args)
        if isinstance(raw, (list, tuple)) and sig.output != "scalar":
            try:
                raw = np.stack([_reals(c).reshape(()) for c in raw])
            except (TypeError, ValueError):
                pass
        try:
            value = _reals(raw)                      # a complex value (sqrt of a negative number): undefined
        except (TypeError, ValueError):
            raise self.mistake(f"returned {type(raw).__name__}, not numbers", args) from None
        if sig.output == "scalar":
            if value.size != 1:
                hint = (" (a function of one argument is called with the vector v = [x, y]; for f(x, y) "
                        "write lambda x, y: ...)") if self.vector_call else ""
                raise self.mistake(f"returned {value.size} values (shape {fmt_shape(value.shape)}), not one "
                                   f"number{hint}", args)
            value = float(value.reshape(()))
            return value if math.isfinite(value) else math.nan
        n = self._expected_length(args)
        if value.ndim == 0 and sig.per_entry and type(raw) not in (int, float):
            # one number where one value per entry is wanted: most likely the entries were added up (a sum
            # reduction, chapter 07), not an element-wise y; a plain Python constant (lambda w, x: 3.0) passes
            raise self.mistake(f"returned one number, but it should return a vector of {n} values, one yᵢ per "
                               "entry (adding the entries up is a sum reduction, chapter 07)", args)
        if value.ndim == 0 and sig.per_entry and n is not None:
            value = np.full(n, float(value))                  # a constant: y = 3 means 3 everywhere
        value = np.atleast_1d(value)
        if value.ndim != 1 or (sig.output == "vector" and n is not None and value.size != n):
            want = f"a vector of {n} values" if n is not None and sig.output == "vector" else "a vector (1-D)"
            raise self.mistake(f"returned shape {fmt_shape(value.shape)}, but it should return {want}", args)
        return np.where(np.isfinite(value), value, np.nan)

    def _expected_length(self, args):
        sig = self.signature
        if sig.size is not None:
            return sig.size
        if sig.output == "vector":
            sizes = [np.size(a) for a, kind in zip(args, sig.kinds) if kind == "vector"]
            return sizes[0] if sizes else None
        return self._m if self._m is not None else (np.size(args[0]) if args else None)

    def __call__(self, *args):
        args = self._args(args)
        sig = self.signature
        if sig.same_length and args[0].shape != args[1].shape:
            a, b = sig.params
            raise ShapeError(f"{a} and {b} must have the same length: got {a} {fmt_shape(args[0].shape)} and "
                             f"{b} {fmt_shape(args[1].shape)}.")
        if sig.size is not None and any(k == "vector" and a.size != sig.size for a, k in zip(args, sig.kinds)):
            raise ShapeError(f"{self.label} is a map of R²: its argument should have shape ({sig.size},), "
                             f"got {fmt_shape(np.shape(args[0]))}.")
        value = self._result(self._guarded(args), args)
        if sig.output == "any" and np.ndim(value) == 1 and np.all(np.isfinite(value)):
            self._m = value.size
        return value

    def defined(self, *args) -> bool:
        """Is f defined (finite) at this point?  Mistakes still raise."""
        return bool(np.all(np.isfinite(self(*args))))

    # ---- many points ------------------------------------------------------------------------------
    def sample(self, *arrays) -> np.ndarray:
        """A scalar-valued f of scalar parameters at every point of broadcast arrays; NaN where undefined."""
        sig = self.signature
        if sig.output != "scalar" or "vector" in sig.kinds:
            raise TypeError(f"sample() is for functions of numbers with one number as result, not {sig.form}")
        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in arrays))
        shape = arrays[0].shape
        if self._vectorised is not False:
            Z = None
            try:
                with budget():
                    raw = self._invoke([a.copy() for a in arrays])
                Z = _reals(raw)
                if Z.shape != shape:        # one number for a whole grid: a constant, or f reduced its input
                    Z = None                # (np.max(np.abs([x, y]))): only single calls can tell, so go point by point
            except _OutOfTime:
                raise self.mistake(f"ran for more than {_spent():g} s on {np.size(arrays[0])} points and "
                                   "was stopped (a loop that never ends?)", stopped=True) from None
            except SystemExit:
                raise self.mistake("called exit instead of returning a value") from None
            except Exception:
                Z = None
            if self._vectorised is None:
                self._vectorised = Z is not None
            if Z is not None:
                return np.where(np.isfinite(Z), Z, np.nan)
        flat = [a.ravel().tolist() for a in arrays]                   # Python floats: nothing to copy
        with budget(2 * BUDGET_SECONDS), _Quiet():         # (a call that runs out of it says so itself)
            values = [self(*point) for point in zip(*flat)]
        return np.array(values, dtype=float).reshape(shape)

    def columns(self, V, quiet: bool = False) -> np.ndarray:
        """A function of one vector at every column of V (n, N): an (m, N) array, NaN where f is undefined.

        One call on the whole batch when f takes one (checked against single calls at three columns), else
        one call per column.  With ``quiet`` a column where f has a bug is NaN too (a curve drawn through many
        points gets a gap there); running out of time or calling exit() always raises.
        """
        sig = self.signature
        if sig.kinds != ("vector",) or sig.output == "scalar":
            raise TypeError(f"columns() is for a function of one vector returning a vector, not {sig.form}")
        V = np.array(V, dtype=float)                         # a private copy
        N = V.shape[1]
        m = self._expected_length([V[:, 0]]) or V.shape[0]

        def one(v):
            try:
                return self(v)
            except FunctionError as err:
                if err.cause is None or not quiet:            # out of time, exit(): never quiet
                    raise
                return np.full(m, np.nan)

        try:
            raw = self._guarded([V.copy()])                   # the learner's own copy: V stays for the checks
            if isinstance(raw, (list, tuple)):                # (array, 1.0): broadcast the parts
                raw = np.stack([np.broadcast_to(_reals(c), (N,)) for c in raw])
            Y = _reals(raw) if raw is not None and raw is not _NOT_DEFINED else None
            if Y is not None and Y.shape == (m, N) and all(
                    np.allclose(Y[:, k], one(V[:, k]), rtol=1e-12, atol=1e-12, equal_nan=True)
                    for k in {0, N // 2, N - 1}):
                return np.where(np.isfinite(Y), Y, np.nan)
        except FunctionError as err:
            if err.cause is None:
                raise
        except (TypeError, ValueError):
            pass
        return np.stack([one(V[:, k]) for k in range(N)], axis=1)

    # ---- derivatives, from mcdl.numeric -------------------------------------------------------------
    def jacobian(self, *args, wrt=None, rows=None) -> np.ndarray:
        """∂f/∂(wrt) at the point, numerator layout (m, n); all NaN where f is not differentiable there.

        ``wrt`` is a parameter name or a tuple of names (their entries joined, e.g. ("x", "y") for the
        gradient of f(x, y)); by default all parameters.  ``rows`` keeps only those outputs (the others may be
        undefined here: ⊘ with xᵢ = 0).  A mistake in f raises :class:`FunctionError`.
        """
        from .numeric import jacobian as numeric_jacobian

        sig = self.signature
        names = sig.params if wrt is None else ((wrt,) if isinstance(wrt, str) else tuple(wrt))
        unknown = [name for name in names if name not in sig.params]
        if unknown:
            raise ValueError(f"wrt must name parameters of {sig.form}; got {unknown[0]!r}")
        args = self._args(args)
        index = [sig.params.index(name) for name in names]
        sizes = [np.size(args[i]) for i in index]
        at = np.concatenate([np.ravel(args[i]) for i in index])
        y0 = self(*args)
        keep = slice(None) if rows is None else np.asarray(rows, dtype=int)
        m = np.size(np.atleast_1d(y0)[keep])
        if not np.all(np.isfinite(np.atleast_1d(y0)[keep])):
            return np.full((m, at.size), np.nan)
        mistakes = []

        def of(v):
            v = np.asarray(v, dtype=float)
            if v.ndim != 1:
                raise ValueError("one point at a time")           # mcdl.numeric then goes column by column
            new, start = list(args), 0
            for i, size in zip(index, sizes):
                part = v[start:start + size]
                new[i] = float(part[0]) if sig.kinds[i] == "scalar" else part.copy()
                start += size
            try:
                return np.atleast_1d(self(*new))[keep]
            except FunctionError as err:
                mistakes.append(err)
                return np.full(m, np.nan)

        try:
            with _Quiet():
                J = numeric_jacobian(of, at, batch=False)
        except (ValueError, ArithmeticError):
            J = np.full((m, at.size), np.nan)
        if mistakes:
            raise mistakes[0]
        return J if np.all(np.isfinite(J)) else np.full((m, at.size), np.nan)

    def derivative(self, *args, wrt=None) -> float:
        """df/d(wrt) for a scalar f of a scalar parameter: one number (NaN where not differentiable)."""
        return float(self.jacobian(*args, wrt=wrt)[0, 0])

    def gradient(self, *args, wrt=None) -> np.ndarray:
        """∇f for a scalar-valued f: shape (n,), the paper's row vector (NaN where not differentiable)."""
        return self.jacobian(*args, wrt=wrt)[0]


# ==================================================================================================
# Reading what the learner passes
# ==================================================================================================
def _from_text(source, sig: Signature, name: str, variables=None):
    from .symbolic import UnsafeExpressionError, parse_expression, to_function

    if _is_sympy(source):
        expr_names = sorted(str(s) for s in source.free_symbols)
        names = tuple(variables or (("x", "y") if sig.key in ("surface", "plane-map") else sig.params))
        extra = [n for n in expr_names if n not in names]
        if extra:
            raise TypeError(f"the expression uses {', '.join(extra)}, but {name} is a function of "
                            f"{', '.join(names)}.")
        parts = [source]
    else:
        parts = split_components(source) if sig.key in ("plane-map", "vector") else [source]
    if sig.key == "plane-map":
        if len(parts) != 2:
            raise ShapeError(f"{name} should map R² to R²: give its 2 components, e.g. \"{sig.text_example}\"; "
                             f"got {len(parts)}.")
        candidates = [tuple(variables)] if variables else [("x", "y"), ("x1", "x2")]
        first_error = None
        for names in candidates:
            try:
                comps = [to_function(parse_expression(p, names) if isinstance(p, str) else p, names)
                         for p in parts]
                break
            except UnsafeExpressionError as err:
                first_error = first_error or err
        else:
            raise first_error
        call = lambda v: np.stack([c(v[0], v[1]) for c in comps])  # noqa: E731
        label = f"{name}({names[0]}, {names[1]}) = ({parts[0]}, {parts[1]})"
        return LearnerFunction(call, sig, name, label, source)
    if sig.key == "vector":
        import re
        indices = [int(k) for k in re.findall(r"\bx(\d+)\b", source)] if isinstance(source, str) else []
        if len(parts) == 1 and not indices:                          # element-wise: fᵢ = g(xᵢ)
            g = to_function(parse_expression(parts[0], ("x",)) if isinstance(parts[0], str) else parts[0], ("x",))
            return LearnerFunction(g, sig, name, f"{name}ᵢ = {str(parts[0]).replace('x', 'xᵢ')}", source)
        n = max(indices, default=1)
        if min(indices, default=1) < 1:
            raise ValueError("the components are numbered from x1.")
        names = tuple(f"x{j}" for j in range(1, n + 1))
        comps = [to_function(parse_expression(p, names), names) for p in parts]

        def components(x):
            if x.shape[0] != n:
                raise ShapeError(f"these components use x1 … x{n}, so x needs {n} entries; got {fmt_shape(x.shape)}.")
            return np.stack([c(*x) for c in comps])

        function = LearnerFunction(components, sig, name, f"{name} = (" + ", ".join(parts) + ")", source)
        function.length = n
        return function
    names = tuple(variables or sig.params)
    expr = parse_expression(source, names) if isinstance(source, str) else source
    label = f"{name}({', '.join(names)}) = {source if isinstance(source, str) else expr}"
    return LearnerFunction(to_function(expr, names), sig, name, label, source)


def learner_function(f, signature: str | Signature, name: str = "f", label: str | None = None,
                     variables=None) -> LearnerFunction:
    """Accept what a learner passes as a function of the given signature (a key of :data:`SIGNATURES`).

    ``f`` is a Python callable (``np.sin``, ``lambda x, y: x*y``, ``def f(v): ...``), text in the
    signature's variables (``"x**3 - 2*x"``, two components ``"x**2 - y, x*y"`` for a map of the plane,
    ``"x1*x2, x2*x3"`` for a vector map), a SymPy expression, or already a :class:`LearnerFunction`.
    A function that cannot be called the way the signature needs raises :class:`FunctionError` at once,
    with an example of the expected form; anything else that is not a function raises TypeError.
    """
    sig = SIGNATURES[signature] if isinstance(signature, str) else signature
    if isinstance(f, LearnerFunction):
        if f.signature.key != sig.key:
            raise FunctionError(f"{f.label} is {f.signature.form}, but here {name} should be {sig.expected}.")
        return f
    if isinstance(f, str) or (_is_sympy(f) and not callable(f)):
        function = _from_text(f, sig, name, variables)
        if label:
            function.label = label
        return function
    if sig.key == "plane-map" and isinstance(f, (list, tuple)) and len(f) == 2:
        if all(isinstance(c, str) for c in f):
            return _from_text(", ".join(f), sig, name, variables)
        if all(callable(c) for c in f):
            g, h = f
            two = _takes(g, 2) and not _takes(g, 1)
            call = (lambda v: (g(v[0], v[1]), h(v[0], v[1]))) if two else (lambda v: (g(v), h(v)))
            return LearnerFunction(call, sig, name, label)
    if not callable(f) or inspect.isclass(f):
        raise TypeError(f"{name} should be {sig.expected}; got {type(f).__name__}.")
    counts = positional_parameters(f)
    k = len(sig.params)
    if sig.key == "plane-map":
        if counts is None or _takes(f, 1):
            return LearnerFunction(f, sig, name, label)
        if _takes(f, 2):
            return LearnerFunction(lambda v: f(v[0], v[1]), sig, name, label)
    elif counts is None or counts[0] == k:
        return LearnerFunction(f, sig, name, label)
    elif k > 1 and all(kind == "scalar" for kind in sig.kinds) and counts[0] == 1:
        return LearnerFunction(f, sig, name, label, vector_call=True)      # f(v), maybe with options (np.linalg.norm)
    elif _takes(f, k):
        return LearnerFunction(f, sig, name, label)
    elif k > 1 and all(kind == "scalar" for kind in sig.kinds) and _takes(f, 1):
        return LearnerFunction(f, sig, name, label, vector_call=True)
    required, total, _ = counts
    takes = f"{required} argument{'s' if required != 1 else ''}" if required == total else \
        f"{required} to {total} arguments"
    raise FunctionError(f"{label or 'your ' + name} takes {takes}, but {name} should be {sig.expected}.")
