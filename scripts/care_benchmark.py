"""Benchmark of the care compliance view on PostgreSQL with 100,000 cadres.

    .venv/bin/python scripts/care_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dandang_care_bench .venv/bin/python scripts/care_benchmark.py

Builds a throwaway database: `manage.py demo_data --cadres 100000`, then a year of care
records at scale (a group health check per unit, individual talks, home visits and leave for
most cadres, consultations with submissions — with history rows, as every write path
leaves). Times the compliance view in-process with Django's test client, as the demo `admin`
(sees all 100,000) and as `qinghe_staff` (one county), with its query counts, then drops the
database (unless --keep). Prints the figures.
"""
import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dandang_care_bench"
USERS = ["admin", "qinghe_staff"]


def configure_environment():
    """Production-like settings (DEBUG off) without a real secret or TLS: the benchmark only
    talks to itself through the test client."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(BASE_DIR))

    import environ

    engine = environ.Env.db_url_config(os.environ["DATABASE_URL"])["ENGINE"]
    if "postgresql" not in engine:
        sys.exit(f"基准测试只在 PostgreSQL 上运行：DATABASE_URL 当前指向 {engine}。")


def _admin_connection():
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {k: v for k, v in {"host": db["HOST"], "port": db["PORT"], "user": db["USER"],
                                "password": db["PASSWORD"]}.items() if v}
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    return conn, db["NAME"]


def recreate_database(out):
    from psycopg2 import sql

    conn, name = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    out(f"已创建数据库 {name}")


def drop_database(out):
    from django.db import connections
    from psycopg2 import sql

    connections.close_all()
    conn, name = _admin_connection()
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    conn.close()
    out(f"已删除数据库 {name}")


def build_care_records(out, seed=2026):
    """A year of care at scale, written in batches with history rows."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from cadres.models import Cadre, CadreStatus, Unit
    from care.models import CareActivity, CareKind, CareParticipant, Consultation, ConsultationSubmission

    rng = random.Random(seed)
    staff = User.objects.get(username="admin")
    today = datetime.date.today()
    start = datetime.date(today.year, 1, 1)
    span = max((today - start).days, 1)

    def day():
        return start + datetime.timedelta(days=rng.randrange(span))

    by_unit = {}
    for pk, unit_id in Cadre.objects.filter(status=CadreStatus.ACTIVE).values_list("pk", "unit_id"):
        by_unit.setdefault(unit_id, []).append(pk)
    started = time.perf_counter()
    # (activity, [cadre ids]) — group activities per unit, individual ones per cadre.
    planned = []
    for unit_id, cadres in by_unit.items():
        planned.append((CareActivity(kind=CareKind.HEALTH_CHECK, date=day(), title="年度集体体检",
                                     conducted_by=staff, created_by=staff),
                        [c for c in cadres if rng.random() < 0.7]))
        for cadre in cadres:
            for kind, share in ((CareKind.TALK, 0.45), (CareKind.HOME_VISIT, 0.3), (CareKind.LEAVE, 0.35)):
                if rng.random() < share:
                    days = rng.choice((3, 5, 5, 10)) if kind == CareKind.LEAVE else None
                    planned.append((CareActivity(kind=kind, date=day(), days=days, conducted_by=staff,
                                                 created_by=staff), [cadre]))
    planned = [(a, cs) for a, cs in planned if cs]
    batch = 5000
    participants = 0
    for i in range(0, len(planned), batch):
        chunk = planned[i:i + batch]
        with transaction.atomic():
            activities = bulk_create_with_history([a for a, _ in chunk], CareActivity, default_user=staff)
            rows = [CareParticipant(activity=a, cadre_id=c, kind=a.kind, date=a.date, days=a.days or 0)
                    for a, (_, cadres) in zip(activities, chunk) for c in cadres]
            bulk_create_with_history(rows, CareParticipant, batch_size=batch, default_user=staff)
            participants += len(rows)
    units = list(Unit.objects.filter(pk__in=by_unit))
    consultations = bulk_create_with_history(
        [Consultation(unit=u, title="向组织说说心里话", held_on=day(), mode="both", created_by=staff)
         for u in units if rng.random() < 0.6], Consultation, default_user=staff)
    submissions = []
    for c in consultations:
        for cadre in rng.sample(by_unit[c.unit_id], min(3, len(by_unit[c.unit_id]))):
            answered = rng.random() < 0.7
            submissions.append(ConsultationSubmission(
                consultation=c, cadre_id=cadre, submitted_on=c.held_on, content="反映",
                answer="答复" if answered else "", answered_on=c.held_on if answered else None))
    bulk_create_with_history(submissions, ConsultationSubmission, default_user=staff)
    out(f"生成关心关爱记录：活动 {len(planned)} 项、参加干部 {participants} 人次、心里话活动 {len(consultations)} 次、"
        f"反映 {len(submissions)} 条（均含历史记录），耗时 {time.perf_counter() - started:.1f} 秒。")


