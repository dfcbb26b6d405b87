"""Benchmark of the information-sharing API (/api/v1/) on PostgreSQL with 100,000 cadres.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dd_bench_api .venv/bin/python scripts/api_benchmark.py

Uses a database built by `manage.py demo_data --cadres 100000` (scripts/benchmark.py builds one;
default here dd_bench_api) and leaves it as it found it: the tokens, the quarterly review,
the facts and the audit rows of the timed calls are all written in one transaction that is
rolled back at the end. Calls go in-process through Django's test client with a Bearer token
(authentication, scope check, throttle, selectors, serializers, audit row and the token's
last use all included). Targets (issue 18): the cadre list page ≤ 30 ms with a number of
queries that does not depend on the page size; a page deep in the cursor as fast as the
first (≤ 1.2×); fact intake ≤ 20 ms. Exits non-zero when a target fails."""
import argparse
import base64
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bench_common import configure_environment, setup_django  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dd_bench_api"

USERS = ["admin", "city_staff", "qinghe_staff"]


def cursor_at(position: str) -> str:
    """A DRF cursor that starts after `position` (what a client holds deep in a walk)."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


CPU_MS: dict[str, float] = {}  # label → median CPU time of this process per call


def timed(fn, runs: int, label: str = "") -> tuple[float, object]:
    """Median wall time per call in ms. Also keeps the median CPU time this process spent
    (under `label`): on a shared, loaded machine the wall time mostly measures waiting for a
    core at each database round trip, while the CPU time and the query count do not move."""
    for _ in range(3):
        result = fn()
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    if label:
        CPU_MS[label] = statistics.median(cpu)
    return statistics.median(samples), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # Every write of the timed calls is rolled back at the end, so the shared database may be used.
    configure_environment(DEFAULT_DATABASE_URL, may_write_shared=True)
    os.environ["API_THROTTLE_RATE"] = "100000/min"
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api.models import Scope
    from api.services import token_create
    from assessment.services import quarter_of, quarterly_review_open
    from cadres.models import Cadre, Unit
    from cadres.selectors import cadres_visible_to

    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERS)}
    if len(users) < len(USERS) or Cadre.objects.count() < 1000:
        sys.exit("基准库中没有演示数据：先运行 manage.py demo_data --cadres 100000（或 scripts/benchmark.py）。")
    rows, failures = [], []

    def round_trip():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    baseline_ms, _ = timed(round_trip, args.runs * 4)
    with transaction.atomic():
        admin = users["admin"]
        clients = {}
        for name, user in users.items():
            _, raw = token_create(by=admin, user=user, note="基准测试", scopes=list(Scope.values),
                                  expires_on=datetime.date.today() + datetime.timedelta(days=1))
            clients[name] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        total = Cadre.objects.count()
        for name in USERS:
            client, user = clients[name], users[name]
            visible = cadres_visible_to(user).order_by("name", "id")
            count = visible.count()
            deep_name = visible.values_list("name", flat=True)[count * 3 // 4]

            def page(query, client=client):
                response = client.get("/api/v1/cadres/" + query)
                assert response.status_code == 200, response.content[:300]
                return response

            first_ms, _ = timed(lambda: page("?page_size=50"), args.runs, label=name)
            deep_ms, deep = timed(lambda: page(f"?page_size=50&cursor={cursor_at(deep_name)}"), args.runs)
            assert deep.json()["results"], "深页为空"
            queries = {}
            for size in (50, 200):
                with CaptureQueriesContext(connection) as ctx:
                    page(f"?page_size={size}")
                queries[size] = len(ctx.captured_queries)
            search_ms, _ = timed(lambda: page("?q=%E7%8E%8B&page_size=50"), args.runs)  # 王
            detail_pk = visible.values_list("pk", flat=True)[count // 2]
            detail_ms, _ = timed(lambda: client.get(f"/api/v1/cadres/{detail_pk}/"), args.runs)
            rows.append((name, count, first_ms, deep_ms, queries[50], queries[200], search_ms, detail_ms))
            if first_ms > 30:
                failures.append(f"{name} 列表第 1 页 {first_ms:.1f} 毫秒 > 30")
            if deep_ms > 1.2 * first_ms:
                failures.append(f"{name} 深页 {deep_ms:.1f} 毫秒 > 第 1 页的 1.2 倍")
            if queries[50] != queries[200]:
                failures.append(f"{name} 查询数随每页条数变化：{queries[50]} / {queries[200]}")

        # Fact intake, as a county's partner pushes it: the county's review of this quarter.
        staff = users["qinghe_staff"]
        county = Unit.objects.get(name="清河县")
        year, quarter = quarter_of(datetime.date.today())
        review, _ = quarterly_review_open(department=county, year=year, quarter=quarter, by=staff)
        cadre_ids = list(cadres_visible_to(staff).filter(unit__path__startswith=county.path)
                         .values_list("pk", flat=True)[:200])
        n = iter(range(10 ** 6))

        def push():
            i = next(n)
            response = clients["qinghe_staff"].post(
                f"/api/v1/reviews/{review.pk}/facts/", content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"bench-{i}",
                data={"cadre_id": cadre_ids[i % len(cadre_ids)], "source": "audit", "summary": f"审计发现 {i}",
                      "date": datetime.date.today().isoformat(), "polarity": "negative"})
            assert response.status_code == 201, response.content[:300]
            return response

        intake_ms, _ = timed(push, args.runs, label="intake")
        with CaptureQueriesContext(connection) as ctx:
            push()
        intake_queries = len(ctx.captured_queries)
        repeat_ms, _ = timed(lambda: clients["qinghe_staff"].post(
            f"/api/v1/reviews/{review.pk}/facts/", content_type="application/json", HTTP_IDEMPOTENCY_KEY="bench-0",
            data={"cadre_id": cadre_ids[0], "source": "audit", "summary": "审计发现 0",
                  "date": datetime.date.today().isoformat(), "polarity": "negative"}), args.runs)
        if intake_ms > 20:
            failures.append(f"报送信息 {intake_ms:.1f} 毫秒 > 20")
        transaction.set_rollback(True)  # leave the benchmark database as it was

    out = print
    load = os.getloadavg()[0]
    out(f"干部总数 {total:,}；每项预热 3 次后计时 {args.runs} 次取中位数（毫秒）；"
        f"系统负载 {load:.1f}，数据库往返（SELECT 1）{baseline_ms:.2f} 毫秒")
    out("| 用户 | 可见干部 | 列表第 1 页 | 其中本进程 CPU | 深页（3/4 处） | 查询数（50 / 200 条） | 搜索“王” | 干部详情 |")
    out("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, count, first, deep, q50, q200, search, detail in rows:
        out(f"| {name} | {count:,} | {first:.1f} | {CPU_MS[name]:.1f} | {deep:.1f} | {q50} / {q200} | {search:.1f} "
            f"| {detail:.1f} |")
    out(f"报送信息（qinghe_staff，含幂等记录和审计）：{intake_ms:.1f} 毫秒（本进程 CPU {CPU_MS['intake']:.1f}），"
        f"{intake_queries} 次查询；"
        f"同一幂等键重复提交：{repeat_ms:.1f} 毫秒")
    if failures:
        out("未达标：" + "；".join(failures))
        sys.exit(1)
    out("全部目标达标。")


if __name__ == "__main__":
    main()
