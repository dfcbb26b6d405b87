"""gunicorn settings for the production stack (native and docker-compose both start it with
`gunicorn -c config/gunicorn.conf.py config.wsgi`; command-line options such as -b override).

Pages are short database round trips, so each core gets two processes and each process a few
threads: a thread waiting on PostgreSQL leaves the core to another. Every thread keeps its own
persistent database connection (CONN_MAX_AGE), so PostgreSQL sees workers x threads
connections at most (2 cores: 4 x 4 = 16, well under the default max_connections of 100).
Long work (exports, imports, batch prints) never runs here: it is a background job, so the
timeout can stay short and a stuck request is recycled instead of holding a worker."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection from the reverse proxy stays open
# Recycle a worker after this many requests (with jitter so they do not all restart at once):
# bounds any slow growth of a process's memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
