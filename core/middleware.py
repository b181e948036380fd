from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired

from .uploads import upload_budget


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Every page needs a login unless its view is marked with @login_not_required."""


class DefaultLanguageMiddleware:
    """Chinese is the default whatever the browser asks for; English only when a user picks it.

    Bureau PCs and phones often carry an English browser locale; LocaleMiddleware would follow
    Accept-Language, so drop it and let the language cookie (set by the switcher) decide.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class UploadBudgetMiddleware:
    """Each request gets its own allowance of files and pixels to decode (core.uploads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with upload_budget():
            return self.get_response(request)
