"""Rewrite every encrypted field with the current FIELD_ENCRYPTION_KEY.

Key rotation: put the new key in FIELD_ENCRYPTION_KEY and the old one in FIELD_ENCRYPTION_KEYS,
restart, run this command, then drop the old key. It also encrypts plaintext values (written
before encryption was switched on). Safe to run again: values already under the current key
are left alone.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Model

from core.fields import EncryptedCharField, reencrypt_queryset


def encrypted_fields() -> list[tuple[type[Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the current FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, names in encrypted_fields():
            with transaction.atomic():
                changed = reencrypt_queryset(model._base_manager.all(), names)
            total += changed
            self.stdout.write(f"{model._meta.label}: {changed} rows rewritten ({', '.join(names)})")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows rewritten."))
