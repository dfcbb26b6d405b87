"""复核 of a 不称职 grade within 30 days of being told (公务员法 art. 95): request, answer and
any changed grade are recorded."""
import pytest

from assessment import services
from assessment.models import CadreGrade, ReviewRequestStatus
from core.errors import DomainError
from tests.assessment.builders import D, grade, interviews, open_year, staff, unit_with_cadres


@pytest.fixture
def failed(world):
    unit, cadres = unit_with_cadres(world, 5)
    ay = open_year(world, unit)
    record = grade(world, ay, cadres[0], "不称职")
    return services.grade_notify(grade=record, told_on=D(2026, 1, 10), by=staff(world))


def request(world, record, on):
    return services.grade_rereview_request(grade=record, requested_on=on, grounds="考核程序不当", by=staff(world))


def test_a_request_on_day_30_is_in_time(world, failed):
    review = request(world, failed, D(2026, 2, 9))
    assert (review.status, review.original_grade, review.recorded_by) == (ReviewRequestStatus.PENDING, "不称职",
                                                                          staff(world))


def test_a_request_on_day_31_is_refused_with_the_dates(world, failed):
    with pytest.raises(DomainError) as e:
        request(world, failed, D(2026, 2, 10))
    assert "应自知道考核结果之日起30日内提出（2026-01-10告知，最迟 2026-02-09），2026-02-10申请已是第 31 日" in e.value.message
    assert not failed.reviews.exists()


def test_a_request_before_being_told_or_without_a_told_date_is_refused(world, failed):
    with pytest.raises(DomainError, match="不能早于告知日期"):
        request(world, failed, D(2026, 1, 9))
    failed.told_on = None
    failed.save()
    with pytest.raises(DomainError, match="尚未记录告知本人日期"):
        request(world, failed, D(2026, 1, 20))


def test_only_a_failing_grade_can_be_re_reviewed(world):
    unit, cadres = unit_with_cadres(world, 5)
    record = grade(world, open_year(world, unit), cadres[0], "基本称职")
    services.grade_notify(grade=record, told_on=D(2026, 1, 10), by=staff(world))
    with pytest.raises(DomainError, match="只有年度考核被评为“不称职”的干部可以申请复核"):
        request(world, record, D(2026, 1, 11))


def test_one_request_at_a_time(world, failed):
    request(world, failed, D(2026, 1, 20))
    with pytest.raises(DomainError, match="已有复核申请正在办理"):
        request(world, failed, D(2026, 1, 21))
    with pytest.raises(DomainError, match="告知日期不能再修改"):
        services.grade_notify(grade=failed, told_on=D(2026, 1, 1), by=staff(world))


def test_an_answer_that_changes_the_grade_writes_it_and_keeps_the_old_one_in_history(world, failed):
    review = request(world, failed, D(2026, 1, 20))
    answered = services.grade_rereview_answer(review=review, answered_on=D(2026, 2, 5), answer="程序确有瑕疵，改为基本称职",
                                              new_grade="基本称职", by=staff(world))
    assert (answered.status, answered.new_grade, answered.answered_by) == (ReviewRequestStatus.CHANGED, "基本称职",
                                                                           staff(world))
    record = CadreGrade.objects.get(pk=failed.pk)
    assert record.grade == "基本称职"
    assert list(record.history.order_by("history_date").values_list("grade", flat=True))[-2:] == ["不称职", "基本称职"]
    with pytest.raises(DomainError, match="已经答复"):
        services.grade_rereview_answer(review=review, answered_on=D(2026, 2, 6), answer="再答", by=staff(world))


def test_an_upheld_grade_stays(world, failed):
    review = request(world, failed, D(2026, 1, 20))
    answered = services.grade_rereview_answer(review=review, answered_on=D(2026, 2, 5), answer="维持", by=staff(world))
    assert answered.status == ReviewRequestStatus.UPHELD
    assert CadreGrade.objects.get(pk=failed.pk).grade == "不称职"


def test_a_changed_grade_still_obeys_the_caps(world, failed):
    interviews(failed.cadre, 2)
    review = request(world, failed, D(2026, 1, 20))
    with pytest.raises(DomainError, match="复核后等次不能保存：不能评为“称职”：本年度被约谈 2 次"):
        services.grade_rereview_answer(review=review, answered_on=D(2026, 2, 5), answer="改", new_grade="称职",
                                       by=staff(world))
    assert CadreGrade.objects.get(pk=failed.pk).grade == "不称职"
    assert review.__class__.objects.get(pk=review.pk).status == ReviewRequestStatus.PENDING


def test_a_re_review_can_be_answered_after_the_year_is_archived(world, failed):
    ay = failed.assessment_year
    for cadre in ay.unit.cadres.exclude(pk=failed.cadre_id):
        grade(world, ay, cadre, "称职")
    services.assessment_year_close(assessment_year=ay, by=staff(world))
    review = request(world, failed, D(2026, 1, 20))
    services.grade_rereview_answer(review=review, answered_on=D(2026, 2, 5), answer="改", new_grade="基本称职",
                                   by=staff(world))
    assert CadreGrade.objects.get(pk=failed.pk).grade == "基本称职"
