"""What the benchmark scripts share: production-like settings, their own PostgreSQL database
(created, rebuilt or dropped), the data (`demo_data --cadres N`, which adds the records at a
city's scale, core.scale_demo), and timing pages in-process as production serves them.

Not a test: the scripts print figures; speed goals live there, never in timed tests."""
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_DATABASE = "dandang_bench"


def configure_environment(default_url: str, *, may_write_shared: bool = False):
    """Production settings (config.settings, DEBUG off, CONN_MAX_AGE and CONN_HEALTH_CHECKS as
    deployed) without a real secret or TLS: the benchmarks only talk to themselves."""
    os.environ.setdefault("DATABASE_URL", default_url)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "benchmark-only-field-encryption-key")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import environ

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"基准测试只在 PostgreSQL 上运行：DATABASE_URL 当前指向 {config['ENGINE']}。"
                 f"请设置 DATABASE_URL=postgres://…（默认 {default_url}）。")
    if config["NAME"] == SHARED_DATABASE and not may_write_shared:
        sys.exit(f"不得改写共用的 {SHARED_DATABASE} 数据库：请使用自己的数据库名。")


def setup_django():
    """django.setup() plus plain static storage: the manifest storage of production needs
    collectstatic first, and its URL lookup is a dictionary lookup that times the same."""
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()


def _admin_connection():
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {k: v for k, v in {"host": db["HOST"], "port": db["PORT"], "user": db["USER"],
                                "password": db["PASSWORD"]}.items() if v}
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    return conn, db["NAME"]


def ensure_database(out, *, fresh: bool = False):
    """Create the database if missing (dropping it first with fresh=True)."""
    from psycopg2 import sql

    conn, name = _admin_connection()
    with conn.cursor() as cur:
        if fresh:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            out(f"已创建数据库 {name}")
    conn.close()


def recreate_database(out):
    ensure_database(out, fresh=True)


def drop_database(out):
    from django.db import connections
    from psycopg2 import sql

    connections.close_all()
    conn, name = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    conn.close()
    out(f"已删除数据库 {name}")


def database_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def build_demo(cadres: int, out) -> float:
    """migrate and `demo_data --cadres N --scale-records` (the records at a city's scale,
    core.scale_demo, then ANALYZE); returns the seconds it took. Data already there is kept."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        call_command("demo_data", cadres=cadres, scale_records=True, stdout=devnull)
    return time.perf_counter() - started


def vacuum_analyze(out):
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    out(f"VACUUM ANALYZE 耗时 {time.perf_counter() - started:.1f} 秒。")


def logged_in_client(username: str):
    """A test client logged in as `username`, past the second factor where it is required
    (marked verified in the session, as the code page does after a right code)."""
    from django.contrib.auth.models import User
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.second_factor import second_factor_required

    client = Client()
    user = User.objects.get(username=username)
    # Name the backend: axes' backend comes first in the list and cannot load users.
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if second_factor_required(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="基准测试", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def as_in_production(get):
    """Wrap a test client's request as Django's request handler runs it in production: the
    test client leaves database connections open across requests, production closes each one
    at the end of a request unless CONN_MAX_AGE keeps it (and with CONN_HEALTH_CHECKS checks it
    before reuse). The settings decide, as deployed: a fresh connection per request at
    CONN_MAX_AGE=0, the kept one at 600."""
    from django.db import close_old_connections

    def request(*args, **kwargs):
        close_old_connections()  # request_started
        try:
            return get(*args, **kwargs)
        finally:
            close_old_connections()  # request_finished

    return request


def timed(get, url: str, runs: int, warmup: int) -> tuple[float, int]:
    """Median milliseconds of `get(url)` over `runs` after `warmup`, and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        assert get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        get(url)
    return statistics.median(times), len(captured)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}（1/5/15 分钟，{os.cpu_count()} 核）"
