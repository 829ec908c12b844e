# segura.pam developer commands. The developer tools install into .venv from requirements-dev.txt;
# the demo and the compatibility run make their own small venvs under build/. Nothing is needed on
# the machine but Python 3.11 (and 3.12 or newer for ansible-core 2.20+), make, bash and git.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
DEMO_VENV := build/demo-venv
DEMO_STAMP := $(DEMO_VENV)/.installed
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
COLLECTIONS := $(CURDIR)/.tmp/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/segura/pam
SANITY_ROOT := build/sanity
SANITY_DIR := $(SANITY_ROOT)/ansible_collections/segura/pam
COMPAT_REPORT := build/compat/report.json
# ansible-test bootstraps pip in its venvs with a script it downloads from a host we cannot
# reach; it first looks for a cached copy here (the version is ansible-test's pinned pip).
PIP_BOOTSTRAP := $(HOME)/.ansible/test/cache/get_pip_24_2.py
PYTEST = $(BIN)/python -m pytest -p no:cacheprovider
# pytest exits 5 when a selection collects no test (e.g. a filtered run): not a failure.
NO_TESTS_OK = || test $$? -eq 5

.PHONY: venv demo test unit integration compat sanity lint docs docs-check collection-path importer build bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(STAMP)

# The demo's own small venv: ansible-core and the runtime requirements, not the dev toolchain.
$(DEMO_STAMP): requirements.txt scripts/requirements-demo.txt
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet -r scripts/requirements-demo.txt
	touch $@

## make demo: start the simulator, run the demo playbook against it, stop the simulator.
demo: $(DEMO_STAMP)
	$(DEMO_VENV)/bin/python scripts/demo.py

## make test: unit tests, integration tests against the simulator over HTTPS, docs and lint
## checks, ansible-test sanity, and the compatibility run on every supported ansible-core.
test: unit integration lint docs-check importer sanity compat

unit: venv
	$(PYTEST) tests/unit -q $(NO_TESTS_OK)

integration: venv
	$(PYTEST) tests/integration -q -n 2 $(NO_TESTS_OK)

## make compat: unit tests, plugin docs and smoke playbooks on every supported ansible-core minor,
## one nox session each (noxfile.py), venvs kept under build/compat; `make compat V=2.16` runs one.
compat: venv
	mkdir -p $(dir $(COMPAT_REPORT))
	$(BIN)/nox --report $(COMPAT_REPORT) $(if $(V),--sessions $(addprefix compat-,$(V)),--tags compat)
	$(BIN)/python tests/compat/require_a_pass.py $(COMPAT_REPORT)

sanity: venv
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_DIR)
	git ls-files -co --exclude-standard | while read -r f; do [ -f "$$f" ] && echo "$$f"; done \
		| tar -cf - -T - | tar -xf - -C $(SANITY_DIR)
	cd $(SANITY_DIR) && git init -q && git add -A
	mkdir -p $(dir $(PIP_BOOTSTRAP)) && cp tests/utils/get_pip_offline.py $(PIP_BOOTSTRAP)
	cd $(SANITY_DIR) && $(BIN)/ansible-test sanity --venv --requirements --python 3.11 --color no

## make lint: plugin docs markup, changelog fragments, ansible-lint (production profile).
lint: venv collection-path
	PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	$(BIN)/antsibull-changelog lint
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-lint --profile production roles/ extensions/ playbooks/

## make docs: write mysafe_items' element options from plugins/doc_fragments/mysafe_item.py, then
## regenerate the plugin reference in docs/reference from the plugins' own docs.
docs: venv collection-path
	$(BIN)/python scripts/generate_docs.py
	rm -rf docs/reference && mkdir -p docs/reference
	PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/antsibull-docs collection --use-current \
		--output-format simplified-rst --dest-dir docs/reference segura.pam

## make docs-check: fail when docs/reference is older than the plugins' docs.
docs-check: venv collection-path
	rm -rf build/docs && mkdir -p build/docs
	PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/antsibull-docs collection --use-current \
		--output-format simplified-rst --dest-dir build/docs segura.pam
	diff -r docs/reference build/docs || { echo "docs/reference is stale: run 'make docs'"; exit 1; }

# The work tree as the collection segura.pam, for tools that look it up by name.
collection-path:
	mkdir -p $(dir $(COLLECTION_LINK)) && ln -sfn $(CURDIR) $(COLLECTION_LINK)

## make importer: the checks Galaxy runs when the collection is uploaded, on the built tarball.
importer: build
	GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/utils/galaxy-importer.cfg PATH=$(BIN):$$PATH \
		$(BIN)/python -m galaxy_importer.main build/segura-pam-$(VERSION).tar.gz

## make build: the collection tarball (what Galaxy would get).
build: venv
	$(BIN)/ansible-galaxy collection build --force --output-path build/

## make bench: benchmarks against the simulator; prints a table, writes docs/benchmarks.*
bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf build .tmp $(VENV)
