"""How a person (a user account) is shown to other users: by name and post, never by the
login name. Demo and real accounts keep "post name" in the full-name field (市委组织部副部长 陈建国)."""


def person_label(user) -> str:
    """陈建国（市委组织部副部长）; a full name without a post is shown as it is."""
    if user is None:
        return "（未指定）"
    full = (user.get_full_name() or "").strip()
    if not full:
        return "（未填写姓名的账号）"
    post, _, name = full.rpartition(" ")
    return f"{name}（{post.strip()}）" if post.strip() else name


def people_label(users) -> str:
    return "、".join(person_label(u) for u in users) or "（无）"


def unit_label(unit) -> str:
    """A unit as the city reads it (清河县城关镇, not 城关镇)."""
    return getattr(unit, "qualified_name", None) or str(unit)
