"""Import pages through HTTP: access by role, upload and preview, hostile cells, the report, refusals."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountantFactory, AdminFactory, AgentFactory, ManagerFactory, RepFactory
from core.tests.test_security_headers import inline_code
from integrations.imports import services
from integrations.imports.columns import map_columns
from integrations.models import ImportBatch, ImportRow, ImportStatus
from integrations.tests.import_helpers import catalog, csv_bytes, row, upload
from orders.models import Order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AUTO_ASSIGN_REPS = False
    catalog()


@pytest.fixture
def manager(client):
    user = ManagerFactory()
    client.force_login(user)
    return user


def post_file(client, content: bytes, name="orders.csv", label=""):
    return client.post(reverse("integrations:import_upload"), {"file": upload(content, name), "store_label": label})


def batch_for(user, rows) -> ImportBatch:
    return services.import_upload(uploaded=upload(csv_bytes(rows)), store_label="", actor=user)


# --- Access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "status"),
    [(AdminFactory, 200), (ManagerFactory, 200), (RepFactory, 403), (AgentFactory, 403), (AccountantFactory, 403)],
)
def test_only_admins_and_managers_see_and_start_imports(client, factory, status):
    client.force_login(factory())
    assert client.get(reverse("integrations:import_list")).status_code == status
    assert client.get(reverse("integrations:import_upload")).status_code == status
    batch = batch_for(ManagerFactory(), [row()])
    assert client.get(reverse("integrations:import_detail", args=[batch.pk])).status_code == status
    assert client.get(reverse("integrations:import_status", args=[batch.pk]), **HTMX).status_code == status
    assert client.get(reverse("integrations:import_report", args=[batch.pk])).status_code == status


def test_viewing_without_the_right_to_import_shows_no_import_buttons(client):
    viewer = ManagerFactory(permissions={"integrations": {"create": False}})
    client.force_login(viewer)
    batch = batch_for(ManagerFactory(), [row()])
    page = client.get(reverse("integrations:import_detail", args=[batch.pk]))
    assert page.status_code == 200 and reverse("integrations:import_commit", args=[batch.pk]) not in page.text
    assert client.post(reverse("integrations:import_commit", args=[batch.pk])).status_code == 403
    assert client.get(reverse("integrations:import_upload")).status_code == 403


def test_a_rep_may_not_import_even_with_orders_create(client):
    client.force_login(RepFactory())
    assert post_file(client, csv_bytes([row()])).status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_polled_fragment_tells_htmx_to_stop_when_the_session_ended(client):
    batch = batch_for(ManagerFactory(), [row()])
    assert client.get(reverse("integrations:import_status", args=[batch.pk]), **HTMX).status_code == 286


# --- Upload, preview, commit ---------------------------------------------------------------------------------


def test_upload_shows_the_preview_with_row_numbers_and_errors(client, manager):
    response = post_file(client, csv_bytes([row(), row(ref="1002", phone="12")]), label="Shop")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "integrations:import_detail", args=[batch.pk]
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Import 1 order" in page.text
    assert "&#x27;12&#x27; is not a valid phone number." in page.text
    assert inline_code(page) == []
    assert Order.objects.count() == 0


def test_commit_queues_the_job_and_the_page_polls_its_progress(client, manager):
    batch = batch_for(manager, [row()])
    response = client.post(reverse("integrations:import_commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED
    fragment = client.get(reverse("integrations:import_status", args=[batch.pk]), **HTMX)
    assert 'hx-trigger="every 1s"' in fragment.text and "<progress" in fragment.text
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, processed_orders=0)
    services.import_commit_run(batch_id=batch.pk)
    fragment = client.get(reverse("integrations:import_status", args=[batch.pk]), **HTMX)
    assert "hx-trigger" not in fragment.text and "Download the report" in fragment.text
    assert "Roll back this import" in fragment.text


def test_rollback_is_started_from_the_page(client, manager):
    batch = batch_for(manager, [row()])
    services.import_commit_start(batch_id=batch.pk, actor=manager)
    services.import_commit_run(batch_id=batch.pk)
    response = client.post(reverse("integrations:import_rollback", args=[batch.pk]), follow=True)
    assert response.status_code == 200 and "Rolling back" in response.text
    assert ImportBatch.objects.get().status == ImportStatus.ROLLING_BACK


def test_starting_an_import_twice_says_why_not(client, manager):
    batch = batch_for(manager, [row()])
    client.post(reverse("integrations:import_commit", args=[batch.pk]))
    response = client.post(reverse("integrations:import_commit", args=[batch.pk]), follow=True)
    assert "cannot be started now" in response.text


# --- Hostile cells --------------------------------------------------------------------------------------------


def test_hostile_cell_values_are_escaped_in_the_preview(client, manager):
    rows = [row(name=HOSTILE, address='<img src=x onerror="alert(1)">', sku=HOSTILE, notes="javascript:alert(1)")]
    post_file(client, csv_bytes(rows))
    page = client.get(reverse("integrations:import_detail", args=[ImportBatch.objects.get().pk]))
    assert HOSTILE not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.text
    assert inline_code(page) == []


def test_hostile_file_names_and_headers_are_escaped(client, manager):
    header = ["Phone", "SKU", "Address", HOSTILE]
    post_file(client, csv_bytes([["0612345600", "ARG-50", "1 Rue", "x"]], header=header), name=f"{HOSTILE}.csv")
    batch = ImportBatch.objects.get()
    for url in (reverse("integrations:import_detail", args=[batch.pk]), reverse("integrations:import_list")):
        page = client.get(url)
        assert HOSTILE not in page.text and inline_code(page) == []


def test_the_downloaded_report_neutralises_formulas(client, manager):
    rows = [
        row(ref='=HYPERLINK("http://evil","x")', phone="=1+1"),
        row(ref="@SUM(A1)", phone="0612345601", sku="+cmd|' /C calc'!A0"),
        row(ref="-2+3", phone="0612345602", sku="NOPE"),
    ]
    batch = batch_for(manager, rows)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
    services.import_commit_run(batch_id=batch.pk)
    response = client.get(reverse("integrations:import_report", args=[batch.pk]))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["Row", "All rows", "Order reference", "Outcome"]
    cells = [cell for line in lines[1:] for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://evil","x")' in cells and "'@SUM(A1)" in cells and "'-2+3" in cells
    assert ImportRow.objects.filter(batch=batch, outcome="failed").count() == 3


# --- Refused uploads -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7\n%%EOF", "orders.csv", "This is a PDF file, not a spreadsheet"),
        (b"\x00\x01\x02\x03" * 500, "orders.csv", "not a CSV or XLSX spreadsheet"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "orders.xlsx", "This is a PNG file, not a spreadsheet"),
        (b"", "orders.csv", "empty"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_clear_message(client, manager, content, name, message):
    response = post_file(client, content, name=name)
    assert response.status_code == 400
    assert message in response.text
    assert not ImportBatch.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(client, manager, settings):
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    response = post_file(client, b"Phone,SKU\n" + b"0612345600,ARG-50\n" * 150_000)
    assert response.status_code == 400 and "The file is too large: the limit is 2 MB." in response.text
    assert not ImportBatch.objects.exists()


def test_a_large_file_is_checked_by_the_worker_with_a_progress_page(client, manager, settings):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    response = post_file(client, csv_bytes([row()]))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.ANALYSING
    page = client.get(response["Location"])
    assert "Checking every row" in page.text and 'hx-trigger="every 1s"' in page.text
    services.import_analyse(batch_id=batch.pk)
    assert ImportBatch.objects.get().status == ImportStatus.READY


# --- Templates ----------------------------------------------------------------------------------------------------


def test_the_templates_download_with_every_column_recognised(client, manager):
    from openpyxl import load_workbook

    text = client.get(reverse("integrations:import_template_csv")).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    workbook = load_workbook(io.BytesIO(client.get(reverse("integrations:import_template_xlsx")).content))
    assert [cell.value for cell in next(workbook.active.iter_rows(max_row=1))] == header
    columns = map_columns(header)
    assert not columns.ignored and not columns.missing and len(columns.index) == len(header)
