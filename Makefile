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

# The editable installs, redone only when pyproject.toml changes (the code itself is linked,
# not copied): a stamp file in the venv says which pyproject.toml the venv was filled from.
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	@touch $@

# The test extras include the base install: both stamps are fresh after it.
$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[test]"
	@touch $@ $(VENV)/.installed

# Debian packages the tests drive for real: Chromium (browser tests), OBS Studio + Xvfb
# (switcher), Caddy (the reverse proxy in front of the server), openssl (a certificate for
# the HTTPS tests), ffmpeg (a site's feed streamed into OBS). apt waits up to 10 minutes
# for a dpkg lock held by another apt.
APT := apt-get -q -o DPkg::Lock::Timeout=600
system-deps:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	command -v obs >/dev/null 2>&1 || need="$$need obs-studio libblas3"; \
	command -v Xvfb >/dev/null 2>&1 || need="$$need xvfb"; \
	command -v caddy >/dev/null 2>&1 || need="$$need caddy"; \
	command -v openssl >/dev/null 2>&1 || need="$$need openssl"; \
	command -v ffmpeg >/dev/null 2>&1 || need="$$need ffmpeg"; \
	command -v redis-server >/dev/null 2>&1 || need="$$need redis-server"; \
	$(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 || need="$$need python3-venv"; \
	if [ -n "$$need" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO $(APT) update && DEBIAN_FRONTEND=noninteractive $$SUDO $(APT) install -y $$need; \
	fi

# Main job: serve the shipped day as a rehearsal starting a few minutes before 10:00.
serve: install
	$(VENV)/bin/control-room serve $(SCHEDULE) --at $(AT) --speed $(SPEED) --port $(PORT) --data-dir $(DATA_DIR)

# The whole test suite (unit, property-based, end-to-end, real Chromium, real OBS, real Caddy,
# the built wheel in a fresh venv).
test: system-deps install-test
	$(PY) -m pytest

lint: install-test
	$(VENV)/bin/ruff format --check control_room tests bench
	$(VENV)/bin/ruff check control_room tests bench
	$(VENV)/bin/mypy

bench: install-test
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b; done
