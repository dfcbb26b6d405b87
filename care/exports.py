"""Workbook exports of care lists. Columns come from the activity and its visible cadres:
the confidential note is never a column (DESIGN §3)."""
COLUMNS = [
    ("日期", lambda a: a.date),
    ("类别", lambda a: a.get_kind_display()),
    ("主题", lambda a: a.title),
    ("干部", lambda a: "、".join(p.cadre.name for p in a.visible_participants)),
    ("单位", lambda a: "、".join(dict.fromkeys(p.cadre.unit.qualified_name for p in a.visible_participants))),
    ("人数", lambda a: len(a.visible_participants)),
    ("开展人", lambda a: a.conducted_by.get_full_name() or a.conducted_by.username),
    ("谈话人 / 走访人", lambda a: a.conductor_names),
    ("地点", lambda a: a.location),
    ("情况记录", lambda a: a.notes),
    ("后续措施", lambda a: a.follow_up_actions),
    ("帮扶金额（元）", lambda a: a.amount),
    ("资金来源", lambda a: a.fund),
    ("天数", lambda a: a.days),
]


def activity_rows(queryset):
    """The filtered list the user sees (queryset from care.selectors.activity_list, whose
    visible_participants prefetch holds only the user's cadres); chunked reads keep memory flat."""
    for activity in queryset.iterator(chunk_size=1000):
        yield [get(activity) for _, get in COLUMNS]
