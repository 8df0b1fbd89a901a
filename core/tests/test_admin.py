"""Every registered model's admin pages open for a manager, with rows to show."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import ManagerFactory
from orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_changelist_and_add_pages_open(client, model):
    OrderFactory()
    client.force_login(ManagerFactory())
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    model_admin = admin.site._registry[model]
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


def test_the_order_change_page_shows_history_and_keeps_status_read_only(client, raw_sql):
    order = OrderFactory()
    raw_sql("UPDATE orders SET status = 'confirmed' WHERE id = %s", [order.pk])
    client.force_login(ManagerFactory())
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert 'name="status"' not in page
    assert "Confirmed" in page
