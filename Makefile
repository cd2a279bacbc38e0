# Two commands for everyone: `make demo` and `make test`. Both set up everything first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SRC    := kiosk drivers tests

.PHONY: setup demo demo-headless test lint typecheck bench messages clean

$(STAMP): pyproject.toml requirements.lock image-build/dev-packages.txt
	image-build/install-system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ] && [ -z "$${SDL_VIDEODRIVER:-}" ]; then \
		echo "No display here: running every scripted visit headless instead."; \
		$(BIN)/kiosk demo --headless --all --out out || exit $$?; \
		echo ""; \
		echo "Screens and tickets of every visit are in out/<scenario>/:"; \
		echo "  screens/NN-<screen>.png  every screen shown, in order"; \
		echo "  ticket.png               the printed ticket, where one was printed"; \
		echo "  result.json              the ticket, refusal and every pre-check line"; \
		echo "One visit again, e.g.: $(BIN)/kiosk demo --headless --scenario service-registration-sign-locked --out out/demo"; \
	else $(BIN)/kiosk demo; fi

demo-headless: setup
	$(BIN)/kiosk demo --headless --all --out out

lint: setup
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/kiosk check-config config
	$(BIN)/pytest

# After editing kiosk/locale/*/LC_MESSAGES/kiosk.po: bring every catalog in line with the Japanese
# source (keys, order, translator hints) and list what is not translated yet.
messages: setup
	$(BIN)/python -m kiosk.catalogs

bench: setup
	$(BIN)/python -m kiosk.bench --out bench-results.json

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache bench-results.json
