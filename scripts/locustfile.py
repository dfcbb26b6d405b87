"""Load test of a department at work (issue #16): city and county staff with 1.5–4.5 s of
think time over a realistic mix of pages. Run it with `make loadtest` (scripts/loadtest.sh
starts gunicorn with production settings on the benchmark database and runs this headless).

The production settings mark cookies Secure and redirect plain http to https; behind the
reverse proxy the app sees `X-Forwarded-Proto: https`, so each request says so and carries
its session cookie itself (an http client will not send a Secure cookie over http).
LOADTEST_THINK=0 drops the think time: the throughput run."""
import os
import random
import re

from locust import HttpUser, between, constant, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "Dandang@2026")  # cadres.demo.DEMO_PASSWORD
THINK = os.environ.get("LOADTEST_THINK", "1") != "0"
SURNAMES = "王李张刘陈杨赵黄周吴"


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

    @task(6)
    def cadre_list(self):
        self.get(f"/cadres/?page={random.randint(1, 20)}", "干部列表")

    @task(4)
    def search(self):
        self.get(f"/cadres/?q={random.choice(SURNAMES)}", "干部搜索")

    @task(6)
    def detail(self):
        self.get(f"/cadres/{random.choice(self.cadres)}/", "干部详情")

    @task(4)
    def workbench(self):
        self.get("/", "工作台")

    @task(2)
    def cases(self):
        self.get("/tolerance/", "容错纠错案件列表")

    @task(2)
    def allegations(self):
        self.get("/allegations/", "问题线索列表")

    @task(1)
    def shortlist(self):
        if self.units:
            self.get(f"/assessment/shortlist/?unit={self.units[0]}&target_rank=正科级", "提拔人选研判")

    @task(2)
    def inbox(self):
        self.get("/inbox/", "消息")


class CityStaff(Staff):
    username = "city_staff"
    weight = 1


class CountyStaff(Staff):
    username = "qinghe_staff"
    weight = 3
