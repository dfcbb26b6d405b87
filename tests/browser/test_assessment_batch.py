"""One real browser grades a unit in batch: the staff member picks grades on one page, the
valid rows are saved and the capped row shows its refusal on the row."""
import pytest

from assessment.models import CadreGrade
from tests.assessment.builders import interviews, open_year, unit_with_cadres

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_unit_is_graded_in_batch_and_a_refusal_shows_on_its_row(page, live_server, world, tmp_path):  # noqa: F811
    from assessment.catalogs import load_default_rules

    load_default_rules()  # the transactional flush removed the data migration's rules
    unit, cadres = unit_with_cadres(world, 10)
    ay = open_year(world, unit)
    interviews(cadres[3], 1)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "staff_a")
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("nav >> text=考核研判")
    page.click(f"#year-table >> text={unit.name}")
    page.click("#batch-link")
    page.wait_for_selector("#batch-table")
    assert "本年度被约谈 1 次" in page.locator(f"#row-{cadres[3].pk}").inner_text()

    grades = {0: "优秀", 1: "优秀", 3: "优秀"}
    for i, cadre in enumerate(cadres):
        page.select_option(f"#id_grade_{cadre.pk}", grades.get(i, "称职"))
    page.fill(f"#id_remarks_{cadres[0].pk}", "防汛抢险表现突出")
    page.click("#batch-save")
    page.wait_for_selector(".row-error")

    errors = page.locator(".row-error")
    assert errors.count() == 1
    assert errors.first.get_attribute("data-cadre") == cadres[3].name
    assert "不能评为“优秀”：本年度被约谈 1 次" in errors.first.inner_text()
    assert "table-danger" in page.locator(f"#row-{cadres[3].pk}").get_attribute("class")
    assert "已保存 9 人的等次" in page.locator(".alert-success").inner_text()
    page.screenshot(path=str(tmp_path / "batch.png"), full_page=True)

    saved = dict(CadreGrade.objects.values_list("cadre_id", "grade"))
    assert len(saved) == 9 and cadres[3].pk not in saved
    assert saved[cadres[0].pk] == saved[cadres[1].pk] == "优秀"
    assert CadreGrade.objects.get(cadre=cadres[0]).remarks == "防汛抢险表现突出"

    # Fix the row: the refused cadre gets a grade the caps allow.
    page.select_option(f"#id_grade_{cadres[3].pk}", "称职")
    page.click("#batch-save")
    page.wait_for_url(f"{base}/assessment/years/{ay.pk}/")
    assert CadreGrade.objects.count() == 10
