#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on loopback only.
#   infra/scripts/postgres-test-cluster.sh start   initdb into a temp folder, start it on a free port,
#                                                  create a user (random password, may create
#                                                  databases) and a database, print
#                                                  PORTAL_TEST_POSTGRES=<Npgsql connection string>
#   infra/scripts/postgres-test-cluster.sh stop    stop the cluster and delete its folder
# Needs the Debian "postgresql" package (binaries under /usr/lib/postgresql/<version>/bin). Run as
# root (CI) it runs the server as the "postgres" OS user, since PostgreSQL refuses to run as root.
# The cluster's folder is remembered in .tmp/postgres-test-cluster of the repository.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
state_file="$repo_root/.tmp/postgres-test-cluster"

die() { echo "postgres-test-cluster: $*" >&2; exit 1; }

find_bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$dir" && -x "$dir/initdb" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install the Debian package 'postgresql'."
  echo "$dir"
}

# Runs a command as the server's OS user: "postgres" when we are root, else ourselves.
as_server_user() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  if [[ -f "$state_file" ]] && [[ -d "$(head -n 1 "$state_file")" ]]; then
    die "a cluster is already running in $(head -n 1 "$state_file"); run '$0 stop' first."
  fi
  if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root but there is no 'postgres' OS user; install the Debian package 'postgresql'."
  fi

  local bin_dir dir port password database user
  bin_dir="$(find_bin_dir)"
  dir="$(mktemp -d /tmp/portal-pg-test.XXXXXX)"
  chmod 700 "$dir"
  [[ "$(id -u)" -eq 0 ]] && chown postgres: "$dir"
  port="$(free_port)"
  password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  user="portal_test"
  database="portal_test"

  mkdir -p "$(dirname "$state_file")"
  printf '%s\n%s\n' "$dir" "$bin_dir" > "$state_file"

  # Superuser "postgres" reaches the server only through the socket in the cluster's own folder;
  # TCP on 127.0.0.1 takes passwords only.
  as_server_user "$bin_dir/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_server_user "$bin_dir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; die "the server did not start"; }

  # pg_signal_backend: tests drop their databases WITH (FORCE), which must also end an autovacuum worker that is
  # analysing a table a test just filled (without it the drop failed with 42501 now and then).
  as_server_user "$bin_dir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password';" \
    -c "GRANT pg_signal_backend TO $user;" \
    -c "CREATE DATABASE $database OWNER $user;" >/dev/null

  echo "PORTAL_TEST_POSTGRES=Host=127.0.0.1;Port=$port;Database=$database;Username=$user;Password=$password"
}

stop() {
  [[ -f "$state_file" ]] || { echo "postgres-test-cluster: no cluster recorded; nothing to stop." >&2; return 0; }
  local dir bin_dir
  dir="$(sed -n 1p "$state_file")"
  bin_dir="$(sed -n 2p "$state_file")"
  case "$dir" in
    /tmp/portal-pg-test.*) ;;
    *) die "refusing to delete '$dir': not a folder this script made." ;;
  esac
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_server_user "$bin_dir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
  fi
  rm -rf "$dir"
  rm -f "$state_file"
  echo "postgres-test-cluster: stopped and deleted $dir" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
