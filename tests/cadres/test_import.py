import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cadres.excel import HEADERS, import_rows, preview_import
from cadres.models import Cadre
from core.errors import DomainError
from tests.conftest import client_for
from tests.factories import make_id_number


def workbook(rows, headers=HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "cadres.xlsx"
    return buffer


def row(name="王一", id_number=None, unit="城关镇", birth="1988-05-06", rank="副科级", **overrides):
    values = dict(zip(HEADERS, [name, "男", birth, "汉族", "", "", id_number or make_id_number(500), "中共党员", "",
                                "", "大学本科", unit, "副镇长", rank, "2022.03", "", "优秀年轻干部，后备干部"]))
    values.update(overrides)
    return [values[h] for h in HEADERS]


def test_a_good_file_imports_every_row_with_posting_tags_and_history(world):
    file = workbook([row("王一", make_id_number(501)), row("李二", make_id_number(502), unit="清河县/城关镇")])
    preview = preview_import(file, user=world.users["staff_a"])
    assert [r.errors for r in preview.rows] == [[], []]
    summary = import_rows(preview, by=world.users["staff_a"])
    assert summary == {"created": 2, "failed": [], "skipped": 0}
    cadre = Cadre.objects.get(name="李二")
    assert cadre.unit == world.township_a
    assert cadre.postings.get().start_date.isoformat() == "2022-03-01"
    assert set(cadre.tags.values_list("name", flat=True)) == {"优秀年轻干部", "后备干部"}
    # creation, then the tags (m2m changes are recorded too): all by the importing user
    assert set(cadre.history.values_list("history_user", flat=True)) == {world.users["staff_a"].pk}


def test_bad_rows_are_listed_with_their_row_numbers_and_reasons(world):
    file = workbook([
        row("好人", make_id_number(503)),
        row("", make_id_number(504)),
        row("坏日期", make_id_number(505), birth="1988-02-30"),
        row("坏号码", "130702198803120012"),
        row("外单位", make_id_number(506), unit="青山区"),
        row("坏职级", make_id_number(507), rank="正部级"),
    ])
    preview = preview_import(file, user=world.users["staff_a"])
    errors = {r.number: " ".join(r.errors) for r in preview.bad}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "“姓名”不能为空" in errors[3]
    assert "“出生日期”不是有效日期" in errors[4]
    assert "校验位" in errors[5]
    assert "不在您的管辖范围内" in errors[6]
    assert "“职级”的值“正部级”无效" in errors[7]
    summary = import_rows(preview, by=world.users["staff_a"])
    assert summary["created"] == 1 and summary["skipped"] == 5
    assert list(Cadre.objects.filter(name__in=["坏日期", "坏号码", "外单位", "坏职级"])) == []


def test_duplicate_id_numbers_in_the_file_and_in_the_registry_are_refused(world):
    dup = make_id_number(508)
    file = workbook([row("甲", dup), row("乙", dup), row("丙", world.cadre_b.id_number)])
    preview = preview_import(file, user=world.users["staff_a"])
    errors = {r.number: " ".join(r.errors) for r in preview.bad}
    assert errors == {3: "身份证号与第 2 行重复", 4: "身份证号已存在于干部库中"}


def test_wrong_headers_name_the_expected_ones(world):
    file = workbook([row()], headers=["姓名", "性别", "生日"] + HEADERS[3:])
    with pytest.raises(DomainError) as error:
        preview_import(file, user=world.users["staff_a"])
    assert "缺少：出生日期" in error.value.message
    assert "无法识别：生日" in error.value.message
    assert "应为：姓名、性别、出生日期" in error.value.message


def test_a_file_that_is_not_excel_is_refused(world):
    with pytest.raises(DomainError, match="不是有效的 Excel"):
        preview_import(io.BytesIO("姓名,性别\n张三,男".encode()), user=world.users["staff_a"])


def test_the_browser_flow_previews_then_imports_only_on_confirmation(client, world):
    client_for(client, world.users["staff_a"])
    upload = SimpleUploadedFile("c.xlsx", workbook([row("预览人", make_id_number(509)), row("", "x")]).getvalue())
    response = client.post(reverse("cadres:import"), {"file": upload})
    assert response.status_code == 200
    assert "第 3 行" in response.content.decode()
    assert not Cadre.objects.filter(name="预览人").exists()  # the preview writes nothing
    token = response.context["token"]
    response = client.post(reverse("cadres:import_confirm", args=[token]), follow=True)
    assert "新增 1 人" in response.content.decode()
    assert Cadre.objects.filter(name="预览人").exists()
    # the token is spent: a replay imports nothing twice
    assert client.post(reverse("cadres:import_confirm", args=[token])).status_code == 404


def test_another_users_import_token_is_not_usable(client, world):
    client_for(client, world.users["staff_a"])
    upload = SimpleUploadedFile("c.xlsx", workbook([row("别人的", make_id_number(510))]).getvalue())
    token = client.post(reverse("cadres:import"), {"file": upload}).context["token"]
    client.logout()
    client_for(client, world.users["staff_b"])
    assert client.post(reverse("cadres:import_confirm", args=[token])).status_code == 404
    assert not Cadre.objects.filter(name="别人的").exists()


def test_the_template_has_the_expected_headers(client, world):
    client_for(client, world.users["staff_a"])
    content = client.get(reverse("cadres:import_template")).content
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == HEADERS
