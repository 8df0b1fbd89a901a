"""Import services: per-row errors, preview without writes, commit through intake, duplicates, rollback."""

from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from accounts.tests.factories import ManagerFactory
from catalog.models import Product
from customers.models import Customer
from integrations.imports import rollback, services
from integrations.imports.report import report_lines
from integrations.models import ImportBatch, ImportOutcome, ImportRow, ImportStatus
from integrations.tests.import_helpers import catalog, csv_bytes, errors_of, row, upload
from orders.models import Order, OrderHistory, OrderSource, OrderStatus
from orders.services.assignment import order_add_note
from orders.services.transitions import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AUTO_ASSIGN_REPS = False
    settings.DEFAULT_DELIVERY_FEE = "30.00"
    catalog()


@pytest.fixture
def manager():
    return ManagerFactory()


def preview(manager, rows, label="", **csv):
    return services.import_upload(uploaded=upload(csv_bytes(rows, **csv)), store_label=label, actor=manager)


def run(batch, manager) -> ImportBatch:
    """Start the import as the page does, then run the worker's part here."""
    services.import_commit_start(batch_id=batch.pk, actor=manager)
    return services.import_commit_run(batch_id=batch.pk)


# --- Preview --------------------------------------------------------------------------------------------


def test_each_error_names_the_row_as_in_the_file_its_column_and_the_reason(manager):
    batch = preview(
        manager,
        [
            row(ref="1", phone="0612345601"),  # row 2: fine
            row(ref="2", phone="12"),  # row 3: bad phone
            row(ref="3", phone="0612345603", sku="NOPE"),  # row 4: unknown SKU
            row(ref="4", phone="0612345604", qty="0"),  # row 5: quantity 0
            row(ref="5", phone="0612345605", address=""),  # row 6: no address, unknown customer
            row(ref="6", phone="0612345606", price="abc"),  # row 7: bad price
            row(ref="7", phone="0612345607", price="-5"),  # row 8: negative price
        ],
    )
    assert batch.status == ImportStatus.READY
    assert errors_of(batch) == [
        (3, "Phone", "'12' is not a valid phone number."),
        (4, "SKU", "No product with SKU 'NOPE'."),
        (5, "Quantity", "Enter a whole number of items between 1 and 1000."),
        (6, "Address", "A delivery address is required for cash on delivery."),
        (7, "Price", "Enter a price such as 149.00."),
        (8, "Price", "The price must be between 0 and 1,000,000."),
    ]
    assert (batch.total_rows, batch.total_orders, batch.valid_orders, batch.invalid_orders) == (7, 7, 1, 6)
    rows = {r["row"]: r["errors"] for r in batch.preview["rows"]}
    assert rows[2] == [] and rows[4] == ["SKU: No product with SKU 'NOPE'."]


def test_errors_use_the_files_own_column_names(manager):
    header = ["Commande", "Tél", "Nom", "Adresse", "Ville", "Zone", "Ref", "Qté", "Prix", "Livraison", "Note"]
    batch = preview(manager, [row(phone="x", sku="NOPE")], header=header, delimiter=";")
    assert [(r, c) for r, c, _ in errors_of(batch)] == [(2, "Tél"), (2, "Ref")]


def test_a_returning_customer_needs_no_address_in_the_file(manager):
    Customer.objects.create(full_name="Known", phone="+212612345609", address="7 Rue Known")
    batch = preview(manager, [row(phone="0612345609", address="")])
    assert errors_of(batch) == [] and batch.valid_orders == 1


def test_the_preview_writes_no_order_and_no_customer(manager):
    before = (Order.objects.count(), Customer.objects.count(), Product.objects.get(sku="ARG-50").stock_quantity)
    batch = preview(manager, [row(ref=str(n), phone=f"06123456{n:02d}") for n in range(10)])
    assert batch.valid_orders == 10
    after = (Order.objects.count(), Customer.objects.count(), Product.objects.get(sku="ARG-50").stock_quantity)
    assert after == before
    assert list(ActivityLog.objects.values_list("action", flat=True)) == ["import_uploaded"]
    assert not ImportRow.objects.exists()


def test_a_non_manager_cannot_use_the_service():
    from accounts.tests.factories import RepFactory
    from common.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_upload(uploaded=upload(csv_bytes([row()])), store_label="", actor=RepFactory())


# --- Commit -----------------------------------------------------------------------------------------------


