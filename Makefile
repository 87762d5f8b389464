# GAN Studio: `make run` sets up and launches the studio, `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gan-studio-setup
PINS   := torch==2.14.1 torchvision==0.29.1
# The versions tested: pyproject.toml declares the same packages (dependencies and extras) with ranges.
PKGS   := $(PINS) PySide6-Essentials==6.11.3 pyqtgraph==0.14.0 numpy==2.4.6 scipy==1.17.1 scikit-learn==1.9.1 \
          pillow==13.0.0 tomli-w==1.2.0 platformdirs==4.14.5 tqdm==4.70.1 setuptools==84.2.1 \
          optuna==5.1.0 onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0 tensorboard==2.21.0 \
          pytest==9.2.0 pytest-qt==4.5.0 pytest-xdist==3.8.0 import-linter==2.17 hypothesis==6.170.27 torchmetrics==1.9.0
DEBS   := dataset-fashion-mnist libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0

.PHONY: setup run test smoke bench clean-venv

setup:
	@bash .ci/setup.sh "$(PYTHON)" "$(VENV)" "$(PKGS)" "$(DEBS)"

run: setup
	@$(PY) -m studio.cli gui

# lint-imports, pip check, the installed package's smoke test (.ci/smoke.sh), then the suite on two
# processes (pytest-xdist; each test file's tests may land on either, so no test relies on another)
test: setup
	@$(VENV)/bin/lint-imports --no-cache
	@$(VENV)/bin/pip check --disable-pip-version-check
	@bash .ci/smoke.sh $(VENV)
	@QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests -n 2

# build the wheel, install it into a fresh venv over the set-up's packages, use it from outside
smoke: setup
	@bash .ci/smoke.sh $(VENV)

bench: setup
	@$(PY) bench/overhead.py

clean-venv:
	rm -rf $(VENV)
