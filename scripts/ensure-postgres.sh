#!/usr/bin/env bash
# Make sure PostgreSQL 15's server binaries (initdb, pg_ctl, postgres) and uuid-ossp (contrib)
# are on this machine: `toolkit local` runs its own cluster with them. Debian/Ubuntu only.
set -euo pipefail
bindir=/usr/lib/postgresql/15/bin
if [ -x "$bindir/initdb" ] && [ -f /usr/share/postgresql/15/extension/uuid-ossp.control ]; then
  exit 0
fi
if command -v initdb >/dev/null 2>&1 && [ -f "$(pg_config --sharedir 2>/dev/null)/extension/uuid-ossp.control" ]; then
  exit 0
fi
echo "PostgreSQL 15 server binaries not found: installing postgresql-15 (Debian package)" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "run as root or install postgresql-15 yourself" >&2; exit 2; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 postgresql-contrib-15 >/dev/null \
  || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 >/dev/null
