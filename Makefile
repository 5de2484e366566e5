# mcdl — The Matrix Calculus You Need For Deep Learning, as an interactive course.
#
#   make lab         set up .venv (first time only), then open the course in JupyterLab
#   make test        set up, then run every test: unit, widgets, notebooks (nbval + student versions), browser
#   make quick       the fast tier: unit and state-function tests
#
# Every target installs into .venv when it is missing and reuses it afterwards; a change to
# pyproject.toml or constraints.txt reinstalls.  Options: make lab PYTHON=python3.12,
# make test PYTEST_ARGS="-k jacobian", make notebooks NB="notebooks/03_*.ipynb", make student FORCE=1.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
CORE   := $(VENV)/.installed-core
LOCK   ?= constraints.txt
EXTRAS := test,bench,hub
STUDENT_DIR ?= build/student
COURSE_DIR ?= build/course
MYWORK ?= my-work

.PHONY: help setup lab instructor doctor test quick notebooks student course bench cheatsheet lock upgrade clean distclean

help:
	@echo "make lab        open your own copy of the course in JupyterLab, $(MYWORK)/ (sets up .venv the first time)"
	@echo "make instructor open the course's notebooks with their solutions"
	@echo "make test       run all tests: unit, widgets, notebooks (nbval, student versions), browser"
	@echo "make quick      the fast tier: unit and state-function tests (no views, notebooks or browser)"
	@echo "make notebooks  re-execute every notebook in place (after changing mcdl); then read the diff"
	@echo "make student    write student versions (solutions removed) to $(STUDENT_DIR)/ [FORCE=1]"
	@echo "make course     an nbgrader course directory in $(COURSE_DIR)/ for grading a class (docs/teaching.md)"
	@echo "make bench      timings: notebooks, widget updates, memory, Jacobians, training"
	@echo "make cheatsheet the two-page matrix-calculus cheat sheet, PDF and HTML, in build/cheatsheet/"
	@echo "make doctor     check the setup (Python, packages, JupyterLab extensions, kernel)"
	@echo "make lock       rewrite $(LOCK) from .venv (after a green make test)"
	@echo "make upgrade    newest versions allowed by pyproject.toml, then lock; run make test next"
	@echo "make clean      remove build/test leftovers (make distclean also removes .venv)"

# --- the environment -------------------------------------------------------------------------------
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "mcdl needs Python >= 3.10, and '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)."; \
	  echo "Install a newer Python and run e.g.: make $(or $(MAKECMDGOALS),lab) PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --upgrade pip || echo "warning: could not upgrade pip; carrying on with $$($(PY) -m pip --version)"

# The lock holds exact versions for the Python it was made on. If they cannot be installed here (another
# Python, a platform without wheels), install from pyproject.toml's ranges instead, and say so loudly.
# A learner's `make lab` installs the course alone ($(CORE)); every other target adds the extras for tests,
# benchmarks and the hub ($(STAMP)), which includes the course.
define pip_install
$(BIN)/pip install $(if $(LOCK),-c $(LOCK)) -e "$(1)" || { \
  test -n "$(LOCK)" && \
  echo "*** The exact versions in $(LOCK) do not install with this Python; using pyproject.toml's ranges." && \
  $(BIN)/pip install -e "$(1)"; }
endef

$(CORE): pyproject.toml $(LOCK) | $(PY)
	$(call pip_install,.)
	@touch $@

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(call pip_install,.[$(EXTRAS)])
	@touch $@ $(CORE)

setup: $(STAMP)

# --- learning --------------------------------------------------------------------------------------
# Opens (or prints the URL of) the first chapter of the learner's own working copy, $(MYWORK)/ (git-ignored):
# the student versions, made on the first run; later runs add new chapters and refresh the ones the learner
# has not touched, and never overwrite an edited one. The course's own notebooks/ stay the single source
# (make instructor opens them). --allow-root only as root; --no-browser when there is no display to open a
# browser on (JupyterLab prints the URL to paste instead).
lab: $(CORE)
	@env -u MPLBACKEND $(PY) -m mcdl doctor || echo "(starting anyway; the fixes are listed above)"
	@env -u MPLBACKEND $(PY) -m mcdl mywork --out $(MYWORK)
	env -u MPLBACKEND $(BIN)/jupyter lab --ServerApp.root_dir=$(MYWORK) \
	  --LabApp.default_url=/lab/tree/00_start_here.ipynb \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
	  $$([ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$(uname)" != Darwin ] && echo --no-browser)

instructor: $(CORE)
	env -u MPLBACKEND $(BIN)/jupyter lab --ServerApp.root_dir=notebooks \
	  --LabApp.default_url=/lab/tree/00_start_here.ipynb \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
	  $$([ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$(uname)" != Darwin ] && echo --no-browser)

doctor: $(CORE)
	env -u MPLBACKEND $(PY) -m mcdl doctor

# --- checking --------------------------------------------------------------------------------------
# One pytest run does every tier. Unit tests draw with Agg; tests/test_notebooks.py runs nbval and the
# student notebooks in kernels without MPLBACKEND, as a learner's JupyterLab does. With CI=true the browser
# tier must run (.ci/run installs Chromium); without it that tier skips when Chromium is missing.
test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest $(PYTEST_ARGS)

# --- authoring -------------------------------------------------------------------------------------
# The fast tier while working: the unit and state-function tests; the views, notebooks and browser are
# make test's (target: under 30 s on 2 cores).
quick: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q -m "not view and not slow and not hub" --ignore=tests/browser \
	  --ignore=tests/hub --ignore=tests/test_notebooks.py $(PYTEST_ARGS)

notebooks: $(STAMP)
	$(PY) tools/run_notebooks.py $(NB)

student: $(STAMP)
	$(PY) -m mcdl student $(STUDENT_DIR) $(if $(FORCE),--force)

# An nbgrader course directory (source/<chapter>/ + nbgrader_config.py) for grading a class: docs/teaching.md.
course: $(STAMP)
	$(PY) -m mcdl course $(COURSE_DIR) $(if $(FORCE),--force)

bench: $(STAMP)
	$(PY) tools/bench.py

cheatsheet: $(STAMP)
	env -u MPLBACKEND $(PY) -m mcdl cheatsheet --out build/cheatsheet

lock: | $(PY)
	@{ echo "# Exact versions the course is tested with: pip freeze of a green .venv (mcdl itself excluded)."; \
	  echo "# Every install uses it: pip install -c $(LOCK) -e \".[$(EXTRAS)]\" (the Makefile does this)."; \
	  echo "# Regenerate after a green 'make test' with: make lock"; \
	  echo "# Newer versions: make upgrade (re-resolves, then locks), then make test; commit when green."; \
	  echo "# Made with Python $$($(PY) -c 'import platform; print(platform.python_version())') on $$(uname -sm)."; \
	  $(BIN)/pip freeze --exclude-editable | grep -v -i -e '^#' -e '^-e ' -e '^mcdl[=@ ]'; \
	} > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	@if [ -f $(STAMP) ]; then touch $(STAMP); fi
	@if [ -f $(CORE) ]; then touch $(CORE); fi
	@echo "wrote $(LOCK) ($$(grep -vc '^#' $(LOCK)) pins)"

upgrade: | $(PY)
	$(BIN)/pip install --upgrade -e ".[$(EXTRAS)]"
	$(MAKE) lock
	@echo "now run: make test  (and commit $(LOCK) when it is green)"

clean:
	rm -rf build artifacts .pytest_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 \
	  | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
