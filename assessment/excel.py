"""Columns of the promotion shortlist export (assessment.jobs writes it with core.xlsx)."""

HEADERS = ["序号", "姓名", "单位", "现任职务", "职级", "研判结论", "不能提名的原因", "优先提拔使用情形"]
WIDTHS = [6, 10, 22, 20, 12, 12, 60, 60]
