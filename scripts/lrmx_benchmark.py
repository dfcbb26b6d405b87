"""Benchmark of the LRMX import and the batch print of 干部任免审批表 (issue #15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dd_bench_lrmx .venv/bin/python scripts/lrmx_benchmark.py

Creates (drops first) its own database (never dandang_bench), migrates it, writes a zip of
1,000 hand-shaped .lrmx files (each with a photo, a 简历 with a 其间 line, family members),
then times, in-process:
  1. the import of the zip (appointment.importer.import_files: parse, match by ID number,
     create each cadre with postings, family and photo, with history);
  2. the batch print of 200 of them into one PDF (appointment.batch.batch_print).
The preview pass (check without writing, the first step in the browser) is timed too, for
information. Each step reports wall time, the process's CPU time (process_time: what the code
costs, whatever else the machine runs) and the load average (1/5/15 min); memory is the growth
of the process's peak RSS. Targets (wall time, on an idle machine): import ≤ 30 s, batch print
≤ 20 s. Exits non-zero when a target fails.
"""
import argparse
import base64
import io
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dd_bench_lrmx"
IMPORT_TARGET, PRINT_TARGET = 30.0, 20.0


def configure():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "benchmark-only-field-encryption-key")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="lrmx-bench-media-"))
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import environ

    engine = environ.Env.db_url_config(os.environ["DATABASE_URL"])["ENGINE"]
    if "postgresql" not in engine:
        sys.exit("基准测试只在 PostgreSQL 上运行。")
    name = environ.Env.db_url_config(os.environ["DATABASE_URL"])["NAME"]
    if name == "dandang_bench":
        sys.exit("请使用自己的基准库（如 dd_bench_lrmx），不要改动 dandang_bench。")


def recreate_database():
    import environ
    import psycopg2
    from psycopg2 import sql

    db = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    params = {k: v for k, v in {"host": db["HOST"], "port": db["PORT"], "user": db["USER"],
                                "password": db["PASSWORD"]}.items() if v}
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db["NAME"])))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    conn.close()


def photo_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (295, 413), (200, 210, 230)).save(buffer, "JPEG", quality=85)  # a 1-inch photo at 300 dpi
    return buffer.getvalue()


