#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the ledger's tests (TOOLCHAIN.md "Server side").
#   scripts/pg-test.sh start DIR   initdb in DIR/data, start on a Unix socket in DIR (no TCP),
#                                  write the connection URI to DIR/url; restarts a stale one
#   scripts/pg-test.sh stop DIR    stop it and remove DIR
#   scripts/pg-test.sh restart DIR stop and start the same data directory (fast shutdown)
# As root (CI) the server runs as the `postgres` user (PostgreSQL refuses to run as root);
# otherwise as the current user. Fails loudly when PostgreSQL 15 is not installed
# (scripts/setup.sh installs postgresql-15). initdb runs with --no-sync (a throwaway cluster:
# its template files need no fsync; seconds on a loaded machine); the server itself keeps fsync=on.
set -euo pipefail
cmd=${1:?usage: pg-test.sh start|stop|restart DIR}
dir=${2:?usage: pg-test.sh start|stop|restart DIR}
BIN=/usr/lib/postgresql/15/bin
PORT=${KELISIM_PG_PORT:-54329}
[ -x "$BIN/pg_ctl" ] || { echo "pg-test: $BIN/pg_ctl not found: apt-get install postgresql-15 (scripts/setup.sh)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
}
start() {
  as_pg "$BIN/pg_ctl" -D "$dir/data" -o "-k $dir -p $PORT -c listen_addresses='' -c fsync=on" -l "$dir/log" -w start >/dev/null
}

case "$cmd" in
  start)
    stop; rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    start
    echo "postgresql:///postgres?host=$dir&port=$PORT&user=postgres" > "$dir/url"
    [ "$(id -u)" -eq 0 ] && chmod a+r "$dir/url"
    echo "pg-test: PostgreSQL 15 on $dir (port $PORT, Unix socket only)" ;;
  restart) stop; start ;;
  stop) stop; rm -rf "$dir" ;;
  *) echo "pg-test: unknown command $cmd" >&2; exit 2 ;;
esac
