"""Pagination that keeps deep pages of large lists as cheap as the first page."""
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from core.db import kept_until_changed, models_read_by


class DeferredJoinPaginator(Paginator):
    """A drop-in Paginator for large ordered querysets (a "deferred join").

    A page is one query besides the count: the page's primary keys are chosen in a
    subquery (values("pk") with the same ordering and OFFSET/LIMIT, which an index on the
    ordering columns answers without reading table rows), and only those rows are read in
    full, with the queryset's select_related and ordering. OFFSET must still step over the
    skipped keys, so pages in the back half are taken from the end with the ordering
    reversed: the last page costs what the first does, and no page steps over more than
    half the list.

    The ordering must be total (end with a unique field such as "id"), or the reversed
    ordering would not mirror the forward one exactly.

    `kept=True`: the count and the keys of every page but the first are kept until a table
    the list's query reads changes (core.db.kept_until_changed, the tables found in its SQL).
    Both still grow with the table: at a province's million cadres the count of the whole
    registry and the keys of a deep page each read hundreds of thousands of index entries,
    on every view (issue #16). The first page reads its 50 keys in index order and stays live.
    """

    def __init__(self, object_list, per_page, *, kept: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.kept = kept

    @cached_property
    def count(self):
        return self._kept("count", (), lambda: Paginator.count.func(self))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom, top):
        keys = self.object_list.values("pk")
        from_end = self.count - top
        if from_end < bottom:
            keys = keys.reverse()[from_end:self.count - bottom]
        else:
            keys = keys[bottom:top]
        if bottom:
            keys = self._kept("keys", (bottom, top), lambda: [row["pk"] for row in keys])
        return self.object_list.filter(pk__in=keys)

    @cached_property
    def _watched(self) -> tuple | None:
        """The list query's SQL and the models whose tables it reads (compiled once for the
        count and the page), or None when the results are not kept."""
        if not self.kept:
            return None
        try:
            return str(self.object_list.query), models_read_by(self.object_list)
        except (ValueError, EmptyResultSet):  # a table no model names cannot be fingerprinted;
            return None  # a query that cannot match (no unit in sight) costs nothing

    def _kept(self, name: str, parts: tuple, compute):
        if self._watched is None:
            return compute()
        sql, models = self._watched
        return kept_until_changed(f"list-{name}", (sql, *parts), models, compute)
