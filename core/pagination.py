"""Pagination that keeps deep pages of large lists as cheap as the first page."""
from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    """A drop-in Paginator for large ordered querysets (a "deferred join").

    A page takes two queries besides the count: the primary keys of the page
    (values_list("pk") with the same ordering and OFFSET/LIMIT, which an index on the
    ordering columns answers without reading table rows), then those rows by primary key
    with the queryset's select_related. OFFSET must still step over the skipped keys, so
    pages in the back half are taken from the end with the ordering reversed: the last
    page costs what the first does, and no page steps over more than half the list.

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
        keys = self.object_list.values_list("pk", flat=True)
        from_end = self.count - top
        if from_end < bottom:
            keys = list(keys.reverse()[from_end:self.count - bottom])[::-1]
        else:
            keys = list(keys[bottom:top])
        rows = self.object_list.order_by().in_bulk(keys)
        # A row deleted between the two queries is left out rather than failing the page.
        return [rows[k] for k in keys if k in rows]
