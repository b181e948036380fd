"""Abstract model pieces shared by the apps (core has no tables of its own)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadIdentity(models.Model):
    """What makes a stored evidence file "the same" as another: the client's per-attempt key
    (a retry of one upload) and the SHA-256 of its bytes (the same file chosen twice). The
    rule that uses them is `core.uploads.existing_upload`; each concrete model adds unique
    constraints on (its target, upload_key) and (its target, sha256) as a last line of defence."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    upload_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class StoredFile(UploadIdentity):
    """An uploaded file as the record keeps it: its name as chosen, type, size, who uploaded it
    and when. The concrete model adds its target, the `file` field (its own upload path) and
    the two constraints `UploadIdentity` asks for."""

    original_name = models.CharField(_("文件名"), max_length=150)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
