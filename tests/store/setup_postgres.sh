#!/bin/sh
# A throwaway PostgreSQL server for the store tests.
#
#   setup_postgres.sh install          install the Debian postgresql package if missing
#   setup_postgres.sh start DIR PORT   initdb a cluster in DIR/data (DIR must exist and be
#                                      empty) and start it on 127.0.0.1:PORT and a socket
#                                      in DIR; superuser "narrascope", trust auth on loopback
#   setup_postgres.sh stop DIR         stop that server
#
# Exit status 3 from "install" means PostgreSQL cannot be installed here (no apt, no
# root); the tests are then skipped with that reason. initdb and postgres refuse to run
# as root, so as root they run as the "postgres" system user.
set -eu

bindir() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"; return 0
    fi
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"
        else
            cmd=""
            for a in "$@"; do cmd="$cmd '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"; done
            su postgres -s /bin/sh -c "$cmd"
        fi
    else
        "$@"
    fi
}

case "${1:-}" in
install)
    if bindir >/dev/null; then exit 0; fi
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"
        else echo "PostgreSQL is not installed and installing it needs root" >&2; exit 3; fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "PostgreSQL is not installed and there is no apt-get to install it" >&2; exit 3
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null; }; then
        echo "apt-get could not install postgresql" >&2; exit 3
    fi
    bindir >/dev/null || { echo "postgresql installed but no initdb found" >&2; exit 3; }
    ;;
start)
    dir=$2; port=$3
    bin=$(bindir) || { echo "no PostgreSQL binaries; run '$0 install'" >&2; exit 3; }
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$dir"
    fi
    cd "$dir"  # the server's user may not be allowed into the caller's directory
    as_owner "$bin/initdb" -D "$dir/data" -U narrascope -A trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts="$opts -c max_connections=40 -c shared_buffers=32MB"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    ;;
stop)
    dir=$2
    bin=$(bindir)
    cd "$dir"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
*)
    echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2
    ;;
esac
