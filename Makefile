# GAN Studio: `make run` sets up and launches the studio, `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gan-studio-setup
PINS   := torch==2.14.1 torchvision==0.29.1
PKGS   := $(PINS) PySide6-Essentials==6.11.3 pyqtgraph numpy scikit-learn tomli-w pytest pytest-qt import-linter hypothesis optuna onnx onnxscript onnxruntime tensorboard torchmetrics tqdm
DEBS   := dataset-fashion-mnist libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0

.PHONY: setup run test bench clean-venv

setup:
	@bash .ci/setup.sh "$(PYTHON)" "$(VENV)" "$(PKGS)" "$(DEBS)"

run: setup
	@$(PY) -m studio.cli gui

test: setup
	@$(VENV)/bin/lint-imports --no-cache
	@QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests

bench: setup
	@$(PY) bench/overhead.py

clean-venv:
	rm -rf $(VENV)
