"""Benchmark of the leaders' dashboard (/dashboard/) on PostgreSQL with 100,000 cadres and a
year of records behind its figures.

    .venv/bin/python scripts/dashboard_benchmark.py            # builds dd_bench_dash, drops it after
    .venv/bin/python scripts/dashboard_benchmark.py --keep     # keep it; then --reuse to time again
    .venv/bin/python scripts/dashboard_benchmark.py --reuse-cadres --keep   # demo_data already loaded: add the records

Targets (issue #17): the whole-city dashboard ≤ 300 ms, a county's ≤ 150 ms, each within a
bounded number of queries (QUERY_BUDGET). Exits 1 when any is missed. The load average is
printed beside the figures: the machine is shared.

The shared `dandang_bench` database is never touched. This script builds its own database:
`manage.py demo_data --cadres 100000`, then two years (last year and this) of what the
dashboard counts, written in bulk (no history rows: the dashboard never reads history):
tolerance cases with their cadres, determinations (some superseded after a re-review) and
rulings; allegations with their subjects, conclusions and clarification notices; priority
records; concerns; follow-up visits. Times the dashboard in-process with Django's test client
as the demo `city_staff` (the whole city) and `qinghe_staff` (one county), with query counts, and
the year-end report's builder for the whole city.
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
sys.path.insert(0, str(BASE_DIR))

from scripts.care_benchmark import drop_database, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dd_bench_dash"
# The city organization department's clerk (the whole city) and a county's: the demo `admin`
# must pass the second factor first (an administrator's login), which a benchmark cannot.
USERS = ["city_staff", "qinghe_staff"]
# Median milliseconds of the default dashboard (this year) per user: the whole city, one county.
TARGET_MS = {"city_staff": 300, "qinghe_staff": 150}
# Session, user, roles, units, the form's choices and one aggregate per record kind.
QUERY_BUDGET = 25


def configure_environment():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "benchmark-only-field-encryption-key")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import environ

    engine = environ.Env.db_url_config(os.environ["DATABASE_URL"])["ENGINE"]
    if "postgresql" not in engine:
        sys.exit(f"基准测试只在 PostgreSQL 上运行：DATABASE_URL 当前指向 {engine}。")
    if environ.Env.db_url_config(os.environ["DATABASE_URL"])["NAME"] == "dandang_bench":
        sys.exit("不得改写共用的 dandang_bench 数据库：请使用自己的数据库名。")


def build_records(out, seed=2026, per_year_cases=3000, per_year_allegations=5000, per_year_concerns=20000):
    """Two years of dashboard records, in bulk."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from assessment.catalogs import PRIORITY_SITUATIONS
    from assessment.models import PriorityRecord
    from cadres.models import Cadre, FollowUpVisit, Sanction
    from care.models import Concern, ConcernCategory, ConcernStatus
    from tolerance.models import (
        Allegation,
        AllegationStatus,
        CaseCadre,
        ClarificationNotice,
        Conclusion,
        Determination,
        FalseAccusationReferral,
        Outcome,
        PolicyDocument,
        ReferralStatus,
        ReformFiling,
        ReReview,
        Ruling,
        Stage,
        ToleranceCase,
    )

    rng = random.Random(seed)
    admin = User.objects.get(username="admin")
    today = datetime.date.today()
    cadres = list(Cadre.objects.values_list("pk", "unit_id"))
    policy = PolicyDocument.objects.order_by("id").first()
    started = time.perf_counter()

    def day(year):
        last = today if year == today.year else datetime.date(year, 12, 31)
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=rng.randrange(max((last - start).days, 1)))

    with transaction.atomic():
        for year in (today.year - 1, today.year):
            # Reform filings (事前备案): a few hundred a year; about one case in ten cites one.
            filings = ReformFiling.objects.bulk_create([ReformFiling(
                unit_id=rng.choice(cadres)[1], title="改革事项", description="内容", legality_review="合法",
                risk_assessment="可控", filed_on=day(year), filed_by=admin) for _ in range(300)], batch_size=2000)
            picks = [rng.choice(cadres) for _ in range(per_year_cases)]
            filed = [day(year) for _ in picks]
            cases = ToleranceCase.objects.bulk_create([ToleranceCase(
                title="问责事项", unit_id=unit_id, matter="事实", error_date=d, accountability_body="纪委监委",
                origin="accountability", policy=policy, stage=Stage.CLOSED if rng.random() < 0.7 else Stage.INVESTIGATION,
                stage_owner=admin, stage_deadline=d + datetime.timedelta(days=30), created_by=admin,
                reform_filing=rng.choice(filings) if rng.random() < 0.1 else None)
                for (_, unit_id), d in zip(picks, filed)], batch_size=2000)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {ToleranceCase._meta.db_table} SET created_at = %s WHERE id = %s",
                                   [(datetime.datetime.combine(d, datetime.time(9), tzinfo=datetime.UTC), c.pk)
                                    for c, d in zip(cases, filed)])
            case_cadres = CaseCadre.objects.bulk_create(
                [CaseCadre(case=c, cadre_id=cadre_id) for c, (cadre_id, _) in zip(cases, picks)], batch_size=2000)
            decided = [(c, cc, d) for c, cc, d in zip(cases, case_cadres, filed) if c.stage == Stage.CLOSED]
            dets, rulings = [], []
            for c, cc, d in decided:
                superseded = rng.random() < 0.05
                decided_on = min(d + datetime.timedelta(days=rng.randrange(20, 90)), today)
                if superseded:
                    dets.append((Determination(case=c, decision_number="认", decided_on=decided_on, deciding_body="党委",
                                               reasons="理由", recorded_by=admin, status="superseded"), cc))
                    decided_on = min(decided_on + datetime.timedelta(days=40), today)
                dets.append((Determination(case=c, decision_number="认", decided_on=decided_on, deciding_body="党委",
                                           reasons="理由", recorded_by=admin, status="current"), cc))
            made = Determination.objects.bulk_create([d for d, _ in dets], batch_size=2000)
            outcomes = list(Outcome.values)
            for det, (_, cc) in zip(made, dets):
                outcome = rng.choice(outcomes)
                rulings.append(Ruling(determination=det, case_cadre=cc, outcome=outcome,
                                      should_have_been_tolerated=outcome == Outcome.NOT_TOLERATED and rng.random() < 0.2))
            Ruling.objects.bulk_create(rulings, batch_size=2000)
            ReReview.objects.bulk_create([ReReview(case=c, case_cadre=cc, requested_on=d, grounds="理由",
                                                   recorded_by=admin)
                                          for c, cc, d in decided if rng.random() < 0.05], batch_size=2000)

            picks = [rng.choice(cadres) for _ in range(per_year_allegations)]
            allegations = []
            for _ in picks:
                received = day(year)
                status = rng.choice([AllegationStatus.CONCLUDED] * 3 + [AllegationStatus.CLOSED,
                                                                          AllegationStatus.VERIFYING])
                ended = min(received + datetime.timedelta(days=rng.randrange(10, 60)), today)
                allegations.append(Allegation(
                    source="信访", received_on=received, issue="问题", issue_key="问题", summary="摘要", status=status,
                    deadline=received + datetime.timedelta(days=30),
                    conclusion=rng.choice(Conclusion.values) if status == AllegationStatus.CONCLUDED else "",
                    concluded_on=ended if status != AllegationStatus.VERIFYING else None, created_by=admin))
            allegations = Allegation.objects.bulk_create(allegations, batch_size=2000)
            Allegation.subjects.through.objects.bulk_create(
                [Allegation.subjects.through(allegation_id=a.pk, cadre_id=cadre_id)
                 for a, (cadre_id, _) in zip(allegations, picks)], batch_size=5000)
            notices = [ClarificationNotice(
                allegation=a, cadre_id=cadre_id, form="notice", scope="本单位", issuing_body="纪委", year=year,
                serial=i + 1, alleged="问题", finding="失实", issued_on=a.concluded_on, created_by=admin,
                publishable=rng.random() < 0.6)
                for i, (a, (cadre_id, _)) in enumerate(zip(allegations, picks)) if a.conclusion == Conclusion.FALSE]
            ClarificationNotice.objects.bulk_create(notices, batch_size=2000)
            FalseAccusationReferral.objects.bulk_create([FalseAccusationReferral(
                allegation=a, status=ReferralStatus.REFERRED if rng.random() < 0.8 else ReferralStatus.PENDING,
                referred_to="纪委监委", referred_on=a.concluded_on) for a in allegations
                if a.conclusion == Conclusion.FRAMED], batch_size=2000)

            PriorityRecord.objects.bulk_create([PriorityRecord(
                cadre_id=rng.choice(cadres)[0], situation=rng.choice(PRIORITY_SITUATIONS)[0], facts="事实",
                recorded_on=day(year), recorded_by=admin) for _ in range(2000)], batch_size=2000)
            concerns = []
            for _ in range(per_year_concerns):
                raised = day(year)
                deadline = raised + datetime.timedelta(days=15)
                answered = raised + datetime.timedelta(days=rng.randrange(1, 25)) if rng.random() < 0.8 else None
                answered = answered if answered and answered <= today else None
                concerns.append(Concern(
                    cadre_id=rng.choice(cadres)[0], category=rng.choice(ConcernCategory.values), content="诉求",
                    raised_on=raised, responder="责任单位", deadline=deadline,
                    status=ConcernStatus.ANSWERED if answered else ConcernStatus.OPEN, answer="答复" if answered else "",
                    answered_on=answered, created_by=admin))
            Concern.objects.bulk_create(concerns, batch_size=5000)
        sanctions = list(Sanction.objects.values_list("pk", flat=True)[:3000])
        FollowUpVisit.objects.bulk_create([FollowUpVisit(sanction_id=s, date=day(rng.choice([today.year - 1,
                                                                                               today.year])),
                                                         visited_by="组织部") for s in sanctions * 2], batch_size=5000)
    out(f"生成两年统计记录：每年容错案件 {per_year_cases} 件、问题线索 {per_year_allegations} 条、诉求 {per_year_concerns} 条、"
        f"优先情形 2000 条，回访 {2 * len(sanctions)} 次；耗时 {time.perf_counter() - started:.1f} 秒。")


