#!/usr/bin/env python3
"""Example partner client for the 担当 information-sharing API (/api/v1/).

A partner body (纪检、监察、审计、信访、巡察) pushes a fact it decided into the quarterly
collection (《张家口市激励干部担当干事的规定》第十四条) and reads it back in the quarterly review.

    export DANDANG_API_TOKEN=dd_xxxxxxxx_...   # issued by the security administrator (scopes:
                                               # read:cadres, read:reviews, write:facts)
    python scripts/api_client_example.py --base-url https://dandang.example.gov.cn \
        --cadre 123 --source audit --summary "审计发现：专项资金拨付滞后" --key 审计-2026-017

Only `requests` is needed. The Idempotency-Key should be the partner's own reference for the
fact (its case or document number): sending the same fact again, after a timeout say, then
returns the first answer and records nothing twice."""
import argparse
import datetime
import os
import sys
import uuid

import requests


class ApiError(Exception):
    pass


class DandangClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 10, session=None):
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.http = session or requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self.timeout = timeout

    def _check(self, response):
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                raise ApiError(f"HTTP {response.status_code}") from None
            fields = "；".join(f"{k}：{'，'.join(v)}" for k, v in body.get("errors", {}).items())
            raise ApiError(f"HTTP {response.status_code} {body.get('detail', '')}{'（' + fields + '）' if fields else ''}")
        return response.json()

    def get(self, path_or_url: str, **params):
        url = path_or_url if path_or_url.startswith("http") else self.base + path_or_url
        return self._check(self.http.get(url, params=params or None, timeout=self.timeout))

    def walk(self, path: str, **params):
        """Every row of a list, following the cursor links."""
        page = self.get(path, **params)
        while True:
            yield from page["results"]
            if not page["next"]:
                return
            page = self.get(page["next"])

    def push_fact(self, *, review_id: int, cadre_id: int, source: str, date: datetime.date, summary: str,
                  polarity: str = "neutral", key: str):
        response = self.http.post(self.base + f"reviews/{review_id}/facts/", timeout=self.timeout,
                                  headers={"Idempotency-Key": key},
                                  json={"cadre_id": cadre_id, "source": source, "date": date.isoformat(),
                                        "summary": summary, "polarity": polarity})
        return self._check(response), response.headers.get("Idempotent-Replayed") == "true"


def current_review(client: DandangClient, cadre: dict, on: datetime.date) -> dict:
    """The review of the quarter containing `on` whose department's jurisdiction holds the cadre
    (the deepest such department, e.g. the county rather than the city)."""
    quarter = (on.month - 1) // 3 + 1
    reviews = list(client.walk("reviews/", year=on.year, quarter=quarter))
    if not reviews:
        raise ApiError(f"{on.year}年第{quarter}季度没有可报送的季度分析研判（或令牌无权查看）。")
    units = {u["id"]: u for u in client.walk("units/")}
    unit_path = units.get(cadre["unit"]["id"], {}).get("path", "")
    mine = [r for r in reviews if unit_path.startswith(units.get(r["department"]["id"], {}).get("path", "\0"))]
    if not mine:
        raise ApiError("该干部不在任何可报送的季度分析研判范围内。")
    return max(mine, key=lambda r: len(units[r["department"]["id"]]["path"]))


def main(argv=None, *, session=None) -> int:
    parser = argparse.ArgumentParser(description="报送一条季度分析研判信息并读回")
    parser.add_argument("--base-url", default=os.environ.get("DANDANG_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("DANDANG_API_TOKEN", ""))
    parser.add_argument("--cadre", type=int, required=True, help="干部编号")
    parser.add_argument("--review", type=int, help="季度分析研判编号（默认按日期和干部所在单位查找）")
    parser.add_argument("--source", default="audit",
                        choices=["discipline", "audit", "petition", "inspection", "frontline", "other"])
    parser.add_argument("--polarity", default="neutral", choices=["positive", "neutral", "negative"])
    parser.add_argument("--date", type=datetime.date.fromisoformat, default=datetime.date.today())
    parser.add_argument("--summary", required=True)
    parser.add_argument("--key", default="", help="幂等键（建议用本单位的文号或案号）；默认随机生成")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("请用 --token 或环境变量 DANDANG_API_TOKEN 提供接口令牌")
    client = DandangClient(args.base_url, args.token, session=session)
    try:
        cadre = client.get(f"cadres/{args.cadre}/")
        review = client.get(f"reviews/{args.review}/") if args.review else current_review(client, cadre, args.date)
        fact, replayed = client.push_fact(review_id=review["id"], cadre_id=cadre["id"], source=args.source,
                                          date=args.date, summary=args.summary, polarity=args.polarity,
                                          key=args.key or str(uuid.uuid4()))
        print(f"{'已报送过（返回首次结果）' if replayed else '已报送'}：第 {fact['id']} 条，{cadre['name']}，{fact['summary']}")
        found = [f for f in client.walk(f"reviews/{review['id']}/facts/") if f["id"] == fact["id"]]
        if not found:
            raise ApiError("在季度分析研判中没有读回刚报送的信息。")
        print(f"已在{review['department']['name']}{review['year']}年第{review['quarter']}季度分析研判中读回："
              f"{found[0]['source_label']}，{found[0]['polarity_label']}，{found[0]['date']}")
    except (ApiError, requests.RequestException) as e:
        print(f"失败：{e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
