"""The 干部任免审批表 as a Word file a clerk can still edit (filled in next)."""


def form_docx(data) -> bytes:
    raise NotImplementedError
