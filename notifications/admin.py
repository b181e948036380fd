from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import DeliveryStatus
from .models import Delivery, Notification, NotificationPreference, Robot, WebhookEndpoint
from .urlsafety import validate_webhook_url


class RobotAdminForm(forms.ModelForm):
    class Meta:
        model = Robot
        fields = [
            "name",
            "kind",
            "region",
            "hospital",
            "webhook_url",
            "secret",
            "events",
            "at_mobiles",
            "is_active",
            "created_by",
        ]

    def clean_webhook_url(self):
        return validate_webhook_url(self.cleaned_data.get("webhook_url", ""))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "event", "created_at", "read_at"]
    list_filter = ["event", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username", "recipient__full_name"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "target",
        "recipient",
        "robot",
        "event",
        "title",
        "status",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = ["status", "channel", "event"]
    search_fields = [
        "title",
        "dedupe_key",
        "last_error",
        "recipient__username",
        "robot__name",
        "address",
    ]
    raw_id_fields = ["recipient", "robot"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at", "claimed_at", "sent_at"]
    actions = ["retry_failed"]

    @admin.display(description=_("最近错误"))
    def short_error(self, obj):
        return obj.last_error[:120]

    @admin.action(description=_("重试所选的失败记录"))
    def retry_failed(self, request, queryset):
        count = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED):
            count += services.delivery_retry(delivery=delivery, by=request.user)
        self.message_user(request, _("已重新加入发送队列:%(count)s 条") % {"count": count})


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    form = RobotAdminForm
    list_display = ["name", "kind", "region", "hospital", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["hospital", "created_by"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """A look at integration webhooks; they are set up on the site's pages (消息 ▸ Webhook 推送),
    which check the URL and show the secret once. Here the secret is never shown."""

    list_display = ["name", "owner", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url", "owner__username"]
    exclude = ["secret"]
    readonly_fields = ["name", "url", "events", "owner", "created_by"]

    def has_add_permission(self, request):
        return False
