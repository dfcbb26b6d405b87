"""Benchmark of the care compliance view on PostgreSQL with 100,000 cadres.

    .venv/bin/python scripts/care_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dandang_care_bench .venv/bin/python scripts/care_benchmark.py

Builds a throwaway database with `manage.py demo_data --cadres 100000 --scale-records` (a
year of care records at scale, core.scale_demo: a group health check per unit, individual
talks, home visits and leave for most cadres, consultations with submissions; set-up shared
with the other benchmarks in scripts/bench_common.py). Times the compliance view in-process
with Django's test client as production serves it (connections as CONN_MAX_AGE says), as the
demo `admin` (sees all 100,000) and as `qinghe_staff` (one county), with its query counts,
then drops the database (unless --keep). Prints the figures and the load average.
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

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dandang_care_bench"
USERS = ["admin", "qinghe_staff"]


def main():
    parser = argparse.ArgumentParser(description="担当 关心关爱 年度任务完成情况页面的性能基准（PostgreSQL）")
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="每项计时次数，取中位数（默认 7）")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="结束后保留数据库（默认删除）")
    parser.add_argument("--reuse", action="store_true", help="沿用已有数据库，不重新生成")
    args = parser.parse_args()

    configure_environment(DEFAULT_DATABASE_URL)

    def out(line=""):
        print(line, flush=True)

    setup_django()
    from django.conf import settings

    out(f"担当 关心关爱基准  {time.strftime('%Y-%m-%d %H:%M')}  数据库 {settings.DATABASES['default']['NAME']}  "
        f"CPU {os.cpu_count()} 核")
    try:
        if not args.reuse:
            recreate_database(out)
            seconds = build_demo(args.cadres, out)
            out(f"demo_data --cadres {args.cadres}（含成比例的关心关爱记录，core.scale_demo）：{seconds:.1f} 秒。")
            vacuum_analyze(out)
        from django.contrib.auth.models import User

        from cadres.selectors import cadres_visible_to
        from care.sweeps import care_due_items

        clients = {u: as_in_production(logged_in_client(u).get) for u in USERS}
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
        out(f"系统负载：{load_average()}")
    finally:
        if not args.keep:
            drop_database(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
