#!/usr/bin/env bash
# The package as a user gets it: build the wheel, install it with its dependencies into a fresh virtual
# environment, and use it from a folder outside the checkout, with its own user folders.
#
# The fresh environment reuses the set-up's packages instead of downloading them again (torch alone is
# gigabytes): its site-packages holds a .pth line naming a folder of links to every package installed in
# the set-up's venv except GAN Studio itself, which works like --system-site-packages over that venv.
# pip installs the wheel (with the extras) with --no-index, so a dependency that pyproject.toml declares
# and the set-up does not install fails here instead of being downloaded.
# Usage: smoke.sh VENV      (run from the checkout; idempotent, leaves nothing behind)
set -euo pipefail
venv=$(cd "$1" && pwd)
repo=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gan-studio-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$SECONDS
say() { echo "smoke: $* ($((SECONDS - t0)) s)"; }

# 1. the wheel, built from a copy of the tree (no build/ or *.egg-info left in the checkout)
mkdir "$tmp/src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard \
    | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$tmp/src"
else      # not a git checkout: everything but the venvs, runs and build output
  tar --exclude=./.git --exclude='./.venv*' --exclude=./runs --exclude=./build --exclude=./dist --exclude='*.egg-info' \
      --exclude=__pycache__ -cf - . | tar -xf - -C "$tmp/src"
fi
(cd "$tmp/src" && "$venv/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps \
   --no-build-isolation -w "$tmp/dist" . >/dev/null)
wheel=$(ls "$tmp"/dist/gan_studio-*.whl)
"$venv/bin/python" - "$wheel" "$repo/presets" <<'EOF'
import sys, zipfile
from pathlib import Path
names = zipfile.ZipFile(sys.argv[1]).namelist()
presets = sorted(Path(n).stem for n in names if n.startswith("studio/presets/") and n.count("/") == 2 and n.endswith(".toml"))
lessons = [n for n in names if n.startswith("studio/presets/lessons/") and n.endswith(".toml")]
want = sorted(p.stem for p in Path(sys.argv[2]).glob("*.toml"))
print(f"smoke: {Path(sys.argv[1]).name}: {len(names)} files, {len(presets)} presets, {len(lessons)} lessons, "
      f"assets: {', '.join(sorted(Path(n).name for n in names if n.startswith('studio/assets/') and not n.endswith('.py')))}")
assert presets == want, f"the wheel's presets {presets} are not the checkout's {want}"
assert "studio/assets/gan-studio.png" in names and "studio/assets/gan-studio.desktop" in names
EOF

# 2. a fresh environment over the set-up's packages, and the wheel installed with its dependencies
"$venv/bin/python" -m venv --without-pip "$tmp/venv"
mkdir "$tmp/base"
# the set-up venv's package folders: its site-packages (and any folder a .pth file there adds)
"$venv/bin/python" -c 'import sys, sysconfig
std = {sysconfig.get_path(k) for k in ("stdlib", "platstdlib")}
print("\n".join(p for p in sys.path[1:] if p and not p.endswith(".zip") and p not in std and "lib-dynload" not in p))' \
  > "$tmp/base-folders"
while IFS= read -r folder; do
  for entry in "$folder"/*; do
    case "$(basename "$entry")" in
      gan_studio*|__editable__*gan_studio*|studio|__pycache__|*.pth) ;;   # not the checkout's editable install
      *) [ -e "$tmp/base/$(basename "$entry")" ] || ln -s "$entry" "$tmp/base/" ;;
    esac
  done
done < "$tmp/base-folders"
site=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
echo "$tmp/base" > "$site/gan-studio-setup-packages.pth"
"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "$wheel[all]"
say "pip check: $("$tmp/venv/bin/python" -m pip check --disable-pip-version-check)"

# 3. used from a folder outside the checkout, with its own user folders
mkdir -p "$tmp/home"
cd "$tmp/home"
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
unset GAN_STUDIO_RUNS GAN_STUDIO_PRESETS VIRTUAL_ENV
gan="$tmp/venv/bin/gan-studio"
where=$("$tmp/venv/bin/python" -c 'import studio; print(studio.__file__)')
case "$where" in "$tmp/venv/"*) ;; *) echo "smoke: studio imported from $where, not the installed wheel"; exit 1 ;; esac
say "$("$gan" --version), imported from the fresh venv"
n=$("$gan" presets | wc -l)
want=$(ls "$repo"/presets/*.toml | wc -l)
[ "$n" -eq "$want" ] || { echo "smoke: gan-studio presets listed $n presets, the checkout has $want"; exit 1; }
say "gan-studio presets: $n presets"
"$gan" train --preset toy-1d-shift --steps 20 --quiet
runs="$XDG_DATA_HOME/gan-studio/runs"
ckpt=$(ls "$runs"/toy-1d-shift-*/checkpoints/*.pt | tail -n 1)
say "gan-studio train --preset toy-1d-shift --steps 20: ${ckpt#$tmp/}"
"$gan" sample --checkpoint "$ckpt" -n 200 --out samples.npy >/dev/null
[ -s samples.npy ] && [ -s samples.png ] || { echo "smoke: gan-studio sample wrote nothing"; exit 1; }
say "gan-studio sample: samples.npy and samples.png"
QT_QPA_PLATFORM=offscreen "$gan" gui --preset toy-1d-shift --quit-after 1 2>"$tmp/gui.err" \
  || { cat "$tmp/gui.err"; echo "smoke: the studio's window did not open and close cleanly"; exit 1; }
say "the studio's window opened offscreen and closed with exit code 0"
[ ! -e "$tmp/home/runs" ] || { echo "smoke: a runs/ folder appeared in the working folder"; exit 1; }
say "passed in $((SECONDS - t0)) s"
