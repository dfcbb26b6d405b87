from django.core.management.base import BaseCommand, CommandError

from cadres.models import Unit
from tolerance.catalogs import CATALOGS, DEFAULT_STAGE_DAYS
from tolerance.models import PolicyClause, PolicyDocument, StageDeadline


class Command(BaseCommand):
    help = "载入内置容错政策条款（张家口附件2、大冶部分情形）和阶段办理时限；可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("catalog", choices=sorted(CATALOGS))
        parser.add_argument("--unit", required=True, help="适用单位名称（其下级单位一并适用）")

    def handle(self, *args, catalog, unit, **options):
        try:
            target = Unit.objects.get(name=unit)
        except (Unit.DoesNotExist, Unit.MultipleObjectsReturned):
            raise CommandError(f"找不到唯一名为“{unit}”的单位。") from None
        load_catalog(catalog, target)
        for stage, days in DEFAULT_STAGE_DAYS.items():
            StageDeadline.objects.get_or_create(stage=stage, defaults={"days": days})
        self.stdout.write(self.style.SUCCESS(f"已载入“{CATALOGS[catalog]['title']}”，适用于{target.name}。"))


def load_catalog(catalog: str, unit: Unit) -> PolicyDocument:
    data = CATALOGS[catalog]
    document, _ = PolicyDocument.objects.get_or_create(
        title=data["title"], unit=unit,
        defaults={k: data[k] for k in ("issuing_body", "effective_from", "is_partial", "source")},
    )
    for kind in ("condition", "situation", "exclusion"):
        for number, text in enumerate(data[kind], start=1):
            PolicyClause.objects.get_or_create(document=document, kind=kind, number=number, defaults={"text": text})
    return document
