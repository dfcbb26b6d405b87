"""Which units a user's dashboard may cover: the units of their jurisdiction (the same
selector every list page uses), and the one shown first."""
from cadres.models import Unit
from cadres.selectors import _jurisdiction, units_visible_to
from core import roles


def dashboard_units(user):
    return units_visible_to(user).order_by("path")


def default_unit(user) -> Unit | None:
    """The top of the user's jurisdiction: the county for county staff, the city for the
    city's department; an administrator starts at the first root unit."""
    if roles.is_admin(user):
        return Unit.objects.filter(depth=1).order_by("path").first()
    paths, _ = _jurisdiction(user)
    return Unit.objects.filter(path=paths[0]).first() if paths else None


def may_view_dashboard(user) -> bool:
    return roles.can_view_registry(user)
