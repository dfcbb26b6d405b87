"""The load test's verdict (issue #16), run by scripts/loadtest.sh after the two locust runs:
p95 ≤ 250 ms, p99 ≤ 500 ms and no error for 50 sessions with think time; without think time,
a throughput of at least 0.7 × the machine's limit, which is the cores divided by the mean
in-process time of the same mix (scripts/loadtest_mix.py), timed here in the same run on the
same database as production serves a page (scripts/bench_common.as_in_production).

    scripts/loadtest_check.py THINK.json NOTHINK.json     exit status 1 when a target fails"""
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.bench_common import as_in_production, configure_environment, load_average, logged_in_client, setup_django  # noqa: E402
from scripts.loadtest_mix import MIX, STAFF  # noqa: E402

P95_MS, P99_MS, THROUGHPUT_SHARE = 250, 500, 0.7
SAMPLES = 12  # per page and user, after two to warm up


def session_of(username):
    """A logged-in client with what a locust session learns when it starts."""
    get = as_in_production(logged_in_client(username).get)
    listing = get("/cadres/").content.decode()
    shortlist = get("/assessment/shortlist/").content.decode()
    select = re.search(r'<select name="unit".*?</select>', shortlist, re.S)
    return get, SimpleNamespace(cadres=re.findall(r'href="/cadres/(\d+)/"', listing) or ["1"],
                                units=re.findall(r'<option value="(\d+)"', select.group(0)) if select else [])


def mix_mean_ms() -> float:
    """The mean in-process time of one request of the mix, weighted as locust picks them."""
    total = weights = 0.0
    for username, user_weight in STAFF:
        get, session = session_of(username)
        for weight, name, url in MIX:
            if url(session) is None:
                continue
            times = []
            for sample in range(SAMPLES + 2):
                address = url(session)
                started = time.perf_counter()
                response = get(address)
                if response.status_code != 200:
                    sys.exit(f"{username} 访问 {address} 返回 {response.status_code}")
                if sample >= 2:
                    times.append((time.perf_counter() - started) * 1000)
            mean = statistics.fmean(times)
            print(f"  进程内 {username:<13} {name:<10} 平均 {mean:7.1f} 毫秒")
            total += user_weight * weight * mean
            weights += user_weight * weight
    return total / weights


def main():
    think, nothink = (json.loads(Path(p).read_text()) for p in sys.argv[1:3])
    configure_environment(os.environ["DATABASE_URL"], may_write_shared=True)
    setup_django()
    mean = mix_mean_ms()
    cores = os.cpu_count()
    limit = cores / (mean / 1000)
    checks = [
        (f"有思考时间 p95 {think['p95']:.0f} 毫秒 ≤ {P95_MS}", think["p95"] <= P95_MS),
        (f"有思考时间 p99 {think['p99']:.0f} 毫秒 ≤ {P99_MS}", think["p99"] <= P99_MS),
        (f"错误 {think['failures'] + nothink['failures']} = 0（两轮共 {think['requests'] + nothink['requests']} 次请求）",
         think["failures"] + nothink["failures"] == 0),
        (f"无思考时间吞吐 {nothink['per_second']:.1f} 次/秒 ≥ {THROUGHPUT_SHARE} × 极限 {limit:.1f} 次/秒"
         f"（{cores} 核 ÷ 进程内平均 {mean:.1f} 毫秒），即 {nothink['per_second'] / limit:.2f} 倍",
         nothink["per_second"] >= THROUGHPUT_SHARE * limit),
    ]
    print(f"有思考时间：{think['requests']} 次，中位 {think['p50']:.0f}、p95 {think['p95']:.0f}、p99 {think['p99']:.0f} 毫秒；"
          f"无思考时间：{nothink['requests']} 次，{nothink['per_second']:.1f} 次/秒，p95 {nothink['p95']:.0f} 毫秒")
    for text, ok in checks:
        print(f"  {'达标' if ok else '未达标'}  {text}")
    print(f"负载 {load_average()}")
    sys.exit(0 if all(ok for _, ok in checks) else 1)


if __name__ == "__main__":
    main()
