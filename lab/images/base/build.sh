#!/usr/bin/env bash
# Builds loomgraph-lab/bookworm-base without a registry: debootstrap a minbase
# bookworm, cache it as a tarball, `docker import` it. Idempotent.
set -euo pipefail
source "$(dirname "$0")/../../lib.sh"

IMAGE=loomgraph-lab/bookworm-base
# python3 + venv serve the LightRAG image and the stand-ins, curl the health checks.
PACKAGES=python3,python3-venv,ca-certificates,curl
TARBALL=$STATE_DIR/rootfs/bookworm-base.tar

image_exists "$IMAGE" && exit 0
note "building $IMAGE"

if [ ! -s "$TARBALL" ]; then
  command -v debootstrap >/dev/null || die "debootstrap missing (run lab/setup.sh)"
  root=$STATE_DIR/rootfs/bookworm-base.d; mkdir -p "$STATE_DIR/rootfs"
  rm -rf "$root"; mkdir -p "$root"
  note "debootstrap bookworm into $root"
  run debootstrap debootstrap --variant=minbase --include="$PACKAGES" \
    bookworm "$root" "$(debian_mirror)"
  # Keep it small: nothing here needs apt caches, docs or translations.
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
         "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
         "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
  tar --numeric-owner -C "$root" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$root"
fi

run docker-import docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  "$TARBALL" "$IMAGE"
