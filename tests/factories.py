import datetime

import factory
from django.contrib.auth.models import Group, User

from cadres.models import Cadre, Rank, Sanction, SanctionType, Sex, SupervisionMeasure, Unit, UnitKind
from cadres.validators import id_number_checksum


def make_id_number(n: int, birth=datetime.date(1985, 3, 12)) -> str:
    first17 = f"{130702 + n // 1000:06d}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_number_checksum(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))


def make_unit(name, kind=UnitKind.COUNTY, parent=None) -> Unit:
    if parent is None:
        return Unit.add_root(name=name, kind=kind)
    parent.refresh_from_db()
    return parent.add_child(name=name, kind=kind)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"干部{n}")
    sex = Sex.MALE
    birth_date = datetime.date(1985, 3, 12)
    id_number = factory.Sequence(make_id_number)
    position = "副镇长"
    rank = Rank.FU_KE
    position_since = datetime.date(2020, 1, 1)


def sanction_type(category="政务处分", name="记过") -> SanctionType:
    return SanctionType.objects.get(category=category, name=name)


class SanctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sanction

    cadre = factory.SubFactory(CadreFactory)
    sanction_type = factory.LazyFunction(sanction_type)
    matter = "工作失职"
    decided_by = "县纪委监委"
    decision_date = datetime.date(2025, 6, 1)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionMeasure

    cadre = factory.SubFactory(CadreFactory)
    kind = "约谈"
    date = datetime.date(2026, 3, 1)
    issue = "工作作风"
    by_whom = "县委组织部"
