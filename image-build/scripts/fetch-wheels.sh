#!/bin/sh
# The wheels the appliance's venv is built from, for aarch64 / CPython 3.11 (bookworm), fetched on
# any host without emulation. Usage: fetch-wheels.sh OUTDIR
#
# What goes in: the runtime dependencies of pyproject.toml at the exact versions of requirements.lock
# (the lock also pins the developer tools; those stay out), plus the project's own wheel.
# pyscard is left out: PyPI has no Linux wheel for it, so the image takes Debian's python3-pyscard
# through `venv --system-site-packages` (image-facts.md §3.3).
# OUTDIR/requirements.txt lists what the image installs. OUTDIR is emptied of wheels first (a wheel
# of an older lock must not slip in); pip's own download cache makes a second run cheap.
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$1"
python="${PYTHON:-python3}"
mkdir -p "$out"
rm -f "$out"/*.whl

"$python" - "$repo" > "$out/requirements.in" <<'PY'
import sys, tomllib
from pathlib import Path
repo = Path(sys.argv[1])
deps = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"]
for dep in deps:
    if not dep.lower().startswith("pyscard"):
        print(dep)
PY

# --isolated: this host's pip config (extra indexes, find-links, constraints) must not decide
# what the image gets; only PyPI (or PIP_INDEX_URL when given) and the lock do.
"$python" -m pip --isolated download --quiet --disable-pip-version-check \
    ${PIP_INDEX_URL:+--index-url "$PIP_INDEX_URL"} \
    --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
    --platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux_2_28_aarch64 \
    --platform manylinux_2_34_aarch64 --platform linux_aarch64 \
    -c "$repo/requirements.lock" -r "$out/requirements.in" -d "$out"

# pip itself, at the lock's version: the image's pip runs from this wheel and is not installed.
pip_pin="$(grep -E '^pip==' "$repo/requirements.lock")"
"$python" -m pip --isolated download --quiet --disable-pip-version-check --no-deps \
    ${PIP_INDEX_URL:+--index-url "$PIP_INDEX_URL"} --only-binary=:all: "$pip_pin" -d "$out"

# Every wheel fetched must be pinned in the lock: name==version lines for the image's pip.
"$python" - "$repo/requirements.lock" "$out" > "$out/requirements.txt" <<'PY'
import re, sys
from pathlib import Path
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
lock = {}
for line in Path(sys.argv[1]).read_text().splitlines():
    if "==" in line and not line.startswith("#"):
        name, version = line.split("==")
        lock[norm(name)] = version.strip()
missing = []
for wheel in sorted(Path(sys.argv[2]).glob("*.whl")):
    name, version = wheel.name.split("-")[:2]
    if norm(name) in ("lobby-kiosk", "pip"):  # the project goes in on its own; pip is only run
        continue
    if lock.get(norm(name)) != version:
        missing.append(f"{wheel.name} (lock: {lock.get(norm(name))})")
        continue
    print(f"{norm(name)}=={version}")
if missing:
    sys.exit("not pinned in requirements.lock: " + ", ".join(missing))
PY

# The project itself: a pure-Python wheel (it is the code under test), built from a copy of the
# working tree: setuptools leaves build/ behind and would reuse stale files from it.
src="$(mktemp -d)"
trap 'rm -rf "$src"' EXIT
cp -r "$repo/pyproject.toml" "$repo/kiosk" "$repo/drivers" "$src/"
find "$src" -name __pycache__ -prune -exec rm -rf {} +
"$python" -m pip --isolated wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    -w "$out" "$src"
