#!/usr/bin/env bash
# Create or reuse the virtual environment and install what is missing (Python and Debian packages).
# Usage: setup.sh PYTHON VENV "PIP PACKAGES" "DEBIAN PACKAGES"
set -euo pipefail
python=$1; venv=$2; pkgs=$3; debs=$4
stamp="$venv/.gan-studio-setup"
want="$(printf '%s\n' "$pkgs" "$debs" "$(cat pyproject.toml)" | sha256sum | cut -d' ' -f1)"

missing_debs=()
for d in $debs; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "install ok installed" || missing_debs+=("$d")
done
if [ ${#missing_debs[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing_debs[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing_debs[@]}" >/dev/null
fi

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && "$venv/bin/python" - "$pkgs" <<'PYEOF' 2>/dev/null; then
import importlib.metadata as md, sys
for spec in sys.argv[1].split() + ["gan-studio"]:
    name, _, pin = spec.partition("==")
    have = md.version(name)
    assert not pin or have.split("+")[0] == pin, (name, have, pin)
PYEOF
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  "$python" -m venv "$venv"
fi
echo "setup: installing Python packages into $venv (torch is large: a first install takes minutes)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check $pkgs
# the pinned setuptools builds it: no build environment to download, so a re-install works offline
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
echo "$want" > "$stamp"
