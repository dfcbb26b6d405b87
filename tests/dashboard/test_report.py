"""The year-end statistical report: the dashboard's figures as PDF and Excel, the
definitions last; a whole city's runs as a background job with progress."""
import io

import openpyxl
from django.urls import reverse

from core.models import AuditEvent, BackgroundJob
from dashboard.figures import FIGURES
from dashboard.report import build_report
from dashboard.tables import TABLE_DEFINITIONS
from tests.conftest import assert_watermarked_on_every_page, client_for
from tests.dashboard.test_figures import TODAY, scenario, values  # noqa: F401  (the scenario fixture)


def test_the_report_has_the_dashboard_figures_and_every_definition(scenario):  # noqa: F811
    admin = scenario.users["admin"]
    steps = []
    report = build_report(user=admin, unit=scenario.city, year=2026, today=TODAY,
                          progress=lambda done, total: steps.append((done, total)))
    shown = values(admin, scenario.city)
    rows = {row[0]: row[1] for table in report.tables[:-1] for row in table.rows}
    assert rows["立案"] == shown["cases_filed"].value == 4
    assert rows["认定不予容错"] == shown["cases_not_tolerated"].value == 1
    # Every figure's definition in order, each table's after its section's figures.
    labels = [label for _, label, _ in report.definitions]
    table_labels = [label for _, label, _ in TABLE_DEFINITIONS]
    assert [label for label in labels if label not in table_labels] == [f.label for f in FIGURES]
    assert labels.index("优秀等次名额使用") < labels.index("登记优先提拔使用情形")
    # One column per county: 清河县 and 青山区, then the progress reached its end.
    by_unit = report.tables[-1]
    assert [r[0] for r in by_unit.rows] == ["清河县", "青山区"]
    assert [r[1] for r in by_unit.rows] == [3, 1]
    assert steps[-1] == (3, 3)


def test_a_county_report_downloads_as_pdf_and_excel_and_is_audited(scenario, client):  # noqa: F811
    client_for(client, scenario.users["staff_a"])
    pdf = client.get(reverse("dashboard:report_pdf"), {"year": 2026})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert_watermarked_on_every_page(pdf.content, scenario.users["staff_a"])
    xlsx = client.get(reverse("dashboard:report_xlsx"), {"year": 2026})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["统计表", "阶段用时", "优秀名额", "关爱任务", "分单位", "指标说明"]
    figures = {row[1]: row[2] for row in book["统计表"].iter_rows(min_row=2, values_only=True)}
    assert figures["立案"] == 3 and figures["印发澄清正名通知书"] == 2 and figures["其中纳入不实举报案例公开"] == 1
    assert book["指标说明"].max_row == len(FIGURES) + len(TABLE_DEFINITIONS) + 1
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.EXPORT, username="staff_a").count() == 2


def test_the_whole_city_report_runs_as_a_job_for_its_owner(scenario, client,  # noqa: F811
                                                           django_capture_on_commit_callbacks):
    client_for(client, scenario.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("dashboard:report_pdf"), {"year": 2026, "unit": scenario.city.pk})
    job = BackgroundJob.objects.get()
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.message
    assert (job.done, job.total) == (3, 3)
    assert job.result_name == "张垣市2026年度干部激励工作统计表.pdf"
    with open(job.result_path, "rb") as f:
        assert_watermarked_on_every_page(f.read(), scenario.users["admin"])


def test_the_report_page_shows_the_tables_without_raw_values(scenario, client):  # noqa: F811
    client_for(client, scenario.users["leader"])
    body = client.get(reverse("dashboard:report"), {"year": 2026}).content.decode()
    assert "清河县2026年度干部激励工作统计表" in body and "指标说明" in body
    assert "None" not in body and "True" not in body and "False" not in body


def test_the_table_by_unit_has_the_selection_and_assessment_columns_as_the_dashboard_counts_them(scenario):  # noqa: F811
    from dashboard.report import BY_UNIT_KEYS

    admin = scenario.users["admin"]
    report = build_report(user=admin, unit=scenario.city, year=2026, today=TODAY)
    by_unit = report.tables[-1]
    assert {"promotions_made", "promotions_priority", "promotions_priority_share", "grades_优秀",
            "shortlist_two_excellent", "shortlist_township", "consultations_held"} <= set(BY_UNIT_KEYS)
    for row, unit in zip(by_unit.rows, (scenario.unit_a, scenario.unit_b), strict=True):
        shown = values(admin, unit)
        assert row[1:] == [shown[k].shown if shown[k].figure.ratio else shown[k].value for k in BY_UNIT_KEYS]
    # 清河县 made promotions (a share in per cent); 青山区 none (no share: —).
    share = 1 + BY_UNIT_KEYS.index("promotions_priority_share")
    assert by_unit.rows[0][share].endswith("%") and by_unit.rows[1][share] == "—"


def test_the_table_by_unit_is_printed_on_a_landscape_page(scenario):  # noqa: F811
    import subprocess
    import tempfile

    from dashboard.report import report_pdf

    report = build_report(user=scenario.users["admin"], unit=scenario.city, year=2026, today=TODAY)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(report_pdf(report, watermark="测试"))
        f.flush()
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", f.name], capture_output=True, text=True,
                              check=True).stdout
        pages = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, text=True,
                               check=True).stdout.split("\f")[:-1]
    sizes = [line.split(":", 1)[1].split("pts")[0].split(" x ") for line in info.splitlines()
             if line.startswith("Page") and "size:" in line]
    wide = [i for i, (w, h) in enumerate(sizes) if float(w) > float(h)]
    assert len(sizes) == len(pages) and len(wide) == 1
    assert "分单位主要指标" in pages[wide[0]] and "指标说明" in pages[wide[0] + 1]
