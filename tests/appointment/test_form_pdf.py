import subprocess

import pytest

from appointment.form import form_data
from appointment.pdf import form_pdf
from tests.appointment.test_lrmx import full_cadre  # noqa: F401 - the fixture

LABELS = ["姓 名", "性 别", "出生年月", "民 族", "籍 贯", "出 生 地", "入 党", "参加工作", "健康状况", "专业技",
          "熟悉专业", "学 历", "全日制", "在 职", "毕业院校", "现 任 职 务", "拟 任 职 务", "拟 免 职 务", "简",
          "奖", "年度考核", "任", "称 谓", "年龄", "政治面貌", "工 作 单 位 及 职 务", "呈", "审", "行",
          "填表人", "填表时间"]


def pdf_text(data: bytes, tmp_path) -> tuple[str, int]:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[-1])
    return text, pages


def test_the_form_pdf_has_two_pages_with_every_label_and_value(full_cadre, tmp_path):  # noqa: F811
    data = form_data(full_cadre)
    pdf = form_pdf([data], watermark="测试 导出于 2026-01-01 00:00")
    import os
    if os.environ.get("SAVE_FORM_PDF"):
        open(os.environ["SAVE_FORM_PDF"], "wb").write(pdf)
    text, pages = pdf_text(pdf, tmp_path)
    assert pages == 2, text
    flat = text.replace(" ", "")
    for label in LABELS:
        assert label.replace(" ", "") in flat, label
    for value in ["甲干部", "男", "1985.03", "（40岁）", "回族", "河北张家口", "河北宣化", "2006.06", "2007.07", "健康",
                  "经济师", "乡村振兴", "大学本科", "管理学学士", "河北大学经济学院经济学专业", "研究生（硕士）",
                  "公共管理硕士", "中央党校研究生院", "城关镇副镇长", "清河县城关镇党委书记", "清河县城关镇副镇长",
                  "2007.07--2015.03", "清河县某局科员", "（其间：2010.09--2012.07在中央党校函授学院学习）",
                  "2019年12月被清河县委评为优秀共产党员", "政务警告处分", "2024年度考核优秀", "工作需要",
                  "父亲", "王大山", "67", "群众", "退休", "中共清河县委组织部", "张干事", "2025年11月1日"]:
        assert value in flat, value
    assert "改革探索失误" not in flat


def test_text_that_does_not_fit_continues_on_a_continuation_page(full_cadre, tmp_path):  # noqa: F811
    full_cadre.appointment_reason = "因工作需要" * 400
    full_cadre.resume_text = "\n".join(f"{1980 + i}.01--{1981 + i}.01  某单位第{i}号岗位工作人员" for i in range(80))
    text, pages = pdf_text(form_pdf([form_data(full_cadre)], watermark="测试 导出于 2026-01-01 00:00"), tmp_path)
    assert pages >= 3
    flat = text.replace(" ", "")
    assert "（转续页）" in flat and "干部任免审批表续页" in flat.replace("干部任免审批表续页", "干部任免审批表续页")
    assert "简历（续）" in flat and "任免理由（续）" in flat
    assert "某单位第79号岗位工作人员" in flat  # the last line is printed, on the 续页


@pytest.mark.parametrize("count", [3])
def test_a_batch_is_one_pdf_with_two_pages_each(full_cadre, tmp_path, count):  # noqa: F811
    data = form_data(full_cadre)
    _, pages = pdf_text(form_pdf([data] * count, watermark="测试 导出于 2026-01-01 00:00"), tmp_path)
    assert pages == 2 * count


def test_the_word_file_has_the_form_a_clerk_can_edit(full_cadre):  # noqa: F811
    import io

    from docx import Document

    from appointment.word import form_docx

    document = Document(io.BytesIO(form_docx(form_data(full_cadre))))
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for value in ["甲干部", "（40岁）", "2007.07--2015.03  清河县某局科员", "政务警告处分", "2024年度考核优秀",
                  "王大山", "67", "中共清河县委组织部", "审\n批\n机\n关\n意\n见", "工作单位及职务"]:
        assert value in text, value
    assert "改革探索失误" not in text
    assert len(document.inline_shapes) == 1  # the photo
