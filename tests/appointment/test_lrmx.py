import datetime
import io
import zipfile
from xml.etree.ElementTree import fromstring

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from appointment.form import form_data, form_queryset
from appointment.importer import import_files, preview_files
from appointment.lrmx import LrmxRefused, build_lrmx, iter_lrmx, parse_date, parse_lrmx, parse_resume
from assessment.models import AssessmentYear, CadreGrade
from cadres.models import Cadre, Commendation, FamilyMember, Posting, RecordStatus, SanctionType, UnitKind
from cadres.selectors import cadre_by_id_number, id_number_filter
from tests.appointment.lrmx_samples import jpeg_bytes, lrmx
from tests.factories import SanctionFactory, make_id_number, make_unit


def upload(name, data):
    return [(name, io.BytesIO(data))]


# ------------------------------------------------------------------ variations


@pytest.mark.parametrize("text,expected", [
    ("199001", datetime.date(1990, 1, 1)), ("1990.01", datetime.date(1990, 1, 1)),
    ("1990.1", datetime.date(1990, 1, 1)), ("1990.01.15", datetime.date(1990, 1, 15)),
    ("19900115", datetime.date(1990, 1, 15)), ("１９９０．０１", datetime.date(1990, 1, 1)),
    (" 1990-01 ", datetime.date(1990, 1, 1)), ("1990年1月", datetime.date(1990, 1, 1)),
])
def test_it_reads_every_date_form_found_in_real_files(text, expected):
    assert parse_date(text)[0] == expected


def test_it_reads_a_complete_file():
    person = parse_lrmx(lrmx(photo=jpeg_bytes()).encode())
    assert not person.errors, person.errors
    v = person.values
    assert v["name"] == "王小明" and v["sex"] == "男"
    assert v["birth_date"] == datetime.date(1985, 3, 12)  # the day from the ID number
    assert v["work_start_date"] == datetime.date(2007, 7, 1)
    assert v["fulltime_education"] == "大学本科"
    assert v["proposed_position"] == "清河县城关镇党委副书记"
    assert "professional_title" not in v  # empty element
    assert [e.text.split("\n")[0] for e in person.resume] == ["河北大学中文系学生", "清河县城关镇科员", "清河县城关镇副镇长"]
    assert person.resume[1].text.endswith("（其间：2010.09--2012.07在中央党校函授学院经济管理专业学习）")
    assert person.resume[-1].end is None
    assert person.family == [{"relation": "妻子", "name": "李芳", "birth_date": datetime.date(1986, 7, 1),
                              "political_status": "中共党员", "work_unit_post": "清河县第一中学教师"}]
    assert person.photo == jpeg_bytes()


@pytest.mark.parametrize("encode", [
    lambda s: s.encode("utf-8"),
    lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    lambda s: s.replace("UTF-8", "GB2312").encode("gb18030"),
    lambda s: s.replace("UTF-8", "GB18030").encode("gb18030"),
    lambda s: s.encode("utf-16"),
])
def test_it_reads_utf8_with_or_without_bom_and_gb18030(encode):
    person = parse_lrmx(encode(lrmx()))
    assert person.values["name"] == "王小明" and not person.errors


def test_it_trims_ascii_and_full_width_spaces():
    text = lrmx(name="\u3000 王小明 \u3000", id_number=" " + make_id_number(901).replace("1", "１") + "\u3000")
    person = parse_lrmx(text.encode())
    assert person.values["name"] == "王小明"
    assert person.values["id_number"] == make_id_number(901)


def test_it_keeps_a_resume_out_of_pattern_verbatim_with_a_warning():
    odd = "1990年至1994年在河北大学学习\n1994年参加工作"
    person = parse_lrmx(lrmx(jianli=odd).encode())
    assert person.resume is None
    assert person.values["resume_text"] == odd
    assert any("按原文保留" in w for w in person.warnings)


def test_it_reads_a_pretty_printed_resume_whose_lines_are_all_indented():
    entries, odd = parse_resume("\n    1990.09--1994.07  河北大学学生\n    1994.07--  某局科员\n  ")
    assert not odd and [e.text for e in entries] == ["河北大学学生", "某局科员"]


def test_it_reports_per_field_errors_without_refusing_the_file():
    person = parse_lrmx(lrmx(birth="某年").replace("<XingBie>男</XingBie>", "<XingBie/>").encode())
    assert "性别（XingBie）不能为空" in person.errors
    assert any(e.startswith("出生年月（ChuShengNianYue）不是有效日期") for e in person.errors)


# ------------------------------------------------------------------ hostile files

