"""The dashboard (core:home) and its figures fragment: sections per role, figures checked against
independent SQL, scoping, ordering, query counts and the cache."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import AccountantFactory, AgentFactory, ManagerFactory, RepFactory, UserFactory
from catalog.tests.factories import ProductFactory
from common.redis import get_redis
from core import dashboard
from core.tests.test_security_headers import inline_code
from customers.tests.factories import CustomerFactory
from finance.models import FinancialTransaction
from orders.models import Order
from orders.tests.factories import OrderFactory, item_for

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture(autouse=True)
def fresh_dashboard_cache():
    """Cached figures outlive a test's rolled-back rows: start every test without them."""

    def clear():
        redis = get_redis()
        for key in redis.scan_iter(f"{cache.make_key(dashboard.CACHE_PREFIX)}*"):
            redis.delete(key)

    clear()
    yield
    clear()


def order(**fields) -> Order:
    return OrderFactory(**fields)


def set_created(o: Order, when) -> Order:
    Order.objects.filter(pk=o.pk).update(created_at=when)
    o.refresh_from_db()
    return o


def cards(response) -> dict[str, object]:
    return {card["key"]: card["value"] for card in response.context["figures"]}


def page_for(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


# --- What each role sees -------------------------------------------------------------------------


def test_manager_sees_every_section_with_money(client):
    response = page_for(client, ManagerFactory())
    assert response.context["sections"] == ["figures", "money", "charts", "recent", "low_stock", "agents"]
    html = response.content.decode()
    for heading in ("Today", "Money, last 7 days", "Last 30 days", "Open orders", "Low stock", "Delivery agents"):
        assert heading in html
    assert "Cash collected" in html
    assert reverse("core:dashboard_figures") in html


def test_rep_sees_their_confirmation_work_first_and_no_money(client):
    rep = RepFactory()
    mine = order(assigned_rep=rep, status="new")
    order(assigned_rep=rep, status="confirmation_pending", callback_at=timezone.now() - timedelta(minutes=5))
    order(assigned_rep=None, status="new")
    order(assigned_rep=RepFactory(), status="new")
    response = page_for(client, rep)
    assert response.context["sections"][0] == "rep_work"
    assert "money" not in response.context["sections"] and "agents" not in response.context["sections"]
    work = response.context["data"]["rep_work"]
    assert (work["open"], work["callbacks_due"], work["unassigned"]) == (2, 1, 1)
    assert mine.order_number in {o.order_number for o in work["next_calls"]}
    html = response.content.decode()
    assert "Your confirmation work" in html
    assert "Cash collected" not in html and "Cash pending" not in html and "Money" not in html


def test_agent_sees_their_run_and_cash_to_collect_but_no_business_money(client):
    agent = AgentFactory()
    order(assigned_agent=agent, status="ready_for_pickup", total_amount=Decimal("100.00"))
    order(assigned_agent=agent, status="out_for_delivery", total_amount=Decimal("250.50"))
    order(assigned_agent=agent, status="out_for_delivery", payment_method="bank_transfer", total_amount=Decimal("999"))
    order(assigned_agent=agent, status="delivered", total_amount=Decimal("70.00"))
    order(assigned_agent=AgentFactory(), status="out_for_delivery", total_amount=Decimal("500.00"))
    response = page_for(client, agent)
    assert response.context["sections"] == ["agent_run"]
    run = response.context["data"]["agent_run"]
    assert (run["ready"], run["out"]) == (1, 2)
    assert run["cash_to_collect"] == Decimal("350.50")  # bank transfers are paid already
    assert len(run["orders"]) == 3
    assert run["run_url"] == dashboard.url_or_none("logistics:agent_run")
    html = response.content.decode()
    assert "Your run" in html and "Cash to collect" in html
    assert "Cash collected" not in html and "Open orders" not in html
    assert "chart.umd.min.js" not in html  # no charts, no Chart.js


def test_accountant_sees_money_first(client):
    FinancialTransaction.objects.create(type="revenue", amount=Decimal("321.00"))
    order(status="delivered", payment_status="collected", total_amount=Decimal("80.00"))
    response = page_for(client, AccountantFactory())
    assert response.context["sections"][:2] == ["figures", "money"]
    first_cards = [card["key"] for card in response.context["data"]["figures"][:2]]
    assert first_cards == ["collected", "pending"]
    assert response.context["data"]["figures"][0]["value"] == Decimal("80.00")
    assert [day.total_revenue for day in response.context["data"]["money"]][:1] == [Decimal("321.00")]
    assert "Money, last 7 days" in response.content.decode()


def test_a_user_whose_financial_view_is_revoked_sees_no_money(client):
    manager = ManagerFactory(permissions={"financial": {"view": False}})
    response = page_for(client, manager)
    assert "money" not in response.context["sections"]
    assert "Cash collected" not in response.content.decode()


def test_a_user_without_orders_view_gets_no_order_sections_and_no_figures_fragment(client):
    rep = RepFactory(permissions={"orders": {"view": False}})
    response = page_for(client, rep)
    assert not {"figures", "charts", "recent"} & set(response.context["sections"])
    assert client.get(reverse("core:dashboard_figures")).status_code == 403


# --- Today's figures ---------------------------------------------------------------------------


def test_todays_figures_equal_independent_sql_and_ignore_yesterday(client, raw_sql):
    for status in ("new", "new", "confirmation_pending", "confirmed", "out_for_delivery", "returned", "cancelled"):
        order(status=status)
    order(status="delivered", payment_status="collected", total_amount=Decimal("150.00"))
    order(status="delivered", payment_status="collected", total_amount=Decimal("49.99"))
    order(status="delivered", payment_status="pending", total_amount=Decimal("75.00"))
    start, _ = dashboard.today_range()
    yesterday = order(status="delivered", payment_status="collected", total_amount=Decimal("1000.00"))
    set_created(yesterday, start - timedelta(hours=1))
    set_created(order(status="new"), start - timedelta(minutes=1))

    client.force_login(ManagerFactory())
    figures = cards(client.get(reverse("core:dashboard_figures")))

    tz = settings.TIME_ZONE
    today = "(created_at AT TIME ZONE %s)::date = (now() AT TIME ZONE %s)::date"
    [(total,)] = raw_sql(f"SELECT count(*) FROM orders WHERE {today}", [tz, tz])
    by_status = dict(raw_sql(f"SELECT status::text, count(*) FROM orders WHERE {today} GROUP BY 1", [tz, tz]))
    [(collected, pending)] = raw_sql(
        "SELECT sum(total_amount) FILTER (WHERE status = 'delivered' AND payment_status = 'collected'),"
        f"       sum(total_amount) FILTER (WHERE status = 'delivered' AND payment_status = 'pending')"
        f" FROM orders WHERE {today}",
        [tz, tz],
    )
    assert figures["total"] == total == 10
    for status in dashboard.FIGURE_STATUSES:
        assert figures[status.value] == by_status.get(status.value, 0), status
    assert figures["new"] == 2  # the one created a minute before midnight is yesterday's
    assert figures["collected"] == collected == Decimal("199.99")
    assert figures["pending"] == pending == Decimal("75.00")


def test_figures_of_a_rep_cover_only_their_own_and_unassigned_orders(client):
    rep = RepFactory()
    order(assigned_rep=rep, status="new")
    order(assigned_rep=None, status="new")
    order(assigned_rep=RepFactory(), status="new")
    client.force_login(rep)
    figures = cards(client.get(reverse("core:dashboard_figures")))
    assert figures["total"] == figures["new"] == 2
    assert "collected" not in figures


def test_figures_fragment_asks_for_a_login(client):
    url = reverse("core:dashboard_figures")
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    # An htmx poll from a page whose session ended: "stop polling" rather than the login page.
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 286 and polled.content == b""


# --- Open orders -------------------------------------------------------------------------------


def test_recent_orders_are_high_priority_first_then_newest_and_scoped_to_the_rep(client):
    rep, other = RepFactory(), RepFactory()
    now = timezone.now()
    mine_low = set_created(order(assigned_rep=rep, status="new", priority="low"), now - timedelta(minutes=1))
    mine_old_high = set_created(order(assigned_rep=rep, status="confirmed", priority="high"), now - timedelta(hours=5))
    free_high = set_created(order(status="confirmation_pending", priority="high"), now - timedelta(hours=1))
    mine_medium = set_created(order(assigned_rep=rep, status="new", priority="medium"), now - timedelta(hours=9))
    others_high = set_created(order(assigned_rep=other, status="new", priority="high"), now - timedelta(minutes=2))
    order(assigned_rep=rep, status="delivered", priority="high")  # not open

    rep_rows = page_for(client, rep).context["data"]["recent"]
    assert [o.pk for o in rep_rows] == [free_high.pk, mine_old_high.pk, mine_medium.pk, mine_low.pk]

    manager_rows = page_for(client, ManagerFactory()).context["data"]["recent"]
    assert [o.pk for o in manager_rows] == [
        others_high.pk, free_high.pk, mine_old_high.pk, mine_medium.pk, mine_low.pk,
    ]  # fmt: skip


def test_customer_names_on_the_dashboard_are_escaped(client):
    order(status="new", customer=CustomerFactory(full_name='<script>alert("x")</script>'))
    html = page_for(client, ManagerFactory()).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- Charts ------------------------------------------------------------------------------------


def test_chart_data_for_the_last_30_days(client):
    argan, soap = ProductFactory(name="Argan oil"), ProductFactory(name="Black soap")
    order(status="delivered", delivery_area="Maarif", items=[item_for(argan, quantity=3), item_for(soap)])
    order(status="returned", delivery_area="maarif ", items=[item_for(argan, quantity=2)])
    order(status="delivered", delivery_area="Anfa", items=[item_for(soap, quantity=1)])
    order(status="new", items=[item_for(soap, quantity=1)])
    order(status="cancelled", items=[item_for(soap, quantity=50)])  # cancelled: not "sold"
    old = order(status="delivered", delivery_area="Anfa", items=[item_for(soap, quantity=40)])
    set_created(old, timezone.now() - timedelta(days=31))

    response = page_for(client, ManagerFactory())
    html = response.content.decode()
    # What static/js/dashboard.js reads: the json_script block, not executable.
    found = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(found.group(1))
    assert len(data["days"]) == 30 and data["days"][-1] == timezone.localdate().isoformat()
    per_status = {s["status"]: s["counts"][-1] for s in data["statuses"]}
    assert (per_status["delivered"], per_status["returned"], per_status["cancelled"], per_status["new"]) == (2, 1, 1, 1)
    assert data["confirmation_rate"][-1] == 60.0  # 3 of 5 confirmed or later
    assert data["confirmation_rate"][0] is None  # no orders that day
    assert {a["area"].lower(): a["rate"] for a in data["areas"]} == {"maarif": 50.0, "anfa": 100.0}
    assert data["products"] == [{"name": "Argan oil", "quantity": 5}, {"name": "Black soap", "quantity": 3}]
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    assert inline_code(response) == []


# --- Cost --------------------------------------------------------------------------------------


def _some_orders():
    rep, agent = RepFactory(), AgentFactory()
    for i in range(12):
        order(status=("new", "confirmed", "delivered", "returned")[i % 4], assigned_rep=rep, assigned_agent=agent)
    ProductFactory(stock_quantity=2, low_stock_threshold=5)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CUSTOMER_REP, Role.ACCOUNTANT, Role.DELIVERY_AGENT])
