"""Benchmark of the promotion shortlist (issue 5): the whole city as the demo `admin` and one
county as `qinghe_staff`, on the configured database. Build the data first, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dandang_bench manage.py demo_data --cadres 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dandang_bench manage.py bench_shortlist

Target (issue #16): one page of the whole city's shortlist (counts, kept until their data
change, and the first 50 rows with their reasons) under 150 ms for 100,000 cadres on
PostgreSQL; exits non-zero when missed. The first view after a write (counted afresh) and
the whole list with every reason (what the export job writes) are timed too."""
import statistics
import time

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.selectors import promotion_shortlist, shortlist_query
from cadres.demo import CITY
from cadres.models import Cadre, Rank, Unit
from core.db import kept_forget

TARGET_SECONDS = 0.15


class Command(BaseCommand):
    help = "提拔人选研判名单的性能基准（全市、一个县），目标：10 万干部时一页 150 ms 以内。"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--target", default=Rank.ZHENG_KE, choices=[Rank.FU_KE, Rank.ZHENG_KE, Rank.FU_CHU])

    def handle(self, *args, repeat, target, **options):
        try:
            city = Unit.objects.get(name=CITY, depth=1)
            county = Unit.objects.get(name="清河县", depth=2)
        except Unit.DoesNotExist:
            raise CommandError("请先运行 manage.py demo_data 生成演示数据。") from None
        self.stdout.write(f"数据库：{connection.vendor}，干部 {Cadre.objects.count()} 人，拟任职级 {target}")
        failed = False
        for username, unit in [("admin", city), ("qinghe_staff", county)]:
            # The counts are kept until their data change (Shortlist.counts): timed as a
            # repeated view (the target) and as the first view after a write.
            times, fresh, queries = [], [], 0
            for _ in range(repeat):
                for kept, timed in ((False, fresh), (True, times)):
                    if not kept:
                        kept_forget()
                    user = User.objects.get(username=username)  # nothing cached on the user
                    with CaptureQueriesContext(connection) as ctx:
                        start = time.perf_counter()
                        query = shortlist_query(user=user, unit=unit, target_rank=target)
                        counts = query.counts()
                        page = query.rows(query.page_values("", 0, 50))
                        timed.append(time.perf_counter() - start)
                    queries = len(ctx.captured_queries)
            start = time.perf_counter()
            rows = promotion_shortlist(user=user, unit=unit, target_rank=target)
            export = time.perf_counter() - start
            median = statistics.median(times)
            ok = median < TARGET_SECONDS
            failed |= not ok
            self.stdout.write(
                f"{username:<13} {unit.name}：候选 {counts['total']} 人（可提名 {counts['eligible']}，"
                f"其中有优先情形 {counts['priority']}），一页 {len(page)} 行，查询 {queries} 次，"
                f"中位 {median * 1000:.0f} ms（最慢 {max(times) * 1000:.0f} ms；数据改动后第一次 "
                f"{statistics.median(fresh) * 1000:.0f} ms）；"
                f"整份名单连同原因（导出所写）{len(rows)} 行 {export * 1000:.0f} ms "
                f"{'✓' if ok else '✗ 超过 150 ms'}")
        if failed:
            raise CommandError("未达到目标：一页名单超过 150 ms。")
