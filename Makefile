# 绩效 Jixiao — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= county
SEED ?= 1
# Test processes (pytest-xdist): 2 for the CI machine's two cores; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

.PHONY: run test install install-test migrate demo serve lint openapi bench clean-db

# A failed pip self-upgrade (an offline mirror without a newer pip) is not fatal: the leading '-'.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	-$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput -v 0

## make run: install into .venv, migrate SQLite, build the demo region if the database is empty, serve —
## with the background-job worker (manage.py db_worker) beside the web server, stopped with it.
run: migrate
	$(PY) manage.py build_demo --scale $(SCALE) --seed $(SEED) --if-empty
	@echo ""
	@echo "  绩效 Jixiao 已启动： http://$(HOST):$(PORT)/"
	@$(PY) manage.py demo_logins
	@echo ""
	@echo "  后台任务进程（db_worker）随网站一起启动、一起停止"
	JIXIAO_DEBUG=$${JIXIAO_DEBUG:-1} $(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	JIXIAO_DEBUG=$${JIXIAO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT) --noreload

## make test: the whole suite (unit, service, view, API, scoping, browser) on SQLite, or on
## PostgreSQL when DATABASE_URL points at one.
test: install-test
	$(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check jixiao tests $(wildcard bench)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

## Regenerate the committed OpenAPI schema after changing the API.
openapi: install
	$(PY) manage.py export_openapi > docs/openapi.json

bench: install-test  
	@for f in bench/bench_*.py; do [ -e "$$f" ] || continue; $(PY) "$$f" || exit 1; done

clean-db:
	rm -f var/jixiao.sqlite3 var/jixiao.sqlite3-wal var/jixiao.sqlite3-shm
