"""Model fields whose values are encrypted at rest (core.crypto: SM4-GCM).

`EncryptedCharField` behaves like a CharField in Python and forms (max_length limits the
plaintext), and stores ``sm4gcm1:<key id>:<base64>`` in a text column. Since every value has a
fresh nonce, the database cannot compare or search them: lookups other than ``isnull`` and
"equals the empty string" are refused loudly rather than silently matching nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import connections, models
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext as _

from . import crypto


class EncryptedCharField(models.CharField):
    description = "A string encrypted at rest (SM4-GCM)"

    def db_type(self, connection: Any) -> str | None:
        # The ciphertext is longer than max_length (prefix, nonce, tag, base64).
        return models.TextField().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None


class EmptyOnlyExact(Exact):
    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                _("加密字段“%(field)s”不能用于查询或搜索。") % {"field": self.lhs.target.name}
            )
        return super().get_prep_lookup()


def reencrypt_queryset(queryset: models.QuerySet[Any], field_names: list[str]) -> int:
    """Rewrite every value of the fields that is plaintext or another key's with the current
    key (reads go through the field, which decrypts with any configured key). Returns the
    number of rows changed. UPDATE by pk: no save(), so no auto_now, history row or signal."""
    model = queryset.model
    manager = model._base_manager.using(queryset.db)
    raw_names = [f"_stored_{name}" for name in field_names]
    # The field decrypts what it reads; a Cast to text reads the stored column as it is.
    rows = (
        queryset.annotate(
            **{
                raw: Cast(name, models.TextField())
                for raw, name in zip(raw_names, field_names, strict=True)
            }
        )
        .order_by("pk")
        .values_list("pk", *field_names, *raw_names)
    )
    changed = 0
    count = len(field_names)
    for pk, *values in rows.iterator():
        plain, stored = values[:count], values[count:]
        updates = {
            name: value
            for name, value, original in zip(field_names, plain, stored, strict=True)
            if original is not None and crypto.needs_rewrite(original)
        }
        if updates:
            manager.filter(pk=pk).update(**updates)
            changed += 1
    return changed


def decrypt_queryset(queryset: models.QuerySet[Any], field_names: list[str]) -> int:
    """Write the fields back as plaintext (reversing the encrypting migrations): a raw UPDATE,
    since the field itself would encrypt again. Returns the number of rows changed."""
    model = queryset.model
    connection = connections[queryset.db]
    qn = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in field_names]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(model._meta.db_table),
        ", ".join(f"{qn(column)} = %s" for column in columns),
        qn(model._meta.pk.column),
    )
    changed = 0
    with connection.cursor() as cursor:
        for pk, *values in queryset.order_by("pk").values_list("pk", *field_names).iterator():
            cursor.execute(sql, [*values, pk])
            changed += 1
    return changed
