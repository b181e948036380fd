from __future__ import annotations

import threading

import pytest
from django.db import connection

from security.choices import ItemAction, ItemKind, ItemStatus
from security.models import ChecklistItem, ItemEvent
from security.services import SecurityError, checklist_ensure, item_confirm
from tests.security.factories import complete_records


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bureau_users_confirming_at_once_record_one_confirmation(
    hospital_a, county_bureau, city_bureau
):
    complete_records(hospital_a)  # nothing short: both may confirm, only one does
    item = next(i for i in checklist_ensure(hospital=hospital_a) if i.kind == ItemKind.GUARDS)
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(user):
        try:
            barrier.wait()
            item_confirm(item=ChecklistItem.objects.get(pk=item.pk), by=user)
            outcomes.append("ok")
        except SecurityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(u,)) for u in (county_bureau, city_bureau)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    item.refresh_from_db()
    assert item.status == ItemStatus.MET
    assert ItemEvent.objects.filter(item=item, action=ItemAction.CONFIRMED).count() == 1
