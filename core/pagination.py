"""Pagination that keeps deep pages of large lists as cheap as the first page."""
from django.core.paginator import Paginator


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
    """

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
        return self.object_list.filter(pk__in=keys)
