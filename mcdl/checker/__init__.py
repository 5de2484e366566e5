"""Exercise checking: ``check(exercise_id, answer)`` returns a :class:`Feedback`, ``hint(exercise_id)`` a hint.

The checker reads the reference answers from the bank (:mod:`mcdl.exercises`) and knows the mistakes this
material produces (paper §4.1, numerator layout), one row each in :data:`MISTAKES` (the shape slips: the
transpose, a vector where a diagonal matrix was expected or the reverse, a column where the gradient, a
row, was expected, the Jacobian before the sum) and :data:`PATTERNS` (right shape, wrong values: a flipped
sign, a constant factor, the transpose).  The pieces:

* ``feedback``  — :class:`Feedback`, what ``check`` returns;
* ``answers``   — reading an answer: what a value is, in words, and the numbers or shape in it;
* ``mistakes``  — the tables of slips;
* ``kinds``     — one checker per kind of exercise (value, function, expression, shape).

``check`` never raises, whatever the answer: a learner's typo must end in a sentence, not a traceback.
Learner text is parsed by :func:`mcdl.symbolic.parse_expression` (a whitelist; nothing is evaluated), and a
function answer comes in through :func:`mcdl.functions.learner_function`, like every explorer's.
"""
from __future__ import annotations

from ..exercises import EXERCISES, Exercise, UnknownExerciseError, get
from ..text import clip
from .answers import describe, has_ellipsis
from .feedback import STATUSES, Feedback, HintText, Verdict
from .kinds import CHECKERS, error_text
from .mistakes import MISTAKES, PATTERNS

__all__ = ["check", "hint", "Feedback", "STATUSES", "MISTAKES", "PATTERNS"]

_NOT_ANSWERED = "not answered yet: replace ... with your answer"


def _resolve(exercise) -> Exercise:
    if isinstance(exercise, Exercise):
        return exercise
    if isinstance(exercise, str):
        try:
            return get(exercise)
        except UnknownExerciseError as err:
            raise Verdict("error", str(err)) from None
    raise Verdict("error", f"an exercise id is text like '00-warmup', got {describe(exercise)}; "
                  f"known: {', '.join(EXERCISES)}")


def _id_text(exercise) -> str:
    if isinstance(exercise, Exercise):
        return exercise.id
    return clip(exercise, 40) if isinstance(exercise, str) else ""


def _hint_pointer(ex: Exercise | None, status: str) -> list:
    if ex is None or not ex.hints or status in ("correct", "not-answered", "error"):
        return []
    if EXERCISES.get(ex.id) is not ex:
        return []
    return [f"stuck? mcdl.hint({ex.id!r}) gives a hint"]


def check(exercise, answer) -> Feedback:
    """Check an answer to an exercise (an id from the bank, or an :class:`Exercise`).

    Returns a :class:`Feedback` (HTML in Jupyter, text elsewhere; truthy only when correct). Never raises:
    whatever the answer — ``...``, text, a ragged list, a function that raises — the result is a sentence.
    """
    ex, ex_id = None, _id_text(exercise)
    try:
        ex = _resolve(exercise)
        ex_id = ex.id
        if answer is None or has_ellipsis(answer):
            verdict = Verdict("not-answered", _NOT_ANSWERED if answer is None or answer is Ellipsis
                              else "not answered yet: some entries are still ...")
        else:
            verdict = CHECKERS[ex.kind](ex, answer)
    except Verdict as raised:
        verdict = raised
    except Exception as err:        # the last resort: a sentence, never a traceback
        verdict = Verdict("error", f"mcdl could not check this answer ({error_text(err)})",
                          ["try a plain number, a numpy array or a function, as the exercise asks"])
    try:
        details = [str(d) for d in verdict.details if d] + _hint_pointer(ex, verdict.status)
        feedback = Feedback(verdict.status, str(verdict.message), details, str(ex_id), str(verdict.mistake))
    except Exception:
        return Feedback("error", "mcdl could not check this answer", [], "")
    if ex is not None and EXERCISES.get(ex.id) is ex:       # a bank exercise: graded, and on the learner's record
        _record(feedback, ex)
    return feedback


def _record(feedback: Feedback, ex: Exercise) -> None:
    """Keep the verdict for the graded cell (``mcdl.grade``) and in the learner's progress file; neither may
    ever turn a check into a traceback."""
    from .. import grading, tracking

    grading.remember(feedback)
    try:
        tracking.record(feedback, ex)
    except Exception:           # a full disk or a read-only folder: the feedback still reaches the learner
        pass


def hint(exercise, level: int = 0) -> str:
    """Hint number ``level`` (0 = the first, gentlest) for an exercise; later levels say more.

    ``level`` beyond the last hint gives the last one. An unknown id gives a sentence naming the known ones.
    """
    try:
        ex = _resolve(exercise)
    except Verdict as err:
        return HintText(err.message)
    if not ex.hints:
        return HintText(f"{ex.id}: no hints for this one. Reread the question: {ex.prompt}")
    try:
        i = min(max(int(level), 0), len(ex.hints) - 1)
    except Exception:
        i = 0
    text = f"Hint {i + 1} of {len(ex.hints)} for {ex.id}: {ex.hints[i]}"
    if i + 1 < len(ex.hints):
        text += f" (mcdl.hint({ex.id!r}, {i + 1}) gives the next one)"
    return HintText(text)
