# article6: the two commands of the README, and a few more.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATABASE ?= sqlite:///article6.db

.PHONY: run test lint typecheck demo verify clean network bench translations new-language

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo is built on the first run only: later runs serve the same data, users and passwords.
# `make demo` builds it afresh.
run: $(STAMP)
	$(BIN)/article6 demo --if-new --database $(DATABASE)
	$(BIN)/article6 serve --database $(DATABASE)

test: $(STAMP) lint typecheck
	$(BIN)/pytest -n 2 --dist loadscope -p no:cacheprovider --durations=15

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/article6 demo --fresh --database $(DATABASE)

verify: $(STAMP)
	$(BIN)/article6 journal verify --database $(DATABASE)

clean:
	rm -rf $(VENV) article6.db article6.db-wal article6.db-shm article6-hub.db article6-hub.db-wal article6-hub.db-shm .pytest_cache .mypy_cache .ruff_cache

network: $(STAMP)
	$(BIN)/article6 network

# Benchmarks against PostgreSQL at 127.0.0.1:5432 (ARTICLE6_BENCH_POSTGRES): reduced scale,
# or full scale with `make bench FULL=1`. Results are summarised by hand in BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(if $(FULL),--full)

# The catalogs (src/article6/translation/locale): find every marked word (`words()`, `_()`,
# `{% trans %}`), bring each language's catalog up to date, compile them. `make test` fails
# while a French or Spanish entry is missing, fuzzy or unused. A new language:
# `make new-language NEW=zh`, translate its messages.po, add it to translation.LANGUAGES.
CATALOGS := src/article6/translation/locale
POT := $(CATALOGS)/messages.pot
EXTRACT = $(BIN)/pybabel -q extract -F babel.cfg -k words --project=article6 --copyright-holder="the article6 contributors" --add-location=file --sort-output \
	--no-wrap -o $(POT) .

translations: $(STAMP)
	$(EXTRACT)
	$(BIN)/pybabel -q update -i $(POT) -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/pybabel -q compile -d $(CATALOGS) --statistics

new-language: $(STAMP)
	$(EXTRACT)
	$(BIN)/pybabel -q init -i $(POT) -d $(CATALOGS) -l $(NEW) --no-wrap
