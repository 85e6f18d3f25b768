#!/bin/sh
# Same contract as the official image's entrypoint: start as root, give the
# data folders (bind mounts included) to uid 1000, drop privileges.
# setpriv (util-linux, always present) stands in for gosu.
set -e

# `docker run <image> --port 9622` appends flags to the default command.
if [ "${1#-}" != "$1" ]; then
  set -- python -m lightrag.api.lightrag_server "$@"
fi

if [ "$(id -u)" = 0 ]; then
  for d in /app/data "$WORKING_DIR" "$INPUT_DIR" "$PROMPT_DIR" "$TIKTOKEN_CACHE_DIR"; do
    case "$d" in ""|/|/bin|/boot|/dev|/etc|/home|/lib|/lib64|/proc|/root|/run|/sbin|/sys|/usr|/var) continue ;; esac
    [ -d "$d" ] && chown -R lightrag:lightrag "$d" 2>/dev/null || true
  done
  exec setpriv --reuid=lightrag --regid=lightrag --init-groups -- "$@"
fi
exec "$@"
