"""API clients choose their language with Accept-Language. The site itself ignores that header
(core.middleware.DefaultLanguageMiddleware drops it: Chinese unless the person picks English),
so for /api/ requests it is kept aside here, before that middleware runs, for the API views."""

from __future__ import annotations

STASH = "api.accept_language"


class ApiAcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META:
            request.META[STASH] = request.META["HTTP_ACCEPT_LANGUAGE"]
        return self.get_response(request)
