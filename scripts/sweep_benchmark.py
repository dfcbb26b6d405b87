"""Benchmark of the daily reminder sweep on PostgreSQL (not a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dandang_sweep_bench .venv/bin/python scripts/sweep_benchmark.py \
        --cadres 20000 100000

For each size: builds the data (demo_data --cadres N, plus one tolerance case per 20 cadres
with stage deadlines spread around today), runs every sweep twice (the second run must add
nothing) and prints run time, query count and peak Python memory, for the whole run and for
each sweep (its reading and writing, above what was held before it). Target: the whole daily
sweep under 60 s on this 2-core machine, memory flat as the data grows.

The modules a worker imports once at start (every app's tasks, which the eager e-mail task
loads) are imported before measuring: otherwise the first run in a process counts about 8 MB
of code and Django metadata that has nothing to do with the data.
"""
import argparse
import datetime
import os
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dandang_sweep_bench"
# The reminders the sweeps write (deleted before each measurement; other notifications stay).
SWEEP_KINDS = ["case_deadline", "case_escalation", "allegation_deadline", "rereview_window", "influence_end",
               "review_opened", "review_deadline", "review_escalation", "care_obligation", "care_follow_up",
               "care_concern", "care_submission"]


def setup_django():
    from scripts.bench_common import configure_environment
    from scripts.bench_common import setup_django as setup

    # The e-mails the sweep's eager task sends (500 a run) are built but not printed: the console
    # backend's thousands of lines would bury the figures.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    configure_environment(DEFAULT_DATABASE_URL)
    setup()


def ensure_database():
    from scripts.bench_common import ensure_database as ensure

    ensure(print)


def build(cadres: int):
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from simple_history.utils import bulk_create_with_history

    from cadres.models import Cadre
    from tolerance.models import PolicyDocument, Stage, ToleranceCase

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("demo_data", cadres=cadres, verbosity=0, stdout=open(os.devnull, "w"))
    admin = User.objects.get(username="admin")
    policy = PolicyDocument.objects.order_by("id").first()
    wanted = cadres // 20
    have = ToleranceCase.objects.count()
    today = datetime.date.today()
    stages = [s for s in Stage.values if s != Stage.CLOSED]
    batch = []
    for i, (cadre_id, unit_id) in enumerate(Cadre.objects.values_list("id", "unit_id")[have:wanted]):
        batch.append(ToleranceCase(
            title=f"基准案件{have + i}", unit_id=unit_id, matter="基准", error_date=today, accountability_body="纪委",
            origin="accountability", policy=policy, stage=stages[i % len(stages)], stage_owner=admin,
            stage_deadline=today + datetime.timedelta(days=(i % 40) - 20), created_by=admin))
        if len(batch) == 2000:
            bulk_create_with_history(batch, ToleranceCase, default_user=admin)
            batch = []
    if batch:
        bulk_create_with_history(batch, ToleranceCase, default_user=admin)
    return time.monotonic() - started


def import_worker_modules():
    """What a Celery worker has imported before its first task (see the module docstring)."""
    from django.core.mail import get_connection

    from config.celery import app

    app.loader.import_default_modules()
    get_connection()


def measure():
    """Two runs of every sweep: (run, seconds, queries, whole peak MB, new reminders,
    {sweep: its own peak MB})."""
    from unittest import mock

    from django.db import connection

    from core import reminders
    from core.models import Notification

    import_worker_modules()
    Notification.objects.filter(kind__in=SWEEP_KINDS).delete()
    results = []
    for run in (1, 2):
        queries = [0]
        peaks: list[int] = []  # the whole run's peak, a segment at a time (reset per sweep)
        per_sweep: list[float] = []

        def count(execute, sql, params, many, context):
            # Counted, not kept: capturing every statement's SQL would itself grow with the data.
            queries[0] += 1
            return execute(sql, params, many, context)

        def deliver_measured(items, deliver=reminders.deliver):
            # run_sweeps delivers each sweep in turn (sorted by name): the sweep reads as it delivers.
            held, peak_before = tracemalloc.get_traced_memory()
            peaks.append(peak_before)
            tracemalloc.reset_peak()
            created = deliver(items)
            peak = tracemalloc.get_traced_memory()[1]
            peaks.append(peak)
            per_sweep.append((peak - held) / 1024 / 1024)
            return created

        tracemalloc.start()
        started = time.monotonic()
        with connection.execute_wrapper(count), mock.patch.object(reminders, "deliver", deliver_measured):
            created = reminders.run_sweeps()
        elapsed = time.monotonic() - started
        peak = max(peaks + [tracemalloc.get_traced_memory()[1]]) / 1024 / 1024
        tracemalloc.stop()
        results.append((run, elapsed, queries[0], peak, sum(created.values()), dict(zip(created, per_sweep))))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cadres", type=int, nargs="+", default=[20000, 100000])
    args = parser.parse_args()
    setup_django()
    ensure_database()
    from cadres.models import Cadre
    from tolerance.models import ToleranceCase

    lines = []
    for size in sorted(args.cadres):
        build_seconds = build(size)
        print(f"数据：干部 {Cadre.objects.count()} 人，案件 {ToleranceCase.objects.count()} 件（生成 {build_seconds:.0f} 秒）")
        for run, elapsed, queries, peak, created, per_sweep in measure():
            line = (f"干部 {size:>7}  第{run}次扫描  {elapsed:6.1f} 秒  查询 {queries:>5} 次  "
                    f"峰值内存 {peak:6.1f} MB  新提醒 {created}")
            print(line)
            print("    各扫描峰值：" + "，".join(f"{name} {mb:.2f} MB" for name, mb in per_sweep.items()))
            lines.append((size, run, elapsed, peak, created))
    worst = max(elapsed for _, _, elapsed, _, _ in lines)
    print(f"{'PASS' if worst < 60 else 'FAIL'}  每日扫描 < 60 秒（最慢 {worst:.1f} 秒）")
    repeats = [created for _, run, _, _, created in lines if run == 2]
    print(f"{'PASS' if not any(repeats) else 'FAIL'}  重复扫描不产生新提醒")
    return 0 if worst < 60 and not any(repeats) else 1


if __name__ == "__main__":
    sys.exit(main())
