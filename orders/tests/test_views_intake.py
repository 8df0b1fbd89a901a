"""The new-order page, its fragments, the confirmation queue and the item editor, through HTTP."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityLog, Availability
from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory
from catalog.tests.factories import ProductFactory
from core.tests.test_security_headers import inline_code
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from orders.intake_selectors import AREA_NAMES_CACHE_KEY
from orders.models import CallAttempt, DeliveryArea, Order, OrderSource, Priority
from orders.models import OrderStatus as S
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def setup(settings):
    settings.AUTO_ASSIGN_REPS = False
    settings.DEFAULT_DELIVERY_FEE = "30.00"
    DeliveryArea.objects.create(name="Maarif", delivery_fee=Decimal("25.00"))
    cache.delete(AREA_NAMES_CACHE_KEY)


@pytest.fixture
def rep(client):
    user = RepFactory(full_name="Salma Idrissi")
    client.force_login(user)
    return user


@pytest.fixture
def serum():
    return ProductFactory(sku="ARG-50", name="Argan Oil Serum", price=Decimal("149.99"))


@pytest.fixture
def soap():
    return ProductFactory(sku="SOAP-1", name="Black Soap", price=Decimal("33.33"))


def new_order_data(**overrides):
    data = {
        "phone": "06 12 34 56 78",
        "full_name": "Nadia Tazi",
        "delivery_address": "12 Rue Ibn Sina",
        "delivery_area": "Maarif",
        "priority": "high",
        "customer_notes": "Ring twice",
        "internal_notes": "",
        "item_sku": ["ARG-50", "SOAP-1", ""],
        "item_qty": ["2", "3", "1"],
    }
    data.update(overrides)
    return data


# --- New order -------------------------------------------------------------------------------------
def test_a_rep_creates_a_manual_order_for_a_new_customer(client, rep, serum, soap):
    response = client.post(reverse("orders:create"), new_order_data())
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", kwargs={"order_id": order.pk})
    assert (order.source, order.priority, order.customer_notes) == (OrderSource.MANUAL, Priority.HIGH, "Ring twice")
    assert order.customer.phone == "+212612345678"
    assert (order.customer.full_name, order.customer.address) == ("Nadia Tazi", "12 Rue Ibn Sina")
    # 2 x 149.99 + 3 x 33.33 = 399.97, + Maarif 25.00
    assert (order.subtotal, order.delivery_fee, order.total_amount) == (
        Decimal("399.97"),
        Decimal("25.00"),
        Decimal("424.97"),
    )
    assert ActivityLog.objects.get(action="order_created").user == rep
    followed = client.get(response["Location"])
    assert f"Order {order.order_number} created" in followed.content.decode()


def test_the_page_works_without_javascript(client, rep):
    page = client.get(reverse("orders:create")).content.decode()
    # Three blank rows to type SKUs into, and a plain POST form.
    assert page.count('name="item_sku"') == 3 + 1  # plus the hidden <template> row
    assert f'action="{reverse("orders:create")}"' in page and 'method="post"' in page
    assert '<datalist id="area-names"><option value="Maarif">' in page


def test_errors_are_shown_next_to_their_fields_and_rows_with_everything_typed_kept(client, rep, serum):
    data = new_order_data(
        phone="12", internal_notes=HOSTILE, item_sku=["ARG-50", "NOPE", "ARG-50"], item_qty=["1", "1", "0"]
    )
    response = client.post(reverse("orders:create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Order.objects.exists() and not Customer.objects.exists()
    assert "is not a valid phone number" in page or "is not a phone number" in page
    rows = re.findall(r'<tr class="item-row[^"]*" data-item-row>(.*?)</tr>', page, re.S)
    assert 'value="ARG-50"' in rows[0] and "field-error" not in rows[0]
    assert 'value="NOPE"' in rows[1] and "No product with SKU" in rows[1]
    assert 'value="0"' in rows[2] and "Enter a whole number of items" in rows[2]
    assert 'value="Nadia Tazi"' in page and "12 Rue Ibn Sina</textarea>" in page
    assert HOSTILE not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert inline_code(response) == []


def test_an_order_without_items_says_so(client, rep):
    page = client.post(reverse("orders:create"), new_order_data(item_sku=["", ""], item_qty=["1", "1"]))
    assert "Add at least one item." in page.content.decode()


def test_the_customer_lookup_shows_risk_blacklist_and_recent_orders(client, rep):
    customer = CustomerFactory(
        phone="+212612345678", full_name=HOSTILE, refused_orders=2, is_blacklisted=True, blacklist_reason="Fake <b>"
    )
    OrderFactory(customer=customer, assigned_rep=rep)
    page = client.get(reverse("orders:customer_lookup"), {"phone": "0612345678"}, **HTMX).content.decode()
    assert "returning customer" in page
    assert "Blacklisted: Fake &lt;b&gt;" in page
    assert 'class="risk-high"' in page and "Refused 2 orders" in page
    assert "1 in the last 30 days" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page


def test_the_customer_lookup_says_when_the_customer_is_new(client, rep):
    page = client.get(reverse("orders:customer_lookup"), {"phone": "+212 6 99 88 77 66"}, **HTMX).content.decode()
    assert "new customer" in page and "+212699887766" in page


def test_product_search_finds_active_products_by_partial_name_and_sku(client, rep, serum, soap):
    ProductFactory(sku="ARG-OLD", name="Argan Oil Classic", is_active=False)
    ProductFactory(
        sku="TS",
        name="T-shirt",
        variants=[{"id": "var-a", "name": "Red", "sku": "TS-RED", "price": 109.5, "stock": 3}],
    )

    def found(query):
        page = client.get(reverse("orders:product_search"), {"q": query}, **HTMX).content.decode()
        return set(re.findall(r'data-add-sku="([^"]+)"', page))

    assert found("arg") == {"ARG-50"}
    assert found("oil ser") == {"ARG-50"}
    assert found("soap-") == {"SOAP-1"}
    assert found("ts-r") == {"TS-RED"}
    assert found("nothing like it") == set()
    assert found("'&:*|!") == set()  # tsquery syntax is not passed through


def test_the_quote_totals_the_lines_to_the_cent_and_flags_bad_rows(client, rep, serum, soap):
    url = reverse("orders:quote")
    page = client.post(url, new_order_data(), **HTMX).content.decode()
    assert "399.97" in page and "25.00" in page and "424.97 MAD" in page
    page = client.post(url, new_order_data(item_sku=["ARG-50", "NOPE"], item_qty=["1", "1"]), **HTMX).content.decode()
    assert "No product with SKU &#x27;NOPE&#x27;." in page
    assert 'Total to collect</dt><dd class="total">—' in page


def test_a_possible_duplicate_is_shown_as_a_warning_not_a_block(client, rep, serum, soap):
    customer = CustomerFactory(phone="+212612345678")
    earlier = OrderFactory(customer=customer, items=[item_for(serum)], assigned_rep=rep)
    page = client.post(reverse("orders:quote"), new_order_data(), **HTMX).content.decode()
    assert "Possible duplicate" in page and earlier.order_number in page
    response = client.post(reverse("orders:create"), new_order_data())
    assert response.status_code == 302
    created = Order.objects.exclude(pk=earlier.pk).get()
    assert (created.is_possible_duplicate, created.duplicate_of) == (True, earlier)


def test_a_cancelled_or_old_order_is_no_duplicate(client, rep, serum, raw_sql):
    customer = CustomerFactory(phone="+212612345678")
    OrderFactory(customer=customer, items=[item_for(serum)], status=S.CANCELLED)
    old = OrderFactory(customer=customer, items=[item_for(serum)])
    raw_sql("UPDATE orders SET created_at = now() - interval '3 days' WHERE id = %s", [old.pk])
    page = client.post(reverse("orders:quote"), new_order_data(), **HTMX).content.decode()
    assert "Possible duplicate" not in page


# --- The queue -------------------------------------------------------------------------------------
def queue_numbers(page: str) -> list[str]:
    return re.findall(r'class="qnum"[^>]*>(ORD-\d+)<', page)


def test_a_rep_sees_their_queue_in_calling_order(client, rep, raw_sql):
    now = timezone.now()
    late = OrderFactory(assigned_rep=rep, priority=Priority.LOW)
    due = OrderFactory(assigned_rep=rep, status=S.CONFIRMATION_PENDING, callback_at=now - timedelta(minutes=5))
    later = OrderFactory(assigned_rep=rep, status=S.CONFIRMATION_PENDING, callback_at=now + timedelta(hours=3))
    high = OrderFactory(assigned_rep=rep, priority=Priority.HIGH)
    raw_sql("UPDATE orders SET created_at = now() - interval '2 hours' WHERE id = %s", [late.pk])
    OrderFactory(assigned_rep=RepFactory())  # another rep's
    OrderFactory(assigned_rep=rep, status=S.CONFIRMED)  # no longer waiting
    response = client.get(reverse("orders:queue"))
    page = response.content.decode()
    assert queue_numbers(page) == [due.order_number, high.order_number, late.order_number, later.order_number]
    assert f'href="tel:{due.customer.phone}"' in page
    assert inline_code(response) == []


@pytest.mark.parametrize(
    ("data", "status", "in_queue"),
    [
        ({"outcome": "confirmed"}, S.CONFIRMED, False),
        ({"outcome": "no_answer"}, S.CONFIRMATION_PENDING, True),
        ({"outcome": "wrong_number"}, S.CONFIRMATION_PENDING, True),
        ({"outcome": "call_back", "callback_at": "CALLBACK"}, S.CONFIRMATION_PENDING, True),
        ({"outcome": "refused", "reason": "Changed her mind"}, S.CANCELLED, False),
        ({"outcome": "duplicate", "reason": "ORD-000001"}, S.CANCELLED, False),
    ],
)
def test_each_outcome_moves_the_order_and_answers_with_its_row(client, rep, data, status, in_queue):
    order = OrderFactory(assigned_rep=rep)
    if data.get("callback_at") == "CALLBACK":
        data = data | {"callback_at": f"{timezone.localtime() + timedelta(days=1):%Y-%m-%dT%H:%M}"}
    response = client.post(reverse("orders:record_call", kwargs={"order_id": order.pk}), data, **HTMX)
    page = response.content.decode()
    order.refresh_from_db()
    assert response.status_code == 200
    assert order.status == status
    assert CallAttempt.objects.get(order=order).outcome == data["outcome"]
    assert f'id="q-{order.pk}"' in page
    if in_queue:
        assert "Call recorded." in page and "1 call" in page
    else:
        assert "has left the queue" in page
    if data["outcome"] == "call_back":
        assert order.callback_at is not None and "Call back " in page


def test_a_refusal_without_a_reason_is_refused_in_the_row_and_writes_nothing(client, rep):
    order = OrderFactory(assigned_rep=rep)
    response = client.post(reverse("orders:record_call", kwargs={"order_id": order.pk}), {"outcome": "refused"}, **HTMX)
    order.refresh_from_db()
    assert "Say why the customer refused the order." in response.content.decode()
    assert (order.status, CallAttempt.objects.count()) == (S.NEW, 0)
    assert '<details class="more-outcomes" open>' in response.content.decode()


def test_a_past_callback_time_is_refused(client, rep):
    order = OrderFactory(assigned_rep=rep)
    past = f"{timezone.localtime() - timedelta(hours=1):%Y-%m-%dT%H:%M}"
    url = reverse("orders:record_call", kwargs={"order_id": order.pk})
    response = client.post(url, {"outcome": "call_back", "callback_at": past}, **HTMX)
    assert "The callback time must be in the future." in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_a_call_on_an_order_already_confirmed_says_so(client, rep):
    order = OrderFactory(assigned_rep=rep, status=S.CONFIRMED)
    url = reverse("orders:record_call", kwargs={"order_id": order.pk})
    response = client.post(url, {"outcome": "no_answer"}, **HTMX)
    assert "has left the queue" in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_without_htmx_a_call_redirects_back_to_the_queue_with_a_message(client, rep):
    order = OrderFactory(assigned_rep=rep)
    response = client.post(reverse("orders:record_call", kwargs={"order_id": order.pk}), {"outcome": "refused"})
    assert response.status_code == 302 and response["Location"] == reverse("orders:queue")
    assert "Say why the customer refused the order." in client.get(response["Location"]).content.decode()


def test_a_rep_cannot_record_a_call_on_another_reps_order(client, rep):
    order = OrderFactory(assigned_rep=RepFactory())
    response = client.post(reverse("orders:record_call", kwargs={"order_id": order.pk}), {"outcome": "confirmed"})
    order.refresh_from_db()
    assert response.status_code == 404
    assert (order.status, CallAttempt.objects.count()) == (S.NEW, 0)


@pytest.mark.parametrize("factory", [AgentFactory, AccountantFactory])
def test_agents_and_accountants_have_no_queue(client, factory):
    client.force_login(factory())
    order = OrderFactory()
    assert client.get(reverse("orders:queue")).status_code == 403
    assert (
        client.post(reverse("orders:record_call", kwargs={"order_id": order.pk}), {"outcome": "confirmed"}).status_code
        == 403
    )
    assert client.get(reverse("orders:create")).status_code == 403


def test_managers_see_every_reps_queue_and_can_filter_by_rep(client):
    first, second = RepFactory(full_name="Rep One"), RepFactory(full_name="Rep Two")
    mine, theirs, nobodys = OrderFactory(assigned_rep=first), OrderFactory(assigned_rep=second), OrderFactory()
    client.force_login(ManagerFactory())
    page = client.get(reverse("orders:queue")).content.decode()
    assert set(queue_numbers(page)) == {mine.order_number, theirs.order_number, nobodys.order_number}
    assert "Rep: Rep One" in page
    page = client.get(reverse("orders:queue"), {"rep": str(second.pk)}).content.decode()
    assert queue_numbers(page) == [theirs.order_number]
    page = client.get(reverse("orders:queue"), {"rep": "none"}).content.decode()
    assert queue_numbers(page) == [nobodys.order_number]


def test_a_rep_cannot_peek_at_another_reps_queue(client, rep):
    other = RepFactory()
    OrderFactory(assigned_rep=other)
    page = client.get(reverse("orders:queue"), {"rep": str(other.pk)}).content.decode()
    assert queue_numbers(page) == [] and "No orders are waiting for a call." in page


def test_the_queue_shows_fifty_then_more(client, rep):
    product = ProductFactory()
    orders = [OrderFactory(assigned_rep=rep, items=[item_for(product)]) for _ in range(53)]
    page = client.get(reverse("orders:queue")).content.decode()
    assert len(queue_numbers(page)) == 50 and "offset=50" in page
    more = client.get(reverse("orders:queue"), {"offset": 50}, **HTMX).content.decode()
    assert len(queue_numbers(more)) == 3 and "offset=" not in more
    shown = set(queue_numbers(page)) | set(queue_numbers(more))
    assert shown == {o.order_number for o in orders}


def test_the_queue_page_runs_a_bounded_number_of_queries(client, rep, django_assert_max_num_queries):
    product = ProductFactory()
    for index in range(40):
        order = OrderFactory(assigned_rep=rep, items=[item_for(product), item_for(product, quantity=2)])
        if index % 3 == 0:
            CallAttempt.objects.create(order=order, rep=rep, outcome="no_answer")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("orders:queue"))
    assert len(queue_numbers(response.content.decode())) == 40


def test_hostile_names_and_items_are_escaped_in_the_queue(client, rep):
    product = ProductFactory(name=HOSTILE)
    OrderFactory(assigned_rep=rep, customer=CustomerFactory(full_name=HOSTILE), items=[item_for(product)])
    page = client.get(reverse("orders:queue")).content.decode()
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# --- Editing items ---------------------------------------------------------------------------------
def test_the_item_editor_shows_the_order_and_saves_changes(client, rep, serum, soap):
    order = OrderFactory(assigned_rep=rep, items=[item_for(serum)], delivery_area="Maarif")
    url = reverse("orders:edit_items", kwargs={"order_id": order.pk})
    response = client.get(url)
    assert 'value="ARG-50"' in response.content.decode() and inline_code(response) == []
    response = client.post(
        url,
        {
            "item_sku": ["ARG-50", "SOAP-1"],
            "item_qty": ["1", "2"],
            "delivery_address": "5 Rue Y",
            "delivery_area": "Maarif",
        },
    )
    assert response["Location"] == reverse("orders:detail", kwargs={"order_id": order.pk})
    order.refresh_from_db()
    # The area did not change, so the fee the customer was quoted (30.00) is kept.
    assert (order.subtotal, order.total_amount, order.delivery_address) == (
        Decimal("216.65"),
        Decimal("246.65"),
        "5 Rue Y",
    )


def test_the_item_editor_keeps_input_on_errors(client, rep, serum):
    order = OrderFactory(assigned_rep=rep, items=[item_for(serum)])
    url = reverse("orders:edit_items", kwargs={"order_id": order.pk})
    data = {"item_sku": ["ARG-50", "GONE"], "item_qty": ["4", "1"], "delivery_address": "", "delivery_area": "X"}
    page = client.post(url, data).content.decode()
    assert "No product with SKU" in page and "A delivery address is required" in page
    assert 'value="GONE"' in page and 'value="4"' in page
    order.refresh_from_db()
    assert order.items[0]["quantity"] == 1


def test_the_editor_preview_prices_the_changes(client, rep, serum):
    order = OrderFactory(assigned_rep=rep, items=[item_for(serum)])
    url = reverse("orders:edit_quote", kwargs={"order_id": order.pk})
    page = client.post(url, {"item_sku": ["ARG-50"], "item_qty": ["3"], "delivery_area": "Maarif"}, **HTMX)
    assert "449.97" in page.content.decode() and "479.97 MAD" in page.content.decode()  # quoted fee kept
    DeliveryArea.objects.create(name="Ain Diab", delivery_fee=Decimal("45.00"))
    moved = client.post(url, {"item_sku": ["ARG-50"], "item_qty": ["3"], "delivery_area": "Ain Diab"}, **HTMX)
    assert "494.97 MAD" in moved.content.decode()  # a new area brings its own fee


def test_an_order_out_for_delivery_cannot_be_edited(client, rep, serum):
    order = OrderFactory(assigned_rep=rep, items=[item_for(serum)], status=S.OUT_FOR_DELIVERY)
    response = client.get(reverse("orders:edit_items", kwargs={"order_id": order.pk}))
    assert response["Location"] == reverse("orders:detail", kwargs={"order_id": order.pk})


def test_a_rep_cannot_edit_another_reps_order(client, rep, serum):
    order = OrderFactory(assigned_rep=RepFactory(), items=[item_for(serum)])
    url = reverse("orders:edit_items", kwargs={"order_id": order.pk})
    assert client.get(url).status_code == 404
    assert client.post(reverse("orders:edit_quote", kwargs={"order_id": order.pk}), {}).status_code == 404


def test_a_rep_who_takes_an_order_by_phone_keeps_it(client, rep, serum, soap, settings):
    settings.AUTO_ASSIGN_REPS = True
    RepFactory(full_name="Omar Rep", availability_status=Availability.AVAILABLE)
    response = client.post(reverse("orders:create"), new_order_data())
    order = Order.objects.get()
    assert order.assigned_rep == rep  # not handed to Omar by round robin
    assert response["Location"] == reverse("orders:detail", kwargs={"order_id": order.pk})