def test_commit_creates_the_orders_through_intake_with_source_csv(manager):
    batch = preview(
        manager,
        [
            row(ref="A-1", phone="0612345601", sku="ARG-50", qty="2", price="120,50", fee="25"),
            row(ref="A-2", phone="0612345602", sku="SOAP-1", qty="3"),  # catalog price, area fee
            row(ref="A-3", phone="bad"),
        ],
        label="Shop Casa",
    )
    batch = run(batch, manager)
    assert batch.status == ImportStatus.COMPLETED
    assert (batch.created_count, batch.duplicate_count, batch.failed_count) == (2, 0, 1)
    first, second = Order.objects.get(external_id="A-1"), Order.objects.get(external_id="A-2")
    assert first.source == second.source == OrderSource.CSV
    assert first.external_source == "csv:shop-casa"
    assert first.prices_from_source and first.items[0]["unit_price"] == "120.50"
    assert (first.subtotal, first.delivery_fee, first.total_amount) == (
        Decimal("241.00"),
        Decimal("25.00"),
        Decimal("266.00"),
    )
    assert not second.prices_from_source and second.items[0]["unit_price"] == "33.33"
    assert second.delivery_fee == Decimal("30.00")
    assert first.customer.phone == "+212612345601" and first.customer.full_name == "Nadia Tazi"
    assert OrderHistory.objects.filter(order=first, new_status=OrderStatus.NEW).count() == 1
    failed = ImportRow.objects.get(batch=batch, outcome=ImportOutcome.FAILED)
    assert failed.errors == [{"row": 4, "column": "Phone", "reason": "'bad' is not a phone number."}]


def test_rows_sharing_an_order_reference_are_one_order_with_several_items(manager):
    batch = preview(
        manager,
        [
            row(ref="M-1", sku="ARG-50", qty="1"),
            row(ref="M-2", phone="0612345602", sku="SOAP-1"),
            row(ref="M-1", phone="", name="", address="", sku="SOAP-1", qty="2"),  # details only on the first row
        ],
    )
    assert (batch.total_rows, batch.total_orders, batch.preview["multi_line_orders"]) == (3, 2, 1)
    batch = run(batch, manager)
    order = Order.objects.get(external_id="M-1")
    assert [(i["sku"], i["quantity"]) for i in order.items] == [("ARG-50", 1), ("SOAP-1", 2)]
    assert order.subtotal == Decimal("216.65")
    assert ImportRow.objects.get(batch=batch, external_id="M-1").row_numbers == [2, 4]


def test_rows_of_one_order_with_different_phones_are_an_error(manager):
    batch = preview(manager, [row(ref="P-1"), row(ref="P-1", phone="0661234567", sku="SOAP-1")])
    assert errors_of(batch) == [(3, "Phone", "Order P-1 has another phone on row 2: all its rows must have the same.")]


def test_an_error_found_by_intake_at_commit_is_put_back_on_its_row_and_column(manager):
    batch = preview(manager, [row(ref="L-1", sku="ARG-50"), row(ref="L-1", sku="SOAP-1")])
    Product.objects.filter(sku="SOAP-1").update(is_active=False)  # between the preview and the import
    batch = run(batch, manager)
    assert batch.failed_count == 1
    assert ImportRow.objects.get(batch=batch).errors == [
        {"row": 3, "column": "SKU", "reason": "Black Soap is no longer sold."}
    ]


def test_importing_the_same_file_again_creates_nothing_and_counts_duplicates(manager):
    rows = [row(ref=str(n), phone=f"06123456{n:02d}") for n in range(5)]
    first = run(preview(manager, rows), manager)
    assert first.created_count == 5
    again = preview(manager, rows)
    assert again.external_source == first.external_source  # the file's hash
    assert again.preview["already_imported"] == 5
    again = run(again, manager)
    assert (again.created_count, again.duplicate_count, again.failed_count) == (0, 5, 0)
    assert Order.objects.count() == 5


def test_a_store_label_recognises_orders_already_imported_from_another_file(manager):
    run(preview(manager, [row(ref="S-1"), row(ref="S-2", phone="0612345602")], label="youcan"), manager)
    batch = run(
        preview(manager, [row(ref="S-2", phone="0612345602"), row(ref="S-3", phone="0612345603")], label="youcan"),
        manager,
    )
    assert (batch.created_count, batch.duplicate_count) == (1, 1)
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["S-1", "S-2", "S-3"]


