#!/usr/bin/env bash
# Make sure PostgreSQL 15's server binaries (initdb, pg_ctl, postgres) with uuid-ossp, pg_cron
# (a Supabase extension Debian ships; the shadow preloads it) and pgbouncer (the tests put it in
# front of the cluster in transaction mode) are on this machine. `toolkit local` runs its own
# cluster with them. Debian/Ubuntu packages. (Debian 12 has no pgvector package: the shadow
# stands in for vector as for Supabase's other image-only extensions.)
set -euo pipefail
bindir=/usr/lib/postgresql/15/bin
packages=()
if ! { [ -x "$bindir/initdb" ] && [ -f /usr/share/postgresql/15/extension/uuid-ossp.control ]; }; then
  packages+=(postgresql-15)
fi
if [ ! -f /usr/share/postgresql/15/extension/pg_cron.control ]; then
  packages+=(postgresql-15-cron)
fi
if [ "${1:-}" = "--with-pgbouncer" ] && ! command -v pgbouncer >/dev/null 2>&1 \
   && [ ! -x /usr/sbin/pgbouncer ]; then
  packages+=(pgbouncer)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${packages[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "run as root or install postgresql-15 yourself" >&2; exit 2; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
