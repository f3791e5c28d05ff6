# Set-up is two commands: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench validate clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps so that a second `make test` does not reinstall; pyproject changes trigger it.
# A shell with PYTHONDONTWRITEBYTECODE set (CI images, this project's machines) compiles every module it
# imports, in every run, unless its __pycache__ file exists: so the dependencies and our own sources (an
# editable install leaves ours as source; about a tenth of `twin run`) are compiled once here. pip would
# compile the dependencies one file at a time; compileall -j 0 uses every core (44 s -> 38 s for the dev
# extras on 2 cores). An edited module recompiles.
COMPILE := $(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
	lingtan twin components weather scenarios dashboard validation meters

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e .
	$(COMPILE)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'
	$(COMPILE)
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/twin run scenarios/hefei_auto_parts.yaml --out results/hefei_auto_parts

# The browser tests need Debian's Chromium: installed here with apt-get when missing and apt-get exists (a
# test never installs system packages). Without it they skip, or fail under LINGTAN_REQUIRE_REFERENCES=1.
# -rs lists every skipped test with its reason after the count; --dist loadfile gives a test file to one worker,
# so a module-scoped fixture (a dashboard server, a park run, a sizing) is built once, not once per worker that
# draws one of its tests. (loadgroup would group finer, but pytest 9.2 silently ignores its marks:
# pytest-dev/pytest-xdist#1386.) conftest.py hands the slowest files out first (SLOW_FILES), so that the two
# workers finish together, and has the workers compile the dispatch kernels once between them.
test: $(VENV)/.installed-dev
	@if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
		echo "make test: installing chromium with apt-get (for the browser tests)"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null \
			|| echo "make test: apt-get could not install chromium (needs root and the Debian archive)"; \
	fi
	@if command -v fc-list >/dev/null 2>&1 && [ -z "$$(fc-list :lang=zh)" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "make test: installing fonts-noto-cjk with apt-get (Chinese pages and screenshots draw boxes without it)"; \
		apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null \
			|| echo "make test: apt-get could not install fonts-noto-cjk (needs root and the Debian archive)"; \
	fi
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/python -m pytest -n auto --dist loadfile -rs

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot see through the editable install's import hook, so it checks a tree of symbolic links
# that lays the folders out as they install (lingtan/twin -> twin/, ...).
TYPED := -m lingtan.errors -m lingtan.limits -m lingtan.loader -m lingtan.paths -p lingtan.twin.core
typecheck: $(VENV)/.installed-dev
	@rm -rf build/typecheck && mkdir -p build/typecheck/lingtan
	@for f in lingtan/*.py; do ln -s "$(CURDIR)/$$f" build/typecheck/lingtan/; done
	@for d in twin components weather scenarios dashboard validation; do ln -s "$(CURDIR)/$$d" build/typecheck/lingtan/$$d; done
	cd build/typecheck && "$(CURDIR)/$(BIN)/mypy" --config-file "$(CURDIR)/pyproject.toml" $(TYPED)

# The README's screenshots, from the browser tests' artifacts of the last `make test`.
SHOTS = dashboard_results_top:results_page dashboard_size_run:size_page dashboard_explore_heatmap_1440:explore_page \
	dashboard_park_results_1280:park_page dashboard_meters:meters_page
screenshots:
	@for s in $(SHOTS); do src=tests/artifacts/$${s%%:*}.png; \
		test -f $$src || { echo "make screenshots: $$src is missing: run make test first"; exit 2; }; \
		cp $$src docs/$${s##*:}.png; done

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/meters_bench.py
	$(BIN)/python benchmarks/lp_bench.py

# Regenerates validation/report.md and report.html (needs ../shared/weather for the CSWD cases).
validate: $(VENV)/.installed-dev
	$(BIN)/twin validate

clean:
	rm -rf $(VENV) results .pytest_cache build
