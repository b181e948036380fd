"""Role checks for views. Object visibility is NOT decided here: use `visible_to(user)`."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(*roles: str):
    """Allow only users whose role is in `roles` (superusers always pass); others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and (user.is_superuser or user.role in roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin:
    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and (user.is_superuser or user.role in self.allowed_roles)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
