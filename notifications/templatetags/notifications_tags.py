from __future__ import annotations

from django import template

from notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """The nav-bar badge: one COUNT query per page, cached on the request."""
    request = context.get("request")
    user = getattr(request, "user", None) if request else context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notification_count", None) if request else None
    if cached is not None:
        return cached
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if request is not None:
        request._unread_notification_count = count
    return count
