# The two set-up commands of the README. Each installs what it needs, from a clean clone,
# into a virtual environment of its own (.venv), so the machine's Python stays untouched.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SCHEDULE ?= schedules/rnct-2026-07-07.yaml
AT ?= 2026-07-07T09:55:00+02:00
SPEED ?= 1
PORT ?= 8000
# A fresh journal for each rehearsal started with `make serve`; to resume one after a crash,
# run `control-room serve` again with the same --data-dir, --at and --speed.
DATA_DIR ?= data/rehearsal-$(shell date +%Y%m%dT%H%M%S)

.PHONY: serve test install install-test system-deps lint bench

$(PY):
	@$(PYTHON) -m venv $(VENV) || { echo "cannot create $(VENV): on Debian, apt-get install python3-venv"; exit 1; }
	@$(PY) -m pip install -q --upgrade pip

install: $(PY)
	$(PY) -m pip install -q -e .

install-test: $(PY)
	$(PY) -m pip install -q -e ".[test]"

# Debian packages the tests drive for real: Chromium (browser tests), OBS Studio + Xvfb (switcher).
system-deps:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	command -v obs >/dev/null 2>&1 || need="$$need obs-studio libblas3"; \
	command -v Xvfb >/dev/null 2>&1 || need="$$need xvfb"; \
	$(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 || need="$$need python3-venv"; \
	if [ -n "$$need" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$need; \
	fi

# Main job: serve the shipped day as a rehearsal starting a few minutes before 10:00.
serve: install
	$(VENV)/bin/control-room serve $(SCHEDULE) --at $(AT) --speed $(SPEED) --port $(PORT) --data-dir $(DATA_DIR)

# The whole test suite (unit, property-based, end-to-end, real Chromium, real OBS).
test: system-deps install-test
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff format --check control_room tests bench
	$(VENV)/bin/ruff check control_room tests bench
	$(VENV)/bin/mypy

bench: install-test
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b; done
