#!/usr/bin/env bash
# Builds loomgraph-lab/lightrag:1.5.7 if missing. Wheels and the npm tiktoken
# package are cached under /var/lib/loomgraph-lab; the docker build is offline.
set -euo pipefail
source "$(dirname "$0")/../../lib.sh"

IMAGE=loomgraph-lab/lightrag:1.5.7
HERE=$LAB_DIR/images/lightrag
image_exists "$IMAGE" && exit 0
note "building $IMAGE"

# Wheels for the image's Python (bookworm: CPython 3.11), whatever the host runs.
wheels=$CACHE_DIR/lightrag-wheels
want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$wheels/.stamp" 2>/dev/null)" != "$want" ]; then
  platforms=()
  for n in 17 24 27 28 31 34 36; do platforms+=(--platform "manylinux_2_${n}_x86_64"); done
  mkdir -p "$wheels"
  # --isolated: ignore this host's pip config (local find-links, constraints).
  run pip-lightrag python3 -m pip download --isolated --quiet --cert /etc/ssl/certs/ca-certificates.crt \
    --only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 \
    "${platforms[@]}" --platform manylinux2014_x86_64 --platform linux_x86_64 \
    -d "$wheels" -r "$HERE/requirements.txt"
  echo "$want" > "$wheels/.stamp"
fi

tgz=$CACHE_DIR/tiktoken-1.0.22.tgz
if [ ! -s "$tgz" ]; then
  command -v npm >/dev/null || die "npm is needed once to fetch tiktoken@1.0.22 from the npm registry"
  (cd "$CACHE_DIR" && run npm-tiktoken npm pack --silent tiktoken@1.0.22)
fi

ctx=$STATE_DIR/build/lightrag
rm -rf "$ctx"; mkdir -p "$ctx"
cp "$HERE"/{Dockerfile,docker-entrypoint.sh,requirements.txt} "$ctx"/
cp -al "$wheels" "$ctx/wheels"            # hard links: no copy of 150 MB
python3 "$LAB_DIR/tools/tiktoken_from_npm.py" "$tgz" "$ctx/tiktoken" o200k_base cl100k_base \
  || die "tiktoken cache conversion failed"

DOCKER_BUILDKIT=0 run build-lightrag docker build --quiet -t "$IMAGE" "$ctx"
rm -rf "$ctx"
docker image prune --force --filter label=loomgraph-lab.stage=builder >/dev/null

# Prove the image works with no network at all: imports and both tokenizers.
if ! docker run --rm --network none --entrypoint python "$IMAGE" -c '
import tiktoken, asyncpg, pgvector, lightrag.api.lightrag_server
tiktoken.get_encoding("o200k_base"); tiktoken.get_encoding("cl100k_base")
tiktoken.encoding_for_model("gpt-4o-mini")' >"$LOG_DIR/check-lightrag.log" 2>&1; then
  docker image rm "$IMAGE" >/dev/null
  die "$IMAGE failed its offline check; see $LOG_DIR/check-lightrag.log"
fi
