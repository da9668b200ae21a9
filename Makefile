# Quick start: `make run` opens the app, `make test` runs every check. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
LANGS := de fr es zh_CN

.PHONY: run test lock lint typecheck pytest bench pot catalogs compile-translations package clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Every dependency comes from the lock (exact versions and hashes), so a new release upstream cannot change what
# a fresh machine or CI runs. `make lock` refreshes it; commit the result with the change that needed it.
$(VENV)/.installed: requirements/app.txt pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/app.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/test.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.installed

# Maintainers: re-resolve every dependency (all OSes, Python 3.11+) into the hashed lock files.
lock: | $(PY)
	$(PY) -m pip install --quiet uv
	for extra in app test; do \
		$(BIN)/uv pip compile pyproject.toml requirements/build.in $$( [ $$extra = test ] && echo --extra test ) \
			--universal --python-version 3.11 --generate-hashes --no-header --quiet -o requirements/$$extra.txt; done

compile-translations: | $(PY)
	@if ls translations/*/LC_MESSAGES/counterpart.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d translations -D counterpart >/dev/null; fi

run: $(VENV)/.installed compile-translations
	$(BIN)/counterpart

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app ui tests bench
	$(BIN)/ruff format --check app ui tests bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy app ui

pytest: $(VENV)/.installed-test compile-translations
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

test: lint typecheck pytest

# The bundle for this OS in dist/counterpart/ (and a tarball on Linux); see packaging/README.md.
package: $(VENV)/.installed-test compile-translations
	$(PY) packaging/make_icons.py build/icons
	$(BIN)/pyinstaller --noconfirm --log-level WARN packaging/counterpart.spec
	@version=$$($(PY) -c "import app; print(app.__version__)"); case "$$(uname)" in \
	Linux) cp packaging/linux/counterpart.desktop resources/icons/counterpart.svg dist/counterpart/ \
		&& tar -C dist -czf dist/counterpart-linux-$$(uname -m).tar.gz counterpart && echo dist/counterpart-linux-$$(uname -m).tar.gz ;; \
	Darwin) sh packaging/macos/build_dmg.sh $$version ;; \
	MINGW*|MSYS*|CYGWIN*) iscc /DAppVersion=$$version packaging/windows/counterpart.iss ;; \
	esac

bench: $(VENV)/.installed-test
	$(PY) -m bench

# Translators: refresh the template from the code, then merge it into every language's catalog.
pot: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -c Translators --no-location --sort-output \
		-o translations/counterpart.pot --project=Counterpart --copyright-holder="Counterpart" app ui

catalogs: pot
	@for lang in $(LANGS); do \
		if [ -f translations/$$lang/LC_MESSAGES/counterpart.po ]; then \
			$(BIN)/pybabel update -N -d translations -D counterpart -i translations/counterpart.pot -l $$lang; \
		else \
			$(BIN)/pybabel init -d translations -D counterpart -i translations/counterpart.pot -l $$lang; \
		fi; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
