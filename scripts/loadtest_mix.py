"""The page mix of the load test (issue #16), shared by the locust sessions
(scripts/locustfile.py) and the in-process timing that gives the machine's limit
(scripts/loadtest_check.py). Kept free of locust, whose import patches sockets and threads.

Each page is (weight, name, url of a session): a session knows `cadres` (ids on its first
list page) and `units` (the units its shortlist form offers); a url of None skips the page."""
import random

SURNAMES = "王李张刘陈杨赵黄周吴"

# Who logs in, and how many sessions of each per one of the first (one city, three counties).
STAFF = [("city_staff", 1), ("qinghe_staff", 3)]

MIX = [
    (6, "干部列表", lambda s: f"/cadres/?page={random.randint(1, 20)}"),
    (4, "干部搜索", lambda s: f"/cadres/?q={random.choice(SURNAMES)}"),
    (6, "干部详情", lambda s: f"/cadres/{random.choice(s.cadres)}/"),
    (4, "工作台", lambda s: "/"),
    (2, "容错纠错案件列表", lambda s: "/tolerance/"),
    (2, "问题线索列表", lambda s: "/allegations/"),
    (1, "提拔人选研判", lambda s: f"/assessment/shortlist/?unit={s.units[0]}&target_rank=正科级" if s.units else None),
    (2, "消息", lambda s: "/inbox/"),
]
MIX_NAMES = {name for _, name, _ in MIX}
