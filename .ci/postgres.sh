# A throwaway PostgreSQL server for tests/sql_engines.rs, sourced by .ci/run (bash).
#
#   start_postgres   installs Debian's server when no pg_ctl/initdb is found, initialises a
#                    cluster in a fresh temp dir, starts it on a Unix socket only (no TCP) and
#                    exports PGHOST, PGPORT, PGUSER and PGDATABASE for psql.
#   stop_postgres    stops it and removes the dir; safe to call twice, or after a failed start.
#
# Root cannot run postgres, so the server runs as the `postgres` user that Debian's package
# creates (created here when the binaries came some other way). Local connections are trusted:
# the socket sits in a 0700 directory that only postgres and root can enter.

PIPELINT_PG_DIR=""
PIPELINT_PG_BIN=""

# The directory holding pg_ctl and initdb: where PATH finds them (/usr/local/bin on some
# machines), else Debian's /usr/lib/postgresql/<version>/bin, newest version first.
pg_bindir() {
  local found dir
  found="$(command -v pg_ctl 2>/dev/null || true)"
  for dir in ${found:+"$(dirname "$found")"} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

start_postgres() {
  if ! PIPELINT_PG_BIN="$(pg_bindir)"; then
    apt-get update
    apt-get install -y --no-install-recommends postgresql
    PIPELINT_PG_BIN="$(pg_bindir)" || {
      echo "postgres: no pg_ctl/initdb found after installing postgresql" >&2
      return 1
    }
  fi
  if ! command -v psql >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends postgresql-client
  fi
  if ! id -u postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  PIPELINT_PG_DIR="$(mktemp -d /tmp/pipelint-pg.XXXXXX)"
  mkdir "$PIPELINT_PG_DIR/data" "$PIPELINT_PG_DIR/socket"
  chown -R postgres: "$PIPELINT_PG_DIR"
  # C.UTF-8: UTF-8 text, byte-order sorting, and lower()/upper() that know non-ASCII letters
  # (the C locale only folds ASCII), as the engine's case-insensitive matching does.
  runuser -u postgres -- "$PIPELINT_PG_BIN/initdb" -D "$PIPELINT_PG_DIR/data" -U postgres \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PIPELINT_PG_DIR/initdb.log" 2>&1 || {
    cat "$PIPELINT_PG_DIR/initdb.log" >&2
    return 1
  }
  runuser -u postgres -- "$PIPELINT_PG_BIN/pg_ctl" -D "$PIPELINT_PG_DIR/data" \
    -l "$PIPELINT_PG_DIR/server.log" \
    -o "-k $PIPELINT_PG_DIR/socket -c listen_addresses='' -p 5432" -w start >/dev/null || {
    cat "$PIPELINT_PG_DIR/server.log" >&2
    return 1
  }
  export PGHOST="$PIPELINT_PG_DIR/socket" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
  psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE pipelint' >/dev/null
  export PGDATABASE=pipelint
  psql -X -q -A -t -c 'SELECT version()'
}

stop_postgres() {
  if [ -n "$PIPELINT_PG_DIR" ] && [ -d "$PIPELINT_PG_DIR/data" ]; then
    runuser -u postgres -- "$PIPELINT_PG_BIN/pg_ctl" -D "$PIPELINT_PG_DIR/data" -m fast -w stop \
      >/dev/null 2>&1 || true
    rm -rf "$PIPELINT_PG_DIR"
  fi
  PIPELINT_PG_DIR=""
}
