#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 before tests or `make run`:
# starts the machine's cluster when it is down, and says exactly what is missing when
# it cannot. DATABASE_URL / TEST_DATABASE_URL pointing elsewhere skip the check.
set -euo pipefail

if [[ -n "${TEST_DATABASE_URL:-}" || -n "${DATABASE_URL:-}" ]]; then
  exit 0
fi
answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if answers; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432 and pg_ctlcluster is not installed." >&2
  echo "Install it (Debian: apt-get install postgresql) or set DATABASE_URL/TEST_DATABASE_URL." >&2
  exit 1
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
echo "PostgreSQL is down; starting cluster $version/main ..." >&2
pg_ctlcluster --skip-systemctl-redirect "$version" main start
for _ in $(seq 1 60); do
  if answers; then
    echo "PostgreSQL is up on 127.0.0.1:5432." >&2
    exit 0
  fi
  sleep 0.5
done
echo "PostgreSQL was started but does not answer on 127.0.0.1:5432; see /var/log/postgresql/." >&2
exit 1