XXE = """<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Person><XingMing>&xxe;</XingMing></Person>"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Person><XingMing>&lol3;</XingMing></Person>"""
DTD = """<?xml version="1.0"?><!DOCTYPE Person SYSTEM "http://example.com/person.dtd"><Person/>"""


@pytest.mark.parametrize("text", [XXE, BOMB, DTD])
def test_it_refuses_dtds_entities_and_external_references(text):
    with pytest.raises(LrmxRefused, match="DTD"):
        parse_lrmx(text.encode())


def test_it_refuses_a_photo_that_is_not_an_image():
    with pytest.raises(LrmxRefused, match="照片"):
        parse_lrmx(lrmx(photo=b"<script>alert(1)</script>").encode())


def test_it_refuses_other_xml_and_broken_xml():
    with pytest.raises(LrmxRefused, match="根元素"):
        parse_lrmx(b"<html><body/></html>")
    with pytest.raises(LrmxRefused, match="XML"):
        parse_lrmx(b"<Person><XingMing>")


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["../evil.lrmx", "/etc/evil.lrmx", "a/../../evil.lrmx", "C:\\evil.lrmx"])
def test_it_refuses_a_zip_with_path_traversal_and_reads_none_of_it(member):
    data = _zip([("good.lrmx", lrmx().encode()), (member, lrmx().encode())])
    with pytest.raises(LrmxRefused, match="压缩包以外"):
        list(iter_lrmx("x.zip", io.BytesIO(data)))


def test_it_refuses_a_zip_bomb():
    data = _zip([("bomb.lrmx", b"\0" * (6 * 1024 * 1024))])
    assert len(data) < 100_000
    with pytest.raises(LrmxRefused, match="压缩炸弹"):
        list(iter_lrmx("x.zip", io.BytesIO(data)))


def test_it_reads_member_names_a_chinese_windows_zip_tool_wrote_in_gbk():
    """No UTF-8 flag, the name's bytes in GBK: read as GB18030, not as mojibake."""
    placeholder, name = b"abcdef.lrmx", "王小明.lrmx".encode("gbk")
    assert len(placeholder) == len(name)
    data = _zip([(placeholder.decode(), lrmx().encode())]).replace(placeholder, name)
    [(member, content)] = list(iter_lrmx("x.zip", io.BytesIO(data)))
    assert member == "x.zip/王小明.lrmx" and parse_lrmx(content).values["name"] == "王小明"


def test_a_hostile_file_in_a_preview_is_one_refused_entry(world):
    preview = preview_files([("a.lrmx", io.BytesIO(XXE.encode())), ("b.lrmx", io.BytesIO(lrmx().encode()))],
                            user=world.users["staff_a"])
    assert [f.ok for f in preview.files] == [False, True]
    assert "DTD" in preview.files[0].errors[0]


# ------------------------------------------------------------------ import


def test_it_creates_a_cadre_with_resume_family_and_photo(world):
    user = world.users["staff_a"]
    preview = import_files(upload("w.lrmx", lrmx(photo=jpeg_bytes()).encode()), user=user, unit=world.township_a)
    assert [f.outcome for f in preview.files] == ["新增"], preview.files[0].errors
    cadre = cadre_by_id_number(make_id_number(901))
    assert cadre.unit == world.township_a and cadre.position == "清河县城关镇副镇长"
    assert cadre.position_since == datetime.date(2015, 3, 1)
    assert cadre.township_anchor == datetime.date(2015, 3, 1)  # only the current, known posting counts
    postings = list(cadre.postings.order_by("start_date"))
    assert len(postings) == 3 and postings[0].unit is None and postings[-1].unit == world.township_a
    assert cadre.family_members.get().name == "李芳"
    assert cadre.photo.read() == jpeg_bytes()
    # The stored file's name never carries the (encrypted) ID number in clear.
    assert make_id_number(901) not in cadre.photo.name and make_id_number(901)[-6:] not in cadre.photo.name
    assert cadre.history.first().history_user == user
    assert cadre.rewards_text.startswith("2019年12月")


