"""Abstract model pieces shared by the apps (core has no tables of its own)."""

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