def load_average() -> str:
    return "，".join(f"{x:.2f}" for x in os.getloadavg())


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
    parser = argparse.ArgumentParser(description="担当 领导驾驶舱性能基准（PostgreSQL）")
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="结束后保留数据库（默认删除）")
    parser.add_argument("--reuse", action="store_true", help="沿用已有数据库，不重新生成")
    parser.add_argument("--reuse-cadres", action="store_true",
                        help="数据库已有 demo_data 的干部：只补充统计记录")
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
    out(f"担当 领导驾驶舱基准  {time.strftime('%Y-%m-%d %H:%M')}  数据库 {settings.DATABASES['default']['NAME']}  "
        f"CPU {os.cpu_count()} 核")
    misses = []
    try:
        if args.reuse_cadres:
            build_records(out)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        elif not args.reuse:
            recreate_database(out)
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            with open(os.devnull, "w") as devnull:
                call_command("demo_data", cadres=args.cadres, stdout=devnull)
            out(f"demo_data --cadres {args.cadres}：{time.perf_counter() - started:.1f} 秒。")
            build_records(out)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        from django.contrib.auth.models import User
        from django.test import Client
        from django.utils import timezone

        from cadres.models import Unit
        from dashboard.report import build_report
        from dashboard.selectors import default_unit

        clients, units = {}, {}
        for username in USERS:
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[username], units[username] = client, default_unit(user)
        year = datetime.date.today().year
        out("统计范围：" + "，".join(f"{u} {units[u].name}" for u in USERS) + f"；预热 {args.warmup} 次后取 "
            f"{args.runs} 次中位数（Django 测试客户端，进程内，含中间件、视图与模板渲染）。")
        out()
        cases = [("驾驶舱（本年，默认单位）", "/dashboard/"),
                 ("驾驶舱（上年第四季度）", f"/dashboard/?year={year - 1}&quarter=4"),
                 ("案件清单（下钻：本年立案）", f"/tolerance/?event=filed&since={year}-01-01&until={year}-12-31")]
        out(f"开始计时时负载（1/5/15 分钟）：{load_average()}")
        out(f"{'页面':<28}" + "".join(f"{u + ' 毫秒':>20}{'查询':>6}" for u in USERS))
        for label, url in cases:
            row = f"{label:<28}"
            for u in USERS:
                ms, queries = timed(clients[u], url, args.runs, args.warmup)
                row += f"{ms:>20.1f}{queries:>6}"
                if url == "/dashboard/" and ms > TARGET_MS[u]:
                    misses.append(f"{u} 驾驶舱 {ms:.1f} 毫秒，目标 ≤ {TARGET_MS[u]} 毫秒")
                if url.startswith("/dashboard/") and queries > QUERY_BUDGET:
                    misses.append(f"{u} {label} {queries} 次查询，上限 {QUERY_BUDGET} 次")
            out(row)
        out(f"计时结束时负载（1/5/15 分钟）：{load_average()}")
        clerk = User.objects.get(username="city_staff")
        city = Unit.objects.filter(depth=1).order_by("path").first()
        started = time.perf_counter()
        report = build_report(user=clerk, unit=city, year=year, today=timezone.localdate())
        out(f"\n全市年度统计表（{len(report.tables[-1].rows)} 个下级单位各一列）：{time.perf_counter() - started:.2f} 秒。")
    finally:
        if not args.keep:
            drop_database(out)
    if misses:
        out("\n未达标：\n" + "\n".join(f"  - {m}" for m in misses))
        return 1
    out(f"\n达标：全市驾驶舱 ≤ {TARGET_MS['city_staff']} 毫秒，县（区）驾驶舱 ≤ {TARGET_MS['qinghe_staff']} 毫秒，"
        f"查询次数 ≤ {QUERY_BUDGET}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
