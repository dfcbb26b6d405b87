#!/usr/bin/env bash
# Load test (issue #16): gunicorn with production settings (config/gunicorn.conf.py,
# persistent connections) on the benchmark database, 50 locust sessions for 60 s, then the
# same without think time for the throughput. Figures go to bench-results/loadtest-*.csv;
# the load average is printed because the machine may be shared.
#   make loadtest  [LOADTEST_DATABASE_URL=… LOADTEST_USERS=50 LOADTEST_TIME=60s LOADTEST_PORT=8109]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LOADTEST_PORT:-8109}
USERS=${LOADTEST_USERS:-50}
TIME=${LOADTEST_TIME:-60s}
export DATABASE_URL=${LOADTEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dandang_bench}
export DEBUG=false SECRET_KEY=${SECRET_KEY:-loadtest-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
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
  LOADTEST_THINK=$think .venv/bin/locust -f scripts/locustfile.py --headless -u "$USERS" -r 10 -t "$TIME" \
    --host "http://127.0.0.1:$PORT" --csv "bench-results/loadtest-$label" --only-summary 2>&1 | tail -25
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
