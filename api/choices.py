from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do. `write` includes `read`."""

    READ = "read", _("只读")
    WRITE = "write", _("读写")