def test_it_matches_by_id_number_shows_changes_and_updates_with_history(world):
    user = world.users["staff_a"]
    cadre = world.cadre_a
    FamilyMember.objects.create(cadre=cadre, relation="妻子", name="李芳")
    text = lrmx(id_number=cadre.id_number, name=cadre.name, birth=f"{cadre.birth_date:%Y%m}")
    preview = preview_files(upload("a.lrmx", text.encode()), user=user)
    result = preview.files[0]
    assert result.ok and result.cadre == cadre and result.action == "更新"
    assert any(c.startswith("拟任职务：（空） → 清河县城关镇党委副书记") for c in result.changes)
    assert not any(c.startswith("家庭成员") for c in result.changes)  # 李芳 is known
    assert Cadre.objects.get(pk=cadre.pk).proposed_position == ""  # the preview wrote nothing
    import_files(upload("a.lrmx", text.encode()), user=user, unit=world.unit_a)
    cadre.refresh_from_db()
    assert cadre.proposed_position == "清河县城关镇党委副书记"
    assert cadre.unit == world.township_a and cadre.position == "副镇长"  # a transfer is a posting, not an import
    assert cadre.history.first().history_user == user
    assert cadre.family_members.count() == 1
    again = preview_files(upload("a.lrmx", text.encode()), user=user)
    assert again.files[0].action == "无变化"


def test_it_refuses_an_id_number_held_outside_the_jurisdiction_without_naming_the_cadre(world):
    text = lrmx(id_number=world.cadre_b.id_number)
    result = preview_files(upload("b.lrmx", text.encode()), user=world.users["staff_a"]).files[0]
    assert not result.ok and "管辖范围以外" in result.errors[0] and world.cadre_b.name not in result.errors[0]


def test_it_imports_a_zip_and_reports_duplicates(world):
    data = _zip([("一.lrmx", lrmx().encode()), ("二.lrmx", lrmx().encode()),
                 ("三.lrmx", lrmx(id_number=make_id_number(902)).encode("gb18030")), ("说明.txt", b"x")])
    preview = import_files([("批量.zip", io.BytesIO(data))], user=world.users["staff_a"], unit=world.township_a)
    assert [f.outcome or "跳过" for f in preview.files] == ["新增", "跳过", "新增"]
    assert "重复" in preview.files[1].errors[0]


def test_a_chunk_is_written_in_bulk_with_history_by_the_acting_user(world, django_assert_max_num_queries):
    user = world.users["staff_a"]
    data = _zip([(f"{n}.lrmx", lrmx(name=f"干部{n}", id_number=make_id_number(3000 + n), photo=jpeg_bytes()).encode())
                 for n in range(30)])
    # The same number of queries for 30 files as for 3: lookups, inserts and history per chunk.
    with django_assert_max_num_queries(30):
        preview = import_files([("批量.zip", io.BytesIO(data))], user=user, unit=world.township_a)
    assert {f.outcome for f in preview.files} == {"新增"}
    cadre = cadre_by_id_number(make_id_number(3007))
    assert cadre.name == "干部7" and cadre.photo and cadre.township_anchor == datetime.date(2015, 3, 1)
    assert make_id_number(3007)[-6:] not in cadre.photo.name
    assert [p.resume_text.split("\n")[0] for p in cadre.postings.order_by("start_date")] == [
        "河北大学中文系学生", "清河县城关镇科员", "清河县城关镇副镇长"]
    assert cadre.postings.get(end_date=None).unit == world.township_a
    assert cadre.family_members.get().name == "李芳"
    imported = list(Cadre.objects.filter(name__startswith="干部").values_list("pk", flat=True))
    assert len(imported) == 30
    for model, lookup, rows in ((Cadre, "id__in", 30), (Posting, "cadre_id__in", 90), (FamilyMember, "cadre_id__in", 30)):
        history = model.history.filter(**{lookup: imported})
        assert history.count() == rows and set(history.values_list("history_user", "history_type")) == {(user.pk, "+")}


def test_a_number_written_since_the_check_fails_only_its_own_file(world, monkeypatch):
    """A concurrent import or edit takes an ID number between the check and the insert: the
    chunk's bulk insert collides, and the chunk goes in file by file instead."""
    from appointment import importer

    original = importer._match

    def racing(*args):
        original(*args)  # checked: the number is free
        Cadre.objects.create(name="别人", sex="男", birth_date=datetime.date(1985, 3, 12), unit=world.unit_b,
                             position="科员", id_number=make_id_number(3101))

    monkeypatch.setattr(importer, "_match", racing)
    data = _zip([(f"{n}.lrmx", lrmx(name=f"干部{n}", id_number=make_id_number(3100 + n)).encode()) for n in range(3)])
    preview = import_files([("批量.zip", io.BytesIO(data))], user=world.users["staff_a"], unit=world.township_a)
    assert [f.outcome for f in preview.files] == ["新增", "失败", "新增"]
    assert "已存在" in preview.files[1].errors[0]
    assert cadre_by_id_number(make_id_number(3101)).name == "别人"
    assert cadre_by_id_number(make_id_number(3102)).postings.count() == 3


# ------------------------------------------------------------------ form data and round trip


