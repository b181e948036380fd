from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    """Opaque `cursor` links, newest first by primary key: stable while rows are added, and a
    deep page costs the same as the first (an index range, no OFFSET, no COUNT)."""

    ordering = "-pk"
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE
