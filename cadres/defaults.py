"""Default influence periods (影响期), loaded by a data migration and editable in admin."""

PARTY_REGULATIONS = "《中国共产党纪律处分条例》"
SANCTIONS_LAW = "《中华人民共和国公职人员政务处分法》"

SANCTION_TYPES = [
    # (category, name, months, citation)
    ("党纪处分", "警告", 12, PARTY_REGULATIONS),
    ("党纪处分", "严重警告", 18, PARTY_REGULATIONS),
    ("党纪处分", "撤销党内职务", 24, PARTY_REGULATIONS),
    ("党纪处分", "留党察看", 24, PARTY_REGULATIONS),
    ("党纪处分", "开除党籍", 60, PARTY_REGULATIONS),
    ("政务处分", "警告", 6, SANCTIONS_LAW),
    ("政务处分", "记过", 12, SANCTIONS_LAW),
    ("政务处分", "记大过", 18, SANCTIONS_LAW),
    ("政务处分", "降级", 24, SANCTIONS_LAW),
    ("政务处分", "撤职", 24, SANCTIONS_LAW),
    ("组织处理", "停职检查", 6, "《推进领导干部能上能下规定》"),
    ("组织处理", "调整职务", 12, "《推进领导干部能上能下规定》"),
    ("组织处理", "责令辞职", 12, "《推进领导干部能上能下规定》"),
    ("组织处理", "免职", 12, "《推进领导干部能上能下规定》"),
    ("组织处理", "降职", 24, "《推进领导干部能上能下规定》"),
]