def timed(client, url, runs, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return statistics.median(times), len(captured)


def main():
    parser = argparse.ArgumentParser(description="担当 关心关爱 年度任务完成情况页面的性能基准（PostgreSQL）")
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="每项计时次数，取中位数（默认 7）")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="结束后保留数据库（默认删除）")
    parser.add_argument("--reuse", action="store_true", help="沿用已有数据库，不重新生成")
    args = parser.parse_args()

    configure_environment()
    import django

    def out(line=""):
        print(line, flush=True)

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    out(f"担当 关心关爱基准  {time.strftime('%Y-%m-%d %H:%M')}  数据库 {settings.DATABASES['default']['NAME']}  "
        f"CPU {os.cpu_count()} 核")
    try:
        if not args.reuse:
            recreate_database(out)
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            try:
                call_command("demo_data", cadres=args.cadres, stdout=open(os.devnull, "w"))
            except Exception as e:  # another module's demo may not suit this size; care's own still runs
                from care.demo import build_care_demo

                out(f"注意：demo_data 中途出错（{type(e).__name__}: {e}），干部已生成，继续生成关心关爱演示数据。")
                build_care_demo()
            out(f"demo_data --cadres {args.cadres}：{time.perf_counter() - started:.1f} 秒。")
            build_care_records(out)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        from django.contrib.auth.models import User
        from django.test import Client

        from cadres.selectors import cadres_visible_to
        from care.sweeps import care_due_items

        clients = {}
        for username in USERS:
            client = Client()
            client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
            clients[username] = client
        visible = {u: cadres_visible_to(User.objects.get(username=u)).count() for u in USERS}
        out("可见干部：" + "，".join(f"{u} {n} 人" for u, n in visible.items()) + f"；预热 {args.warmup} 次后取 "
            f"{args.runs} 次中位数（Django 测试客户端，进程内，含中间件、视图与模板渲染）。")
        out()
        cases = [("年度任务完成情况（默认）", "/care/compliance/"),
                 ("  只看“谈心谈话”未完成", "/care/compliance/?only=talk"),
                 ("  乡镇 + 年轻干部", "/care/compliance/?township=on&young=on"),
                 ("  未完成干部名单第 20 页", "/care/compliance/?page=20"),
                 ("活动记录列表", "/care/"),
                 ("回访教育应回访列表", "/care/follow-ups/")]
        out(f"{'页面':<24}" + "".join(f"{u + ' 毫秒':>20}{'查询':>6}" for u in USERS))
        counts = {}
        for label, url in cases:
            row = f"{label:<24}"
            for u in USERS:
                ms, queries = timed(clients[u], url, args.runs, args.warmup)
                counts[(url, u)] = queries
                row += f"{ms:>20.1f}{queries:>6}"
            out(row)
        started = time.perf_counter()
        items = care_due_items(datetime.date(datetime.date.today().year, 11, 1))
        out(f"\ncare_due_items（第四季度，全部 {args.cadres} 名干部）：{(time.perf_counter() - started) * 1000:.0f} 毫秒，"
            f"{len(items)} 项。")
        out("查询数与干部人数无关（10 人与 200 人相同）由 tests/care/test_queries.py 检查；"
            "qinghe_staff 比 admin 多出的查询是其管辖范围和角色的读取。")
    finally:
        if not args.keep:
            drop_database(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
