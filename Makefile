# The two set-up commands of the README. Each installs what it needs, from a clean clone.
PYTHON ?= python3
SCHEDULE ?= schedules/rnct-2026-07-07.yaml
AT ?= 2026-07-07T09:55:00+02:00
SPEED ?= 1
PORT ?= 8000
# A fresh journal for each rehearsal started with `make serve`; to resume one after a crash,
# run `control-room serve` again with the same --data-dir, --at and --speed.
DATA_DIR ?= data/rehearsal-$(shell date +%Y%m%dT%H%M%S)

.PHONY: serve test install install-test system-deps lint bench

install:
	$(PYTHON) -m pip install -q -e .

install-test:
	$(PYTHON) -m pip install -q -e ".[test]"

# Debian packages the tests drive for real: Chromium (browser tests), OBS Studio + Xvfb (switcher).
system-deps:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	command -v obs >/dev/null 2>&1 || need="$$need obs-studio libblas3"; \
	command -v Xvfb >/dev/null 2>&1 || need="$$need xvfb"; \
	if [ -n "$$need" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$need; \
	fi

# Main job: serve the shipped day as a rehearsal starting a few minutes before 10:00.
serve: install
	control-room serve $(SCHEDULE) --at $(AT) --speed $(SPEED) --port $(PORT) --data-dir $(DATA_DIR)

# The whole test suite (unit, property-based, end-to-end, real Chromium, real OBS).
test: system-deps install-test
	$(PYTHON) -m pytest

lint: install-test
	ruff format --check control_room tests bench
	ruff check control_room tests bench
	mypy

bench: install-test
	@for b in bench/bench_*.py; do echo "== $$b"; $(PYTHON) $$b; done
