import argparse

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from assessment.demo import build_assessment_demo
from cadres.demo import CITY, DEMO_PASSWORD, build_cadres, build_city, build_users
from cadres.models import Cadre
from care.demo import build_care_demo
from core.db import analyze
from core.scale_demo import build_scale_records
from tolerance.demo import build_tolerance_demo

# From this many cadres on (a benchmark's size, not the demo's), the records at scale are added.
SCALE_FROM = 10_000


class Command(BaseCommand):
    help = "生成演示数据：单位树、各角色演示账号、干部信息、容错政策条款和示例案件（可重复运行，不会重复生成）。"

    def add_arguments(self, parser):
        parser.add_argument("--cadres", type=int, default=300, help="干部人数（基准测试可用 100000）")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--scale-records", action=argparse.BooleanOptionalAction, default=None,
                            help=f"按干部人数成比例批量生成案件、线索、通知书、关心关爱活动和提醒（core.scale_demo；"
                                 f"默认在 {SCALE_FROM} 名干部及以上时生成）")

    def handle(self, *args, cadres, batch_size, scale_records=None, **options):
        build_city()
        logins = build_users()
        existing = Cadre.objects.count()
        if existing < cadres:
            admin = User.objects.get(username="admin")
            self.stdout.write(f"正在生成 {cadres - existing} 名干部…")
            build_cadres(cadres - existing, by=admin, batch_size=batch_size, log=self.stdout.write)
        build_tolerance_demo(city_name=CITY, daye_unit_name="龙泉县")
        build_assessment_demo()
        build_care_demo()
        if scale_records if scale_records is not None else cadres >= SCALE_FROM:
            self.stdout.write("正在按规模生成案件、线索、关心关爱活动和提醒…")
            build_scale_records(Cadre.objects.count(), log=self.stdout.write)
        analyze()  # fresh statistics for the planner after the bulk writes (core.db)
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪：干部 {Cadre.objects.count()} 人。"))
        self.stdout.write("\n演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, password, description in logins:
            self.stdout.write(f"  {username:<16} {password}  {description}")
        self.stdout.write("\n打开 http://127.0.0.1:8000 登录。")
        self.stdout.write("Celery 任务在本机即时执行。如本机有 Redis，可另开终端运行 worker 和 beat：\n"
                          "  REDIS_URL=redis://127.0.0.1:6379/0 make worker\n"
                          "  REDIS_URL=redis://127.0.0.1:6379/0 make beat\n"
                          "手动运行提醒扫描：.venv/bin/python manage.py run_sweeps\n")
