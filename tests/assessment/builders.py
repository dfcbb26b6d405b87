"""Assessment objects built through the real services."""
import datetime

from assessment import services
from cadres.models import UnitKind
from tests.factories import CadreFactory, MeasureFactory, make_unit

D = datetime.date


def staff(world):
    return world.users["staff_a"]


def unit_with_cadres(world, n, *, name="东城镇", parent=None, kind=UnitKind.TOWNSHIP, **cadre_fields):
    unit = make_unit(name, kind, parent or world.unit_a)
    return unit, [CadreFactory(unit=unit, name=f"{name}干部{i:03d}", **cadre_fields) for i in range(n)]


def open_year(world, unit, year=2025, **kwargs):
    return services.assessment_year_open(unit=unit, year=year, by=staff(world), **kwargs)


def interviews(cadre, count, year=2025):
    return [MeasureFactory(cadre=cadre, kind="约谈", date=D(year, 3 + i, 1)) for i in range(count)]


def team_interviews(world, unit, count, year=2025):
    return [services.team_interview_record(unit=unit, date=D(year, 2 + i, 1), issue=f"第{i + 1}次约谈",
                                           by_whom="县委组织部", by=staff(world)) for i in range(count)]


def grade(world, ay, cadre, value, **kwargs):
    return services.grade_record(assessment_year=ay, cadre=cadre, grade=value, by=staff(world), **kwargs)


def batch(world, ay, pairs, **kwargs):
    return services.grades_record_batch(assessment_year=ay, by=staff(world),
                                        rows=[{"cadre": c, "grade": g, "remarks": ""} for c, g in pairs], **kwargs)
