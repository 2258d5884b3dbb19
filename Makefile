# `make` sets up everything and builds every edition; `make test` sets up what the
# tests need and runs them all. Both skip what is already done.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Pango for WeasyPrint, HarfBuzz to subset fonts, fontconfig and the text face (PT Serif),
# Ghostscript's CMYK ICC profile for the press, and poppler's pdftoppm, which draws the
# e-book's cover picture from the press cover. PyICU, the index's collation, builds
# against ICU's headers with pkg-config and a C++ compiler. `publish check` spells with
# hunspell and the dictionaries of every language of src/publish/languages.py.
DEBS_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-paratype \
	libgs-common poppler-utils libicu-dev pkg-config g++ \
	hunspell hunspell-be hunspell-en-us hunspell-pl hunspell-uk
# Readers of the PDFs and barcodes the tests check (poppler's come with the runtime),
# gettext's msgfmt, which judges the PO files an import refuses, OASIS's XLIFF 2.0 schema,
# which Debian ships with Symfony's translation component, and zsh, which loads the
# completion script; EPUBCheck runs on the machine's Java. Chromium is the browser DAISY
# Ace checks the EPUBs in; Calibre converts them for Kindle.
DEBS_TEST := qpdf zbar-tools chromium calibre gettext php-symfony-translation zsh
# DAISY Ace, from package-lock.json; it drives Debian's Chromium, so npm must not
# download a browser (nor Electron, for Ace's other runner).
NODE_MODULES := node_modules
NPM_ENV := PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
	ELECTRON_SKIP_BINARY_DOWNLOAD=1
SOURCES := $(shell find manuscript styles src -type f -not -name '*.pyc' 2>/dev/null)

# Where bash-completion looks for a user's completions, and a folder for zsh's $fpath.
SHARE := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)
BASH_COMPLETION := $(SHARE)/bash-completion/completions/publish
ZSH_COMPLETION := $(SHARE)/zsh/site-functions/_publish

.PHONY: all setup setup-test build test lint bench pictures clean completion
all: build completion

setup: $(VENV)/.runtime
setup-test: $(VENV)/.test $(NODE_MODULES)/.installed

$(VENV)/.runtime: pyproject.toml Makefile
	@./.ci/debs $(DEBS_RUNTIME)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime Makefile
	@./.ci/debs $(DEBS_TEST)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# `npm ci` empties node_modules/ first, so the stamp goes with it. Without npm (it
# needs Node.js 20), the Ace tests skip, and fail under CI=true.
$(NODE_MODULES)/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		$(NPM_ENV) npm ci --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the DAISY Ace tests need Node.js 20 and npm"; \
	fi

completion: $(BASH_COMPLETION) $(ZSH_COMPLETION)
$(BASH_COMPLETION) $(ZSH_COMPLETION): $(VENV)/.runtime src/publish/cli.py
	mkdir -p $(dir $@)
	$(BIN)/publish completion $(if $(filter %/_publish,$@),zsh,bash) > $@

build: build/.done
build/.done: $(VENV)/.runtime $(SOURCES)
	$(BIN)/publish build
	touch $@

lint: $(VENV)/.test
	$(BIN)/ruff check src tests
	$(BIN)/mypy

test: lint $(NODE_MODULES)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

# How the build's time grows with the book, as ratios of runs on this machine; then
# publish against Pandoc on the flagship and a book ten times its size (wall, CPU,
# peak memory), a table for the README's Speed.
bench: $(VENV)/.test
	$(BIN)/pytest -m bench tests/bench -q -s
	$(BIN)/python -m tests.bench.compare

# Rewrite the reference pictures of the PDFs' first pages after a deliberate change
# of layout; look at tests/pictures/ before committing them.
pictures: $(VENV)/.test
	$(BIN)/pytest tests/test_pictures.py --update-golden

clean:
	rm -rf build
