#!/usr/bin/env bash
# Production mode, end to end on this machine: PostgreSQL (+ Redis when it answers), gunicorn, whitenoise,
# `check --deploy`, then an HTTP smoke test (login, a page, an API call) and a background job through HTTP (a roster
# import checked and written by `dangjian db_worker`); stops everything and drops the database.
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PROD_CHECK_PG:-postgres://postgres@127.0.0.1:5432}
DB=dangjian_prodcheck_$$
PORT=${PROD_CHECK_PORT:-18$((RANDOM % 900 + 100))}
VAR=$(mktemp -d)
export DATABASE_URL="$PG/$DB" DANGJIAN_VAR_DIR="$VAR" DANGJIAN_HTTPS=1 DANGJIAN_ALLOWED_HOSTS=127.0.0.1
export DANGJIAN_SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')
export DANGJIAN_LOG_JSON=1 DANGJIAN_LOG_LEVEL=INFO
# Imports above this many rows go to the workers; the job smoke test uploads 40.
export DANGJIAN_IMPORT_SYNC_MAX_ROWS=10
if .venv/bin/python -c 'import socket; socket.create_connection(("127.0.0.1", 6379), 1)' 2>/dev/null; then
  export DANGJIAN_REDIS_URL=redis://127.0.0.1:6379/9
fi
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
cleanup() {
  [ -n "${GPID:-}" ] && kill "$GPID" 2>/dev/null && wait "$GPID" 2>/dev/null || true
  [ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null && wait "$WPID" 2>/dev/null || true
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || true
  rm -rf "$VAR"
}
trap cleanup EXIT
.venv/bin/dangjian migrate --noinput -v0
.venv/bin/dangjian collectstatic --noinput -v0
.venv/bin/dangjian check --deploy --fail-level WARNING
.venv/bin/dangjian demo --size small >/dev/null
TOKEN=$(.venv/bin/dangjian token county_admin)
ORG=$(.venv/bin/dangjian shell --no-imports -c "from dangjian.accounts.models import Grant; print(Grant.objects.get(user__username='county_admin').org.code)")
BRANCH=$(.venv/bin/dangjian shell --no-imports -c "
from dangjian.accounts.models import Grant
from dangjian.orgs.models import Org
g = Grant.objects.get(user__username='county_admin')
print(Org.objects.filter(path__startswith=g.org.path, org_type='branch', direct_full__gt=0).order_by('path').first().code)")
.venv/bin/dangjian export_members --org "$BRANCH" --out "$VAR/roster.csv" >/dev/null
.venv/bin/dangjian db_worker --interval 0.5 --no-startup-delay >"$VAR/worker.log" 2>&1 &
WPID=$!
.venv/bin/gunicorn dangjian.wsgi -w 2 -b 127.0.0.1:$PORT --access-logfile - --error-logfile - >"$VAR/gunicorn.log" 2>&1 &
GPID=$!
for _ in $(seq 1 40); do
  curl -fs -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.5
done
.venv/bin/python scripts/smoke.py "http://127.0.0.1:$PORT" county_admin demo12345 "$TOKEN" "$ORG" || { cat "$VAR/gunicorn.log"; exit 1; }
kill -0 "$WPID" 2>/dev/null || { echo "db_worker 未能启动 (db_worker exited)"; cat "$VAR/worker.log"; exit 1; }
.venv/bin/python scripts/smoke_job.py "http://127.0.0.1:$PORT" county_admin demo12345 "$TOKEN" "$BRANCH" \
  "$VAR/roster.csv" 40 || { tail -50 "$VAR/worker.log"; tail -50 "$VAR/gunicorn.log"; exit 1; }
echo "生产模式检查通过 (prod-check passed): PostgreSQL, ${DANGJIAN_REDIS_URL:+Redis cache, }gunicorn, whitenoise, check --deploy, db_worker"
