from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    CAS = "cas", _("CAS")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
