"""Load test of a department at work (issue #16): city and county staff with 1.5–4.5 s of
think time over a realistic mix of pages. Run it with `make loadtest` (scripts/loadtest.sh
starts gunicorn with production settings on the benchmark database and runs this headless).

The production settings mark cookies Secure and redirect plain http to https; behind the
reverse proxy the app sees `X-Forwarded-Proto: https`, so each request says so and carries
its session cookie itself (an http client will not send a Secure cookie over http).
LOADTEST_THINK=0 drops the think time: the throughput run."""
import json
import os
import re
import sys
import time
from pathlib import Path

from locust import HttpUser, between, constant, events

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtest_mix import MIX, MIX_NAMES, STAFF  # noqa: E402

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "Dandang@2026")  # cadres.demo.DEMO_PASSWORD
THINK = os.environ.get("LOADTEST_THINK", "1") != "0"
RESULT = os.environ.get("LOADTEST_RESULT", "")  # where the mix's figures go (JSON)


class Staff(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1.5, 4.5) if THINK else constant(0)

    def on_start(self):
        self.cookies = {}
        self.client.cookies.clear()
        login = self.client.get("/login/", headers=self._headers(), name="登录页")
        self._keep(login)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        origin = f"https://{self.host.split('://', 1)[1].rstrip('/')}"
        answer = self.client.post("/login/", data={"username": self.username, "password": PASSWORD,
                                                   "csrfmiddlewaretoken": token},
                                  headers={**self._headers(), "Origin": origin, "Referer": f"{origin}/login/"},
                                  allow_redirects=False, name="登录")
        self._keep(answer)
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username} 登录失败（{answer.status_code}）")
        listing = self.get("/cadres/", "干部列表")
        self.cadres = re.findall(r'href="/cadres/(\d+)/"', listing.text) or ["1"]
        shortlist = self.get("/assessment/shortlist/", "提拔人选研判（空表单）")
        select = re.search(r'<select name="unit".*?</select>', shortlist.text, re.S)
        self.units = re.findall(r'<option value="(\d+)"', select.group(0)) if select else []
        _signed_in[0] += 1

    def _headers(self):
        headers = {"X-Forwarded-Proto": "https"}
        if getattr(self, "cookies", None):
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response):
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        self.client.cookies.clear()

    def get(self, url, name):
        with self.client.get(url, headers=self._headers(), name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def page(self, name, url):
        url = url(self)
        if url is not None:
            self.get(url, name)


def _page_task(name, url):
    def task(user):
        user.page(name, url)
    task.__name__ = f"page_{name}"
    return task


Staff.tasks = {_page_task(name, url): weight for weight, name, url in MIX}


class CityStaff(Staff):
    username, weight = STAFF[0]


class CountyStaff(Staff):
    username, weight = STAFF[1]


# The figures of the mix alone, once every session has signed in: the 50 logins of the first
# seconds (a deliberately slow password hash each, 20 s of CPU in all) are not the department
# at work, where people sign in over the morning, and not what the targets are about.
_mix_times: list[float] = []
_mix_failures = 0
_mix_span = [0.0, 0.0]
_signed_in = [0]


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    global _mix_failures
    runner = _environment[0].runner if _environment else None
    if name not in MIX_NAMES or runner is None or _signed_in[0] < runner.target_user_count:
        return
    now = time.monotonic()
    _mix_span[0] = _mix_span[0] or now
    _mix_span[1] = now
    _mix_times.append(response_time)
    _mix_failures += exception is not None


_environment = []


@events.init.add_listener
def _keep_environment(environment, **kwargs):
    _environment.append(environment)


@events.quitting.add_listener
def _write_result(environment, **kwargs):
    if not RESULT or not _mix_times:
        return
    times = sorted(_mix_times)

    def percentile(p):
        return times[min(len(times) - 1, int(len(times) * p / 100))]

    seconds = max(_mix_span[1] - _mix_span[0], 1e-9)
    Path(RESULT).write_text(json.dumps({
        "requests": len(times), "failures": _mix_failures, "seconds": seconds,
        "per_second": len(times) / seconds, "p50": percentile(50), "p95": percentile(95), "p99": percentile(99),
        "mean": sum(times) / len(times)}))
