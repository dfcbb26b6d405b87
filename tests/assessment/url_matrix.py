"""The assessment URLs for the permission matrix (tests/test_permission_matrix.py). The objects
belong to unit A (清河县 and its 城关镇): staff_b sees none of them (404); leaders read and
approve; discipline officers have no part in assessment (403)."""
import datetime

from assessment import services
from assessment.models import CadreGrade, QuotaApproval, Ranking, RankingEntry
from tests.matrix_common import CADRE_A_EDIT, CADRE_A_VIEW, EDITORS, VIEWERS, R

A_POST = {**CADRE_A_EDIT, "staff_a": R, "admin": R}  # staff act (then redirect); staff_b: 404
LEADER_POST = {**{p: 403 for p in VIEWERS}, "leader": R, "anonymous": R}
STAFF_POST = {**EDITORS, "staff_a": R, "staff_b": R, "admin": R}
REDIRECTS = {**VIEWERS, "staff_a": R, "staff_b": R, "leader": R, "admin": R}

MATRIX = {
    "assessment:year_list": ("get", lambda w: {}, VIEWERS),
    "assessment:year_create": ("get", lambda w: {}, EDITORS),
    "assessment:year_detail": ("get", lambda w: {"pk": w.ay.pk}, CADRE_A_VIEW),
    "assessment:batch": ("get", lambda w: {"pk": w.ay.pk}, CADRE_A_EDIT),
    "assessment:quota_request": ("post", lambda w: {"pk": w.ay.pk}, A_POST),
    "assessment:quota_decide": ("post", lambda w: {"pk": w.ay.pk, "approval_pk": w.approval.pk}, LEADER_POST),
    "assessment:year_close": ("post", lambda w: {"pk": w.ay.pk}, A_POST),
    "assessment:grade_list": ("get", lambda w: {}, VIEWERS),
    "assessment:grade_detail": ("get", lambda w: {"pk": w.grade.pk}, CADRE_A_VIEW),
    "assessment:grade_action": ("post", lambda w: {"pk": w.grade.pk, "action": "notify"}, A_POST),
    "assessment:team_interview_list": ("get", lambda w: {}, VIEWERS),
    "assessment:team_interview_create": ("get", lambda w: {}, EDITORS),
    "assessment:review_list": ("get", lambda w: {}, VIEWERS),
    "assessment:ranking_list": ("get", lambda w: {}, VIEWERS),
    "assessment:review_open": ("post", lambda w: {}, STAFF_POST),
    "assessment:review_detail": ("get", lambda w: {"pk": w.review.pk}, CADRE_A_VIEW),
    "assessment:review_action": ("post", lambda w: {"pk": w.review.pk, "action": "start"}, A_POST),
    "assessment:item_create": ("get", lambda w: {"pk": w.review.pk}, CADRE_A_EDIT),
    "assessment:ranking_create": ("get", lambda w: {"pk": w.review.pk}, CADRE_A_EDIT),
    "assessment:ranking_delete": ("post", lambda w: {"pk": w.review.pk, "ranking_pk": w.ranking.pk}, A_POST),
    "assessment:report_edit": ("get", lambda w: {"pk": w.review.pk, "unit_pk": w.township_a.pk}, CADRE_A_VIEW),
    "assessment:priority_list": ("get", lambda w: {}, VIEWERS),
    "assessment:promotion_list": ("get", lambda w: {}, VIEWERS),
    "assessment:priority_create": ("get", lambda w: {"cadre_pk": w.cadre_a.pk}, CADRE_A_EDIT),
    "assessment:shortlist": ("get", lambda w: {}, VIEWERS),
    # Without a unit and a target rank the export sends the user back to the form.
    "assessment:shortlist_export": ("post", lambda w: {}, REDIRECTS),
    "assessment:rules": ("get", lambda w: {}, VIEWERS),
}


def setup(world):
    from assessment.catalogs import load_default_rules

    load_default_rules()
    staff = world.users["staff_a"]
    world.ay = services.assessment_year_open(unit=world.township_a, year=2025, by=staff)
    world.grade = CadreGrade.objects.create(assessment_year=world.ay, cadre=world.cadre_a, grade="不称职",
                                            graded_by=staff)
    world.approval = QuotaApproval.objects.create(assessment_year=world.ay, excellent_count=1, request_reason="理由",
                                                  requested_by=staff)
    world.review, _ = services.quarterly_review_open(department=world.unit_a, year=2026, quarter=2, by=staff)
    world.ranking = Ranking.objects.create(review=world.review, evaluator=world.cadre_a, evaluator_title="县委书记",
                                           category="乡镇党委书记", entered_by=staff)
    from cadres.services import posting_add
    from tests.factories import CadreFactory

    # An entry with a 敢抓敢管说明, for the ranking list and the crawlers.
    RankingEntry.objects.create(ranking=world.ranking, cadre=CadreFactory(name="丙书记", unit=world.township_a),
                                position=1, bold_work_note="征地拆迁敢抓敢管")
    # A promotion with a priority reason of the day, for the list page and the crawlers.
    promoted = CadreFactory(name="丁提拔", unit=world.township_a)
    services.priority_record_add(cadre=promoted, situation="art3-3", facts="抗洪抢险", recorded_on=datetime.date(2026, 1, 5),
                                 by=staff)
    posting_add(cadre=promoted, by=staff, unit=world.township_a, position="党委副书记", rank="正科级",
                start_date=datetime.date(2026, 2, 1))