@pytest.fixture
def full_cadre(world):
    cadre = world.cadre_a
    for name, value in dict(
        ethnicity="回族", native_place="河北张家口", birthplace="河北宣化", party_join_date=datetime.date(2006, 6, 1),
        work_start_date=datetime.date(2007, 7, 1), professional_title="经济师", speciality="乡村振兴",
        fulltime_education="大学本科", fulltime_degree="管理学学士", fulltime_school="河北大学经济学院经济学专业",
        inservice_education="研究生（硕士）", inservice_degree="公共管理硕士", inservice_school="中央党校研究生院",
        proposed_position="清河县城关镇党委书记", proposed_removal="清河县城关镇副镇长", appointment_reason="工作需要",
        reporting_unit="中共清河县委组织部", form_filler="张干事", form_filled_on=datetime.date(2025, 11, 1),
        age_reference_date=datetime.date(2025, 11, 1), photo=SimpleUploadedFile("p.jpg", jpeg_bytes()),
    ).items():
        setattr(cadre, name, value)
    cadre.save()
    posting = cadre.postings.create(unit=world.unit_a, position="科员", start_date=datetime.date(2007, 7, 15),
                                    end_date=datetime.date(2015, 3, 1))
    posting.resume_text = "清河县某局科员\n（其间：2010.09--2012.07在中央党校函授学院学习）"
    posting.save()
    cadre.postings.create(unit=world.township_a, position="副镇长", start_date=datetime.date(2015, 3, 2))
    Commendation.objects.create(cadre=cadre, kind="嘉奖", level="县级", title="优秀共产党员",
                                date=datetime.date(2019, 12, 1), issuer="清河县委")
    SanctionFactory(cadre=cadre, sanction_type=SanctionType.objects.get(category="政务处分", name="警告"),
                    matter="工作失误", decided_by="清河县监委", decision_date=datetime.date(2021, 5, 1))
    SanctionFactory(cadre=cadre, sanction_type=SanctionType.objects.get(category="政务处分", name="记过"),
                    matter="改革探索失误", decided_by="清河县监委", decision_date=datetime.date(2022, 5, 1),
                    status=RecordStatus.WAIVED)
    year = AssessmentYear.objects.create(unit=world.unit_a, year=2024, assessment_date=datetime.date(2024, 12, 31),
                                         created_by=world.users["staff_a"])
    CadreGrade.objects.create(assessment_year=year, cadre=cadre, grade="优秀", graded_by=world.users["staff_a"])
    FamilyMember.objects.create(cadre=cadre, relation="父亲", name="王大山", birth_date=datetime.date(1958, 2, 1),
                                political_status="群众", work_unit_post="退休")
    return form_queryset(Cadre.objects.filter(pk=cadre.pk)).get()


def test_the_form_computes_age_resume_rewards_and_grades(full_cadre):
    data = form_data(full_cadre)
    assert data.age == 40  # born 1985-03-12, counted on 2025-11-01
    assert data.family[0].age == 67
    assert data.resume.split("\n") == [
        "2007.07--2015.03  清河县某局科员",
        "                  （其间：2010.09--2012.07在中央党校函授学院学习）",
        "2015.03--         清河县城关镇副镇长",
    ]
    assert "2019年12月被清河县委评为优秀共产党员。" in data.rewards
    assert "2021年5月因工作失误受到清河县监委政务警告处分。" in data.rewards
    assert "改革探索失误" not in data.rewards  # waived by a 免责 ruling: 四个不受影响
    assert data.grades == "2024年度考核优秀。"
    assert data.current_position == "清河县城关镇副镇长"


def elements(data: bytes) -> list:
    def walk(el):
        return (el.tag, (el.text or "").strip(), [walk(c) for c in el])
    return walk(fromstring(data))


def test_round_trip_export_import_into_an_empty_database_export_gives_the_same_file(full_cadre, world):
    first = build_lrmx(form_data(full_cadre))
    # As good as an empty registry: the original no longer holds its ID number, so the file
    # creates a new cadre, in a township of the same name in another city.
    id_number = full_cadre.id_number
    original = Cadre.objects.get(pk=full_cadre.pk)
    original.id_number = make_id_number(999)
    original.save()
    town = make_unit("城关镇", UnitKind.TOWNSHIP, make_unit("别市", UnitKind.CITY))
    preview = import_files(upload("a.lrmx", first), user=world.users["admin"], unit=town)
    assert preview.files[0].outcome == "新增", preview.files[0].errors
    copy = form_queryset(Cadre.objects.filter(id_number_filter(id_number))).get()
    assert copy.pk != full_cadre.pk
    second = build_lrmx(form_data(copy))
    assert elements(second) == elements(first)
    assert second == first
