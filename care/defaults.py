"""Default care data, loaded by a data migration and editable in admin (DESIGN §3 "Care")."""

SEED_003 = "种子文件003：每年至少开展政治家访和谈心谈话、每年全面体检（次数由各地确定，默认各1次）"
SEED_000_Q8 = "种子文件000问8：每年至少开展一次口头或书面“向组织说说心里话”活动"
LEAVE_REGULATION = "《职工带薪年休假条例》第三条"

# (kind, applies_to, measure, required per year, citation); required None = the leave entitlement
OBLIGATION_RULES = [
    ("talk", "cadre", "count", 1, SEED_003),
    ("home_visit", "cadre", "count", 1, SEED_003),
    ("health_check", "cadre", "count", 1, SEED_003),
    ("leave", "cadre", "days", None, f"{LEAVE_REGULATION}；种子文件000问8：严格落实带薪休假、疗休养制度"),
    ("consultation", "unit", "count", 1, SEED_000_Q8),
]

# (years worked at least, days of paid annual leave)
LEAVE_ENTITLEMENTS = [(1, 5), (10, 10), (20, 15)]

# (sanction category, first visit within months, then every months)
FOLLOW_UP_SCHEDULES = [("党纪处分", 3, 6), ("政务处分", 3, 6), ("组织处理", 3, 6)]


def load_defaults(apps=None):
    """Create the default rows that are missing (history rows too); never overwrites edits."""
    from django.utils import timezone

    def model(name):
        if apps is None:
            from django.apps import apps as live

            return live.get_model("care", name)
        return apps.get_model("care", name)

    now = timezone.now()

    def create(name, lookup, defaults):
        Model, History = model(name), model(f"Historical{name}")
        obj, created = Model.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            fields = {f.attname: getattr(obj, f.attname) for f in Model._meta.concrete_fields}
            History.objects.create(**fields, history_date=now, history_type="+", history_change_reason="默认数据")

    for kind, applies_to, measure, required, citation in OBLIGATION_RULES:
        create("ObligationRule", {"kind": kind}, {"applies_to": applies_to, "measure": measure, "required": required,
                                                  "citation": citation, "active": True})
    for min_years, days in LEAVE_ENTITLEMENTS:
        create("LeaveEntitlement", {"min_years": min_years}, {"days": days, "citation": LEAVE_REGULATION})
    for category, first, every in FOLLOW_UP_SCHEDULES:
        create("FollowUpSchedule", {"category": category}, {"first_within_months": first, "every_months": every})
