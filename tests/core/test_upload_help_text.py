"""The upload fields' help text is translated when shown, not when the form class is defined."""

from django.utils import translation
from django.utils.functional import Promise

from core.uploads import EvidenceFileField, MultipleEvidenceField


def test_help_text_is_translated_in_the_language_of_the_reader():
    # Form classes are defined at import, in the default language (Chinese).
    with translation.override("zh-hans"):
        photos = MultipleEvidenceField(required=False, images_only=True)
        evidence = EvidenceFileField(required=False)
    assert isinstance(photos.help_text, Promise)
    assert isinstance(evidence.help_text, Promise)
    with translation.override("en"):
        assert str(photos.help_text) == "JPEG, PNG, WebP images"
    with translation.override("zh-hans"):
        assert str(photos.help_text) == "JPEG、PNG、WebP 图片"
        assert str(evidence.help_text) == "JPEG、PNG、WebP 图片或 PDF"
