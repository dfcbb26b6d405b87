"""The workbench's to-do list (工作台): every module's open items for a user, kept until the
rows they are read from change."""
import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core import roles
from core.db import kept_until_changed
from core.panels import WORKBENCH_READS, WORKBENCH_SOURCES


def _kept_sources() -> list:
    """The sources that say what they read (register_workbench_source's `reads`)."""
    return [source for source in WORKBENCH_SOURCES if WORKBENCH_READS[source] is not None]


@cache
def _kept_models() -> tuple:
    """What the kept list depends on besides the user and the day: every model the sources
    read (core.panels.WORKBENCH_READS), the role memberships, and the users (someone
    deactivated hands their units to the next level, assessment.routing)."""
    reads = dict.fromkeys(m for source in _kept_sources() for m in WORKBENCH_READS[source])
    return (*reads, get_user_model().groups.through, get_user_model())


def workbench_items(user, today: datetime.date) -> list:
    """Every module's open items for the user (core.panels.WORKBENCH_SOURCES), soonest deadline
    first and those without one last.

    Reading them takes some twenty queries over a city's cases, reports, grades, concerns and
    sanctions (60-100 ms at 100,000 cadres, issue #16), and they change far less often than
    the workbench is opened, so the list is kept (core.db.kept_until_changed) under the user,
    their roles and the day until a row of what they read changes (_kept_models)."""
    parts = (user.pk, user.is_superuser, tuple(sorted(roles.roles_of(user))), today.isoformat())

    def collect():
        return [item for source in _kept_sources() for item in source(user, today)]

    items = kept_until_changed("workbench", parts, _kept_models(), collect)
    items += [item for source in WORKBENCH_SOURCES if WORKBENCH_READS[source] is None for item in source(user, today)]
    items.sort(key=lambda i: (i.deadline is None, i.deadline or datetime.date.max))
    return items


def work_rows(items: list, today: datetime.date) -> str:
    """The rows of the workbench's table, written as plain strings: through the template's
    loop a city's 170 items took longer than reading them from the cache (issue #16)."""
    return format_html_join("", '<tr><td class="text-nowrap">{}</td><td><a href="{}">{}</a></td><td>{}</td>'
                                '<td class="text-nowrap">{}{}</td></tr>', (
        (i.module, i.url, i.title, i.stage, i.deadline.isoformat() if i.deadline else "—",
         mark_safe(' <span class="badge text-bg-danger">超期</span>') if i.deadline and i.deadline < today else "")
        for i in items))
