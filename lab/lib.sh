# shellcheck shell=bash disable=SC2034  # sourced: variables are used by the callers
# Shared helpers for the lab scripts (sourced, not run).
# Quiet on success: commands' output goes to a log, shown only when they fail.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$LAB_DIR")
STATE_DIR=/var/lib/loomgraph-lab          # downloads, rootfs tarballs, vault password
CACHE_DIR=$STATE_DIR/cache
LOG_DIR=/var/log/loomgraph-lab
mkdir -p "$CACHE_DIR" "$LOG_DIR"

die() { echo "lab: ERROR: $*" >&2; exit 1; }
export LAB_T0=${LAB_T0:-$(date +%s)}   # progress notes show seconds since the top script started
note() { [ -n "${LAB_VERBOSE:-}" ] && echo "lab [$(( $(date +%s) - LAB_T0 ))s]: $*" >&2; return 0; }

# run LOGNAME CMD...: run quietly, print the log tail and fail on error.
run() {
  local log=$LOG_DIR/$1.log; shift
  if ! "$@" >"$log" 2>&1; then
    echo "lab: ERROR: '$*' failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}

# The Debian mirror this machine's apt already uses (deb822 first, then legacy).
debian_mirror() {
  local m
  m=$(awk '/^URIs:/{u=$2} /^Suites:/{ if ($0 ~ /[[:space:]]bookworm([[:space:]]|$)/) {print u; exit} }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null)
  [ -n "$m" ] || m=$(awk '$1=="deb" && $3=="bookworm"{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${m:-http://deb.debian.org/debian}"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