def test_rows_without_a_reference_are_keyed_by_their_content(manager):
    header = [h for h in csv_bytes([]).decode().strip().split(",") if h != "Order ID"]
    rows = [row()[1:], row()[1:], row(phone="0612345602")[1:]]  # two identical rows: two orders
    batch = run(preview(manager, rows, header=header), manager)
    assert batch.created_count == 3
    keys = sorted(ImportRow.objects.filter(batch=batch).values_list("external_id", flat=True))
    assert all(key.startswith("row-") for key in keys) and len(set(keys)) == 3
    again = run(preview(manager, rows, header=header), manager)
    assert (again.created_count, again.duplicate_count) == (0, 3)


def test_running_the_job_twice_does_nothing_more(manager):
    batch = run(preview(manager, [row()]), manager)
    assert services.import_commit_run(batch_id=batch.pk) is None  # completed: the status guard
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)  # a redelivered task
    batch = services.import_commit_run(batch_id=batch.pk)
    assert (batch.created_count, batch.duplicate_count) == (1, 0)
    assert ImportRow.objects.filter(batch=batch).count() == 1 and Order.objects.count() == 1


def test_a_batch_whose_orders_all_have_errors_cannot_be_started(manager):
    from common.errors import DomainError

    batch = preview(manager, [row(phone="bad")])
    with pytest.raises(DomainError, match="Nothing to import"):
        services.import_commit_start(batch_id=batch.pk, actor=manager)


def test_the_report_lists_every_order_with_its_outcome(manager):
    batch = run(preview(manager, [row(ref="R-1"), row(ref="R-2", phone="bad", sku="NOPE")]), manager)
    lines = list(report_lines(batch))
    number = Order.objects.get(external_id="R-1").order_number
    assert lines[0][:5] == [2, "2", "R-1", "Created", number]
    assert [line[5:7] for line in lines[1:]] == [
        ["Phone", "'bad' is not a phone number."],
        ["SKU", "No product with SKU 'NOPE'."],
    ]


# --- Rollback ---------------------------------------------------------------------------------------------


def test_rollback_cancels_new_untouched_orders_and_keeps_those_that_moved_on(manager):
    rows = [row(ref=f"B-{n}", phone=f"06123456{n:02d}") for n in range(4)]
    batch = run(preview(manager, rows), manager)
    confirmed, noted = Order.objects.get(external_id="B-1"), Order.objects.get(external_id="B-2")
    order_transition(order_id=confirmed.pk, to_status=OrderStatus.CONFIRMED, actor=manager)
    order_add_note(order_id=noted.pk, actor=manager, text="Customer called us")

    rollback.import_rollback_start(batch_id=batch.pk, actor=manager)
    batch = rollback.import_rollback_run(batch_id=batch.pk)

    assert batch.status == ImportStatus.ROLLED_BACK
    assert (batch.cancelled_count, batch.kept_count) == (2, 2)
    statuses = dict(Order.objects.values_list("external_id", "status"))
    assert statuses == {"B-0": "cancelled", "B-1": "confirmed", "B-2": "new", "B-3": "cancelled"}
    cancelled = Order.objects.get(external_id="B-0")
    assert cancelled.history.order_by("-created_at").first().notes == "Import rolled back"
    notes = dict(ImportRow.objects.filter(batch=batch).values_list("external_id", "rollback_note"))
    assert notes["B-1"] == f"{confirmed.order_number} is confirmed: kept."
    assert "worked on since the import" in notes["B-2"]
    assert Product.objects.get(sku="ARG-50").stock_quantity == 98  # the confirmed order still holds its stock


def test_rollback_is_refused_before_the_import_ran(manager):
    from common.errors import DomainError

    batch = preview(manager, [row()])
    with pytest.raises(DomainError, match="Only a finished import"):
        rollback.import_rollback_start(batch_id=batch.pk, actor=manager)


def test_duplicates_are_not_rolled_back_with_the_batch_that_found_them(manager):
    rows = [row()]
    run(preview(manager, rows), manager)
    again = run(preview(manager, rows), manager)
    with pytest.raises(Exception, match="Only a finished import that created orders"):
        rollback.import_rollback_start(batch_id=again.pk, actor=manager)
    assert Order.objects.get().status == OrderStatus.NEW
