#!/usr/bin/env bash
# Load test (issue #16): gunicorn with production settings (config/gunicorn.conf.py,
# persistent connections) on the benchmark database, 50 locust sessions for 90 s, then the
# same without think time for the throughput. Figures go to bench-results/loadtest-*.csv and
# the mix's own to loadtest-*.json; scripts/loadtest_check.py then times the mix in-process
# for the machine's limit and exits non-zero when a target fails. The load average is printed
# because the machine may be shared.
#   make loadtest  [LOADTEST_DATABASE_URL=… LOADTEST_USERS=50 LOADTEST_TIME=90s LOADTEST_PORT=8109]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LOADTEST_PORT:-8109}
USERS=${LOADTEST_USERS:-50}
TIME=${LOADTEST_TIME:-90s}
export DATABASE_URL=${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dandang_bench}
export DEBUG=false SECRET_KEY=${SECRET_KEY:-loadtest-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
# The key the benchmark database's personal fields were encrypted with (scripts/bench_common.py).
export FIELD_ENCRYPTION_KEY=${FIELD_ENCRYPTION_KEY:-benchmark-only-field-encryption-key}
# 50 sessions share two accounts, where a department's 50 people would each have their own:
# the one-session-per-account rule (等保) would sign each session out at the next login.
# Every per-request session check still runs.
export SESSION_CONCURRENT_LIMIT=0
export ALLOWED_HOSTS=127.0.0.1,localhost AXES_FAILURE_LIMIT=1000
mkdir -p bench-results
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn -c config/gunicorn.conf.py -b "127.0.0.1:$PORT" --access-logfile /dev/null config.wsgi \
  >/tmp/dandang-loadtest-gunicorn.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz/" -H 'X-Forwarded-Proto: https' && break; sleep 1; done
for think in 1 0; do
  label=$([ "$think" = 1 ] && echo "think" || echo "nothink")
  echo "== $USERS sessions, think time $([ "$think" = 1 ] && echo '1.5-4.5 s' || echo 'none'), $TIME"
  LOADTEST_THINK=$think LOADTEST_RESULT="bench-results/loadtest-$label.json" .venv/bin/locust -f scripts/locustfile.py --headless -u "$USERS" -r 10 -t "$TIME" \
    --host "http://127.0.0.1:$PORT" --csv "bench-results/loadtest-$label" --only-summary 2>&1 | tail -25 || true  # the verdict below counts errors
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
kill $GUNICORN; wait $GUNICORN 2>/dev/null || true
# The mix alone (not the logins) against the targets, and the machine's limit timed in-process.
.venv/bin/python scripts/loadtest_check.py bench-results/loadtest-think.json bench-results/loadtest-nothink.json
