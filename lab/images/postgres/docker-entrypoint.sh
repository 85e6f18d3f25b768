#!/bin/bash
# Lab stand-in for the official postgres image's entrypoint, for the subset we
# use: POSTGRES_PASSWORD[_FILE], POSTGRES_USER, POSTGRES_DB,
# POSTGRES_INITDB_ARGS, PGDATA, /docker-entrypoint-initdb.d/*.sql|*.sh.
set -Eeuo pipefail

[ "${1:0:1}" = '-' ] && set -- postgres "$@"   # `docker run img -c x=y` like upstream

if [ "$1" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  # Read a secret file now, as root: it may be root-owned 0600 on the host.
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    [ -z "${POSTGRES_PASSWORD:-}" ] || { echo "both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set" >&2; exit 1; }
    POSTGRES_PASSWORD=$(< "$POSTGRES_PASSWORD_FILE")
    export POSTGRES_PASSWORD; unset POSTGRES_PASSWORD_FILE
  fi
  mkdir -p "$PGDATA" /var/run/postgresql
  # Data restored from elsewhere may carry another uid.
  find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$0" "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "database is uninitialized and POSTGRES_PASSWORD[_FILE] is not set" >&2; exit 1; }
  # Password via a pipe: never on a command line, any byte but newline allowed.
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a word list, as upstream
  printf '%s\n' "$POSTGRES_PASSWORD" | initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin \
    --auth-local=trust --auth-host=scram-sha-256 \
    -c listen_addresses='*' -c unix_socket_directories='/var/run/postgresql,/tmp' \
    ${POSTGRES_INITDB_ARGS:-} >/dev/null
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

  # Private socket-only server for POSTGRES_DB and init scripts, as upstream does.
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=/tmp" start >/dev/null
  export PGHOST=/tmp PGUSER="$POSTGRES_USER"
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -q --dbname postgres --set db="$POSTGRES_DB" \
      <<< 'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) psql -v ON_ERROR_STOP=1 -q --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sh)
        # shellcheck source=/dev/null  # init scripts are the user's
        . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  unset PGHOST PGUSER
  echo "PostgreSQL init process complete; ready for start up."
fi

unset POSTGRES_PASSWORD
exec "$@"