def test_the_page_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries, role):
    _some_orders()
    client.force_login(UserFactory(role=role))
    with django_assert_max_num_queries(12):
        assert client.get(HOME).status_code == 200


def test_the_second_request_is_served_from_the_cache(client):
    _some_orders()
    client.force_login(ManagerFactory())
    with CaptureQueriesContext(connection) as first:
        before = client.get(HOME)
    order(status="new")  # within the cache's minute, the figures do not move
    with CaptureQueriesContext(connection) as second:
        after = client.get(HOME)
    assert len(second) <= len(first) - 4  # figures, charts (3 queries), agents
    assert after.context["data"]["figures"] == before.context["data"]["figures"]
    sqls = " ".join(q["sql"] for q in second.captured_queries)
    assert "jsonb_array_elements" not in sqls and "agent_performance_view" not in sqls


def test_users_with_the_same_scope_share_cached_figures_and_reps_do_not(client):
    rep_a, rep_b = RepFactory(), RepFactory()
    order(assigned_rep=rep_a, status="new")
    assert dashboard._scope_key(dashboard.scoped_orders(ManagerFactory())) == dashboard._scope_key(
        dashboard.scoped_orders(AccountantFactory())
    )
    assert dashboard._scope_key(dashboard.scoped_orders(rep_a)) != dashboard._scope_key(dashboard.scoped_orders(rep_b))
    client.force_login(rep_a)
    assert cards(client.get(reverse("core:dashboard_figures")))["total"] == 1
    client.force_login(rep_b)
    assert cards(client.get(reverse("core:dashboard_figures")))["total"] == 0


def test_todays_figures_follow_a_new_order_at_once(client, django_capture_on_commit_callbacks):
    from accounts.tests.factories import ManagerFactory
    from orders.services.transitions import order_transition
    from orders.tests.factories import OrderFactory as Orders

    client.force_login(ManagerFactory())
    url = reverse("core:dashboard_figures")
    order = Orders()
    before = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order_id=order.pk, to_status="confirmed", actor=None)
    after = client.get(url).content.decode()
    assert before != after  # the cached figures were not served stale