def write_zip(path: Path, count: int) -> None:
    from tests.factories import make_id_number

    photo = base64.b64encode(photo_bytes()).decode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(count):
            archive.writestr(f"干部{n:04d}.lrmx", f"""<?xml version="1.0" encoding="UTF-8"?>
<Person><XingMing>测试{n:04d}</XingMing><XingBie>男</XingBie><ChuShengNianYue>198503</ChuShengNianYue>
<MinZu>汉族</MinZu><JiGuan>河北张家口</JiGuan><ChuShengDi>河北张家口</ChuShengDi><RuDangShiJian>2006.06</RuDangShiJian>
<CanJiaGongZuoShiJian>2007.07</CanJiaGongZuoShiJian><JianKangZhuangKuang>健康</JianKangZhuangKuang>
<ZhuanYeJiShuZhiWu/><ShuXiZhuanYeYouHeZhuanChang>基层治理</ShuXiZhuanYeYouHeZhuanChang>
<QuanRiZhiJiaoYu_XueLi>大学本科</QuanRiZhiJiaoYu_XueLi><QuanRiZhiJiaoYu_XueWei>文学学士</QuanRiZhiJiaoYu_XueWei>
<QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>河北大学中文系</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>
<XianRenZhiWu>基准镇副镇长</XianRenZhiWu><NiRenZhiWu>基准镇党委副书记</NiRenZhiWu><NiMianZhiWu/>
<JianLi>2003.09--2007.07  河北大学中文系学生
2007.07--2015.03  基准县某局科员
                  （其间：2010.09--2012.07在中央党校函授学院经济管理专业学习）
2015.03--         基准镇副镇长</JianLi>
<JiangChengQingKuang>2019年12月被基准县委评为优秀共产党员。</JiangChengQingKuang>
<NianDuKaoHeJieGuo>2022年度考核优秀、2023年度考核称职、2024年度考核优秀。</NianDuKaoHeJieGuo>
<RenMianLiYou>工作需要</RenMianLiYou>
<JiaTingChengYuan><Item><ChengWei>妻子</ChengWei><XingMing>李芳</XingMing><ChuShengRiQi>198607</ChuShengRiQi>
<ZhengZhiMianMao>中共党员</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>某中学教师</GongZuoDanWeiJiZhiWu></Item>
<Item><ChengWei>父亲</ChengWei><XingMing>测试父</XingMing><ChuShengRiQi>195802</ChuShengRiQi>
<ZhengZhiMianMao>群众</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>退休</GongZuoDanWeiJiZhiWu></Item></JiaTingChengYuan>
<ChengBaoDanWei>中共基准县委组织部</ChengBaoDanWei><TianBiaoRen>张干事</TianBiaoRen>
<ShenFenZheng>{make_id_number(10000 + n)}</ShenFenZheng><ZhaoPian>{photo}</ZhaoPian><Version>3.2.1.16</Version></Person>""")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, func):
    """Wall time, and the growth of the process's peak RSS (tracemalloc would slow the run)."""
    rss_before = peak_rss_mb()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = func()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{label}：{elapsed:.1f} 秒（本进程 CPU {cpu:.1f} 秒，系统负载 {load}）；进程峰值内存增长 {peak_rss_mb() - rss_before:.1f} MB"
          f"（峰值 {peak_rss_mb():.0f} MB）")
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--print", type=int, default=200, dest="forms")
    args = parser.parse_args()
    configure()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from appointment.batch import batch_print
    from appointment.importer import ImportCounts, import_files, iter_preview
    from cadres.models import Cadre, Rank, Unit, UnitKind

    city = Unit.add_root(name="基准市", kind=UnitKind.CITY)
    county = city.add_child(name="基准县", kind=UnitKind.COUNTY)
    town = county.add_child(name="基准镇", kind=UnitKind.TOWNSHIP)
    admin = User.objects.create_superuser("bench_admin", password=None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lrmx.zip"
        write_zip(path, args.files)
        print(f"{args.files} 个 .lrmx 文件（每个含照片）打包为 {path.stat().st_size / 1024 / 1024:.1f} MB 的 zip")

        def run_preview():
            with path.open("rb") as f:
                counts = ImportCounts()
                for file in iter_preview([("lrmx.zip", f)], user=admin):
                    counts.add(file)
                return counts

        counts, _ = timed(f"检查（预览，不写入）{args.files} 个文件", run_preview)
        print(f"  预览：新增 {counts.action('新增')}，有错误 {counts.action('不导入')}")

        def run_import():
            with path.open("rb") as f:
                return import_files([("lrmx.zip", f)], user=admin, unit=town, rank=Rank.FU_KE)

        result, import_seconds = timed(f"导入 {args.files} 个文件", run_import)
        outcomes = {k: sum(1 for f in result.files if f.outcome == k) for k in ("新增", "失败")}
        print(f"  结果：新增 {outcomes['新增']}，失败 {outcomes['失败']}，有错误 {len(result.bad)}")
        qs = Cadre.objects.filter(unit=town).order_by("name", "id")[:args.forms]
        qs = Cadre.objects.filter(pk__in=list(qs.values_list("pk", flat=True))).order_by("name", "id")
        out = Path(tmp) / "forms.pdf"

        def run_print():
            with out.open("wb") as f:
                return batch_print(qs, f, watermark="基准测试")

        count, print_seconds = timed(f"批量打印 {args.forms} 份任免审批表", run_print)
        print(f"  PDF：{count} 份，{out.stat().st_size / 1024 / 1024:.1f} MB")
    failed = []
    if import_seconds > IMPORT_TARGET * args.files / 1000:
        failed.append("导入")
    if print_seconds > PRINT_TARGET * args.forms / 200:
        failed.append("批量打印")
    print("目标：导入 1,000 个文件 ≤ 30 秒，批量打印 200 份 ≤ 20 秒：" + ("未达标：" + "、".join(failed) if failed else "达标"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
