"""Benchmark of the leaders' dashboard (/dashboard/) on PostgreSQL with 100,000 cadres and a
year of records behind its figures.

    .venv/bin/python scripts/dashboard_benchmark.py            # builds dd_bench_dash, drops it after
    .venv/bin/python scripts/dashboard_benchmark.py --keep     # keep it; then --reuse to time again
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dandang_bench \
        .venv/bin/python scripts/dashboard_benchmark.py --reuse --keep   # time on the shared one

The shared `dandang_bench` database (built by scripts/benchmark.py with the same demo_data)
is only ever read, with --reuse. Otherwise this script builds its own database
with `manage.py demo_data --cadres 100000 --scale-records`: two years (last year and this) of
what the dashboard counts, written in bulk by core.scale_demo (set-up shared with the other
benchmarks in scripts/bench_common.py): tolerance cases with their cadres, determinations
(some superseded after a re-review) and rulings; allegations with their subjects, conclusions
and clarification notices; priority records; concerns; follow-up visits. Times the dashboard in-process with Django's test client
as the demo `city_staff` (the whole city) and `qinghe_staff` (one county), with query counts, and
the year-end report's builder for the whole city.
"""
import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench_common import (  # noqa: E402
    as_in_production,
    build_demo,
    configure_environment,
    drop_database,
    load_average,
    logged_in_client,
    recreate_database,
    setup_django,
    timed,
    vacuum_analyze,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dd_bench_dash"
# The city organization department's clerk (the whole city) and a county's: the demo `admin`
# must pass the second factor first (an administrator's login), which a benchmark cannot.
USERS = ["city_staff", "qinghe_staff"]
# Median milliseconds of the default dashboard (this year) per user: the whole city, one county.
TARGET_MS = {"city_staff": 300, "qinghe_staff": 150}
# Session, user, roles, units, the form's choices and one aggregate per record kind.
QUERY_BUDGET = 25


def main():
    parser = argparse.ArgumentParser(description="担当 领导驾驶舱性能基准（PostgreSQL）")
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="结束后保留数据库（默认删除）")
    parser.add_argument("--reuse", action="store_true", help="沿用已有数据库，不重新生成")
    args = parser.parse_args()

    configure_environment(DEFAULT_DATABASE_URL, may_write_shared=args.reuse and args.keep)

    def out(line=""):
        print(line, flush=True)

    setup_django()
    from django.conf import settings

    out(f"担当 领导驾驶舱基准  {time.strftime('%Y-%m-%d %H:%M')}  数据库 {settings.DATABASES['default']['NAME']}  "
        f"CPU {os.cpu_count()} 核")
    try:
        if not args.reuse:
            recreate_database(out)
            seconds = build_demo(args.cadres, out)
            out(f"demo_data --cadres {args.cadres} --scale-records（两年的案件、线索、通知书、诉求等，core.scale_demo）："
                f"{seconds:.1f} 秒。")
            vacuum_analyze(out)
        from django.contrib.auth.models import User
        from django.utils import timezone

        from cadres.models import Unit
        from core.db import kept_forget
        from dashboard.report import build_report
        from dashboard.selectors import default_unit

        clients = {u: as_in_production(logged_in_client(u).get) for u in USERS}

        def uncached(get):
            def request(url):
                kept_forget()  # as after a write: the counts are taken afresh
                return get(url)
            return request

        cold = {u: uncached(clients[u]) for u in USERS}
        admin_get = as_in_production(logged_in_client("admin").get)
        units = {u: default_unit(User.objects.get(username=u)) for u in USERS}
        year = datetime.date.today().year
        out("统计范围：" + "，".join(f"{u} {units[u].name}" for u in USERS) + f"；预热 {args.warmup} 次后取 "
            f"{args.runs} 次中位数（Django 测试客户端，进程内，含中间件、视图与模板渲染）。")
        out()
        # The dashboard twice: counted afresh (as after any write: the cache dropped before each
        # request) and from the day's cache (dashboard.selectors.kept_for); the target applies to the cached.
        cases = [("驾驶舱（本年，重新统计）", "/dashboard/", cold),
                 ("驾驶舱（本年，当日缓存）", "/dashboard/", clients),
                 ("驾驶舱（上年第四季度，重新统计）", f"/dashboard/?year={year - 1}&quarter=4", cold),
                 ("案件清单（下钻：本年立案）", f"/tolerance/?event=filed&since={year}-01-01&until={year}-12-31", clients)]
        out(f"{'页面':<28}" + "".join(f"{u + ' 毫秒':>20}{'查询':>6}" for u in USERS))
        failures = []
        for label, url, gets in cases:
            row = f"{label:<28}"
            for u in USERS:
                ms, queries = timed(gets[u], url, args.runs, args.warmup)
                row += f"{ms:>20.1f}{queries:>6}"
                if gets is clients and url == "/dashboard/" and (ms > TARGET_MS[u] or queries > QUERY_BUDGET):
                    failures.append(f"{u} 驾驶舱 {ms:.1f} 毫秒 / {queries} 次查询"
                                    f"（目标 ≤ {TARGET_MS[u]} 毫秒、≤ {QUERY_BUDGET} 次）")
            out(row)
        admin_ms, admin_queries = timed(admin_get, "/admin/cadres/cadre/", args.runs, args.warmup)
        out(f"{'后台 /admin/cadres/cadre/ 第1页（对照）':<28}{admin_ms:>20.1f}{admin_queries:>6}")
        admin = User.objects.get(username="admin")
        city = Unit.objects.filter(depth=1).order_by("path").first()
        started = time.perf_counter()
        report = build_report(user=admin, unit=city, year=year, today=timezone.localdate())
        out(f"\n全市年度统计表（{len(report.tables[-1].rows)} 个下级单位各一列）：{time.perf_counter() - started:.2f} 秒。")
        out(f"系统负载：{load_average()}")
        for failure in failures:
            out(f"FAIL  {failure}")
    finally:
        if not args.keep:
            drop_database(out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
