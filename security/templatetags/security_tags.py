from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def days_text(days_left) -> str:
    """Days until a deadline as words: 剩余 5 天 / 今天到期 / 逾期 3 天."""
    if days_left is None:
        return _("未设期限")
    if days_left == 0:
        return _("今天到期")
    if days_left > 0:
        return ngettext("剩余 %(n)d 天", "剩余 %(n)d 天", days_left) % {"n": days_left}
    return ngettext("逾期 %(n)d 天", "逾期 %(n)d 天", -days_left) % {"n": -days_left}


@register.filter
def percent_of(part, whole) -> int:
    try:
        return round(100 * int(part) / int(whole)) if int(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.inclusion_tag("security/_status_badge.html")
def status_badge(state):
    return {"state": state}
