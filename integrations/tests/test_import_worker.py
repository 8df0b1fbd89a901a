"""The import and its rollback run through a real Celery worker, on committed data."""

import time

import pytest

from accounts.tests.factories import ManagerFactory
from common.uploads import private_storage
from integrations.imports import rollback, services
from integrations.models import ImportBatch, ImportStatus
from integrations.tests.import_helpers import catalog, csv_bytes, row, upload
from orders.models import Order, OrderSource, OrderStatus

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(batch_id, status: str, seconds: float = 60) -> ImportBatch:
    deadline = time.monotonic() + seconds
    batch = ImportBatch.objects.get(pk=batch_id)
    while batch.status != status and time.monotonic() < deadline:
        time.sleep(0.2)
        batch.refresh_from_db()
    assert batch.status == status, f"{batch.status}: {batch.message}"
    return batch


@pytest.fixture
def stored_files():
    """The worker reads the same MEDIA_ROOT as this process (the default): remove what we stored."""
    names = []
    yield names
    for name in names:
        private_storage().delete(name)


def test_the_import_and_its_rollback_run_in_the_worker(celery_worker, stored_files):
    catalog()
    manager = ManagerFactory()
    rows = [row(ref="W-1", sku="ARG-50"), row(ref="W-1", sku="SOAP-1"), row(ref="W-2", phone="0612345602")]
    rows.append(row(ref="W-3", phone="bad"))
    batch = services.import_upload(uploaded=upload(csv_bytes(rows)), store_label="worker", actor=manager)
    stored_files.append(batch.stored_file)
    assert batch.status == ImportStatus.READY and batch.valid_orders == 2

    services.import_commit_start(batch_id=batch.pk, actor=manager)
    batch = wait_for(batch.pk, ImportStatus.COMPLETED)

    assert (batch.created_count, batch.duplicate_count, batch.failed_count) == (2, 0, 1)
    assert batch.processed_orders == 3 and batch.progress_percent == 100
    orders = Order.objects.order_by("external_id")
    assert [(o.external_id, o.source, o.external_source) for o in orders] == [
        ("W-1", OrderSource.CSV, "csv:worker"),
        ("W-2", OrderSource.CSV, "csv:worker"),
    ]
    assert len(orders[0].items) == 2

    rollback.import_rollback_start(batch_id=batch.pk, actor=manager)
    batch = wait_for(batch.pk, ImportStatus.ROLLED_BACK)
    assert (batch.cancelled_count, batch.kept_count) == (2, 0)
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CANCELLED}
