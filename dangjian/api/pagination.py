"""List pagination of the API (CONTRACT "Web API").

Every list answers `{"count", "next", "previous", "results"}`; `page_size` (1–500) sets the page length
and `page` the page number. `count` is exact; a view that knows it more cheaply than COUNT(*) (the member
counters on Org) passes it in.

Deep pages: `page=N` costs an OFFSET that grows with N. A view that declares a `keyset` (the columns of its
ORDER BY, which an index serves) also accepts `?after=<key>`: the rows after that key, found by the index,
whatever the depth. Start with `?after=` (empty) and follow `next`; in this mode `previous` is null.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE_ERROR = "每页条数 page_size 应为 1 到 500 之间的整数"


class CountedPaginator(DjangoPaginator):
    """Django's paginator with the total supplied by the caller (no second COUNT(*))."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # `count` is a cached_property


@dataclass(frozen=True)
class Keyset:
    """The ORDER BY columns of a list and how to read each from `?after=a,b`."""

    fields: tuple[str, ...]
    types: tuple[type, ...]
    example: str

    def parse(self, raw: str) -> tuple | None:
        if raw == "":
            return None
        parts = raw.split(",")
        if len(parts) != len(self.fields):
            raise ValidationError({"after": [f"游标“{raw}”无效，格式应为 {self.example}"]})
        try:
            return tuple(t(p) for t, p in zip(self.types, parts, strict=True))
        except ValueError:
            raise ValidationError({"after": [f"游标“{raw}”无效，格式应为 {self.example}"]}) from None

    def after_q(self, key: tuple) -> Q:
        """Rows strictly after `key` in (f1, f2, …) order: f1 > a OR (f1 = a AND f2 > b) OR …"""
        q = Q()
        for i in range(len(self.fields)):
            term = Q(**{f"{self.fields[i]}__gt": key[i]})
            for j in range(i):
                term &= Q(**{self.fields[j]: key[j]})
            q |= term
        return q

    def key_of(self, obj) -> str:
        return ",".join(str(getattr(obj, f)) for f in self.fields)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "after"
    invalid_page_message = "页码“{page_number}”无效"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [PAGE_SIZE_ERROR]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [PAGE_SIZE_ERROR]})
        return size

    def paginate_queryset(self, queryset, request, view=None, *, count: int | None = None):
        """`count`: the exact total when the caller already knows it (else COUNT(*))."""
        self.keyset_mode = False
        keyset: Keyset | None = getattr(view, "keyset", None)
        if keyset is not None and self.cursor_query_param in request.query_params:
            return self._keyset_page(queryset, request, keyset, count)

        def paginator(object_list, per_page):
            return CountedPaginator(object_list, per_page, count=count)

        self.django_paginator_class = paginator
        return super().paginate_queryset(queryset, request, view)

    def _keyset_page(self, queryset, request, keyset: Keyset, count):
        self.keyset_mode = True
        self.request = request
        size = self.get_page_size(request)
        key = keyset.parse(request.query_params.get(self.cursor_query_param, "").strip())
        self.keyset_count = queryset.count() if count is None else count
        rows = queryset.filter(keyset.after_q(key)) if key is not None else queryset
        rows = list(rows[: size + 1])
        self.keyset_next = keyset.key_of(rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def get_next_link(self):
        if getattr(self, "keyset_mode", False):
            if self.keyset_next is None:
                return None
            url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
            return replace_query_param(url, self.cursor_query_param, self.keyset_next)
        return super().get_next_link()

    def get_previous_link(self):
        if getattr(self, "keyset_mode", False):
            return None
        return super().get_previous_link()

    def get_paginated_response(self, data):
        if getattr(self, "keyset_mode", False):
            return Response({"count": self.keyset_count, "next": self.get_next_link(), "previous": None, "results": data})
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.page_query_param:
                p["description"] = "页码（从 1 开始）"
            elif p["name"] == self.page_size_query_param:
                p["description"] = "每页条数，1 到 500，默认 50"
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        keyset: Keyset | None = getattr(view, "keyset", None)
        if keyset is not None:
            params.append({
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (f"游标分页（适合翻到很深的页）：返回排在该游标之后的记录，格式 {keyset.example}；"
                                "首页传空值 ?after= ，之后沿用返回的 next 链接；此时 previous 为 null"),
                "schema": {"type": "string"},
            })
        return params
