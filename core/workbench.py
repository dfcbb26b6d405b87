"""The workbench's to-do list (工作台): every module's open items for a user, kept until the
rows they are read from change."""
import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core import roles
from core.panels import WORKBENCH_READS, WORKBENCH_SOURCES


def _kept_sources() -> list:
    """The sources that say what they read (register_workbench_source's `reads`)."""
    return [source for source in WORKBENCH_SOURCES if WORKBENCH_READS[source] is not None]


@cache
def _fingerprint_sql() -> str:
    """One query whose result changes whenever a row the sources read changes (built once:
    simple-history builds a new manager class on every access to `Model.history`, a tenth of a
    millisecond per model and request):

    - models with history (core.panels.WORKBENCH_READS): each table's highest id and newest
      history row, as core.db.data_fingerprint reads them (every save, deletion or move
      through the ORM, the services and the imports writes a history row);
    - tables without history (the grants, the role memberships), whose rows are added and
      deleted, not edited: each table's row count and highest id (the highest id alone misses
      a revoked grant or a role taken away);
    - the users: the sum of the active users' ids (someone deactivated hands their units to
      the next level, assessment.routing)."""
    reads = list(dict.fromkeys(m for source in _kept_sources() for m in WORKBENCH_READS[source]))
    quote = connection.ops.quote_name
    parts = []
    for model in [*reads, get_user_model().groups.through]:
        table = quote(model._meta.db_table)
        history = getattr(model, "history", None)
        if history is not None:
            parts += [f"(SELECT MAX(id) FROM {table})", f"(SELECT MAX(history_id) FROM {quote(history.model._meta.db_table)})"]
        else:
            parts += [f"(SELECT COUNT(*) FROM {table})", f"(SELECT MAX(id) FROM {table})"]
    parts.append(f"(SELECT SUM(CASE WHEN is_active THEN id ELSE 0 END) FROM {quote(get_user_model()._meta.db_table)})")
    return "SELECT " + ", ".join(parts)


# On PostgreSQL the fingerprint is a prepared statement of the connection: planning its forty
# subqueries took 3-5 ms on every view, longer than running them (under 1 ms).
_PREPARED_FLAG = "_workbench_fingerprint_prepared"


@receiver(connection_created, dispatch_uid="workbench_fingerprint_not_prepared")
def _not_prepared_yet(sender, connection, **kwargs):
    setattr(connection, _PREPARED_FLAG, False)


def _fingerprint() -> tuple:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(_fingerprint_sql())
        else:
            if not getattr(connection, _PREPARED_FLAG, False):
                # A prepared statement lasts as long as the session, whatever the transaction does.
                cursor.execute("PREPARE workbench_fingerprint AS " + _fingerprint_sql())
                setattr(connection, _PREPARED_FLAG, True)
            cursor.execute("EXECUTE workbench_fingerprint")
        return tuple(cursor.fetchone())


def workbench_items(user, today: datetime.date) -> list:
    """Every module's open items for the user (core.panels.WORKBENCH_SOURCES), soonest deadline
    first and those without one last.

    Reading them takes some twenty queries over a city's cases, reports, grades, concerns and
    sanctions (60-100 ms at 100,000 cadres, issue #16), and they change far less often than
    the workbench is opened, so the list is kept (core.db.kept_until_changed) under the user,
    their roles, the day and the fingerprint of everything the sources read (_fingerprint_sql),
    until any of them changes."""
    from core.db import kept_until_changed

    parts = (user.pk, user.is_superuser, tuple(sorted(roles.roles_of(user))), today.isoformat(), _fingerprint())

    def collect():
        return [item for source in _kept_sources() for item in source(user, today)]

    # The users table as kept_until_changed's own fingerprint: the sources' models are in
    # `parts` already, read by the one query above.
    items = kept_until_changed("workbench", parts, (get_user_model(),), collect)
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
