#!/bin/sh
# CI only: applies the kiosk-app layer, as rpi-image-gen would, to plain Debian bookworm arm64 with
# Debian's bdebstrap under qemu-user-static. Usage (as root): ci-rootfs.sh OUTDIR
# Result: OUTDIR/kiosk-ci/rootfs, OUTDIR/kiosk-ci/manifest, the wheels in OUTDIR/wheels-aarch64.
# The .deb files of the last build are kept in KIOSK_IMAGE_CACHE (default: .cache/image in this
# checkout, so two checkouts building at once never share one); wheels come through pip's own cache.
# tests/image/test_rootfs_arm64.py runs this and checks the result; image-build/README.md says more.
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
cache="${KIOSK_IMAGE_CACHE:-$repo/.cache/image}"
mkdir -p "$cache"

if [ "$(id -u)" != 0 ]; then echo "ci-rootfs: needs root (mmdebstrap --mode=root)" >&2; exit 77; fi
if ! arch-test arm64 >/dev/null 2>&1; then
    echo "ci-rootfs: this machine cannot run arm64 programs (binfmt_misc + qemu-aarch64: see .ci/run)" >&2
    exit 77
fi

PYTHON="${PYTHON:-python3}" "$here/scripts/fetch-wheels.sh" "$out/wheels-aarch64"

# rpi-image-gen applies a layer's rootfs overlay in a pre-config of its own, before the layer's
# hooks (lib/common.sh synth_layer_pre); this is that pre-config.
cat > "$out/kiosk-app.pre.yaml" <<PRE
mmdebstrap:
  customize-hooks:
    - rsync -a --exclude='.keep' --exclude='.empty' "$here/layer/kiosk-app.rootfs-overlay/" "\$1/"
PRE

exec bdebstrap \
    -c "$here/ci/debian-bookworm-arm64.yaml" -c "$out/kiosk-app.pre.yaml" -c "$here/layer/kiosk-app.yaml" \
    --env "IGconf_kiosk_repo=$repo" --env "IGconf_kiosk_wheeldir=$out/wheels-aarch64" \
    --env "KIOSK_APT_CACHE=$cache/debs-arm64" \
    --name kiosk-ci --output-base-dir "$out" --force
