"""Every county has a 城关镇: wherever a township's name is shown (breadcrumbs, page headers,
pickers, exports, PDFs), the county comes with it (清河县城关镇), never the township alone."""
import datetime
import re

from django.urls import reverse

from assessment.models import CadreGrade
from cadres.forms import UnitChoiceField
from cadres.models import Unit, UnitKind
from care import services as care_services
from care.models import ConsultationMode
from tests.assessment.builders import grade, open_year
from tests.conftest import client_for
from tests.factories import make_unit
from tests.tolerance.builders import file_case, load_policy

# 城关镇 not preceded by its county's name.
BARE = re.compile(r"(?<!清河县)城关镇")


def _crumbs_and_header(html: str) -> str:
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', html, re.S)
    header = re.search(r"<h1.*?</h1>\s*(<div class=\"text-muted[^>]*>.*?</div>|<p class=\"text-muted[^>]*>.*?</p>)?",
                       html, re.S)
    return (crumbs.group(1) if crumbs else "") + (header.group(0) if header else "")


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_pages_about_a_township_name_its_county_in_breadcrumbs_and_headers(client, world):
    make_unit("城关镇", UnitKind.TOWNSHIP, world.unit_b)  # the other county's 城关镇
    staff = world.users["staff_a"]
    ay = open_year(world, world.township_a)
    grade(world, ay, world.cadre_a, "称职")
    load_policy(world)
    case = file_case(world)
    consultation = care_services.consultation_hold(
        by=staff, unit=world.township_a, title="向组织说说心里话座谈会", held_on=datetime.date.today(),
        mode=ConsultationMode.ORAL)
    client_for(client, staff)
    pages = {
        "年度考核": reverse("assessment:year_detail", args=[ay.pk]),
        "批量评定": reverse("assessment:batch", args=[ay.pk]),
        "考核等次": reverse("assessment:grade_detail", args=[CadreGrade.objects.get(cadre=world.cadre_a).pk]),
        "干部": reverse("cadres:detail", args=[world.cadre_a.pk]),
        "案件": reverse("tolerance:detail", args=[case.pk]),
        "说说心里话": reverse("care:consultation_detail", args=[consultation.pk]),
    }
    for label, url in pages.items():
        shown = _crumbs_and_header(_page(client, url))
        assert "清河县城关镇" in shown, label
        assert not BARE.search(shown), (label, shown)
    # Breadcrumbs in particular (the pages that have them).
    for label in ("批量评定", "考核等次"):
        crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', _page(client, pages[label]), re.S).group(1)
        assert "清河县城关镇" in crumbs and not BARE.search(crumbs), label
    # Lists of the same records.
    for url in (reverse("assessment:year_list"), reverse("cadres:list"), reverse("tolerance:list")):
        html = _page(client, url)
        assert "清河县城关镇" in html and not BARE.search(re.sub(r"<select.*?</select>", "", html, flags=re.S)), url


def test_unit_pickers_name_the_county(world):
    other = make_unit("城关镇", UnitKind.TOWNSHIP, world.unit_b)
    labels = dict(UnitChoiceField(queryset=Unit.objects.all()).choices)
    assert labels[world.township_a.pk].strip() == "清河县城关镇"
    assert labels[other.pk].strip() == "青山区城关镇"
    bureau = make_unit("县财政局", UnitKind.DEPARTMENT, world.unit_a)
    assert bureau.qualified_name == "清河县财政局"  # not 清河县县财政局
