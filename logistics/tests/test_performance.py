"""Agent performance (period figures beside agent_performance_view) and customer feedback."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityLog, Role
from accounts.tests.factories import ManagerFactory, UserFactory
from common.errors import DomainError, PermissionDenied, ValidationFailed
from core.tests.test_security_headers import inline_code
from logistics.dispatch_forms import PeriodForm
from logistics.models import Delivery, DeliveryOutcome, FailureReason
from logistics.selectors import Period, local_day_start, performance_table
from logistics.services.feedback import record_feedback

from .dispatch_data import attempt, make_agent

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'
D, F, P = DeliveryOutcome.DELIVERED, DeliveryOutcome.FAILED, DeliveryOutcome.IN_PROGRESS


def day(offset: int, hour: int):
    """`hour` o'clock (local) `offset` days from today."""
    return local_day_start(timezone.localdate() + timedelta(days=offset)) + timedelta(hours=hour)


@pytest.fixture
def team():
    """Amal: a mixed week plus an older delivery; Badr: one unrated delivery; Chama: nothing."""
    amal, badr, chama = make_agent(name="Amal"), make_agent(name="Badr"), make_agent(name="Chama")
    attempt(amal, pickup=day(-2, 10), minutes=30, rating=5, cash="229.00")
    attempt(amal, pickup=day(-1, 10), minutes=90, rating=3, cash="100.50")
    attempt(amal, outcome=F, pickup=day(-1, 12), reason=FailureReason.REFUSED, rating=1)
    attempt(amal, outcome=F, pickup=day(0, 1), reason=FailureReason.CUSTOMER_UNAVAILABLE)
    attempt(amal, outcome=P, pickup=day(0, 1))
    attempt(amal, pickup=day(-10, 10), minutes=20, rating=1, cash="999.00")  # outside the last 7 days
    attempt(badr, pickup=day(-3, 9), minutes=45, cash="80.00")
    return {"amal": amal, "badr": badr, "chama": chama}


def week() -> Period:
    return Period("7d", timezone.localdate() - timedelta(days=6), timezone.localdate())


def rows_by_name(period=None, actor=None, **kwargs):
    actor = actor or ManagerFactory()
    return {r["name"]: r for r in performance_table(period=period or week(), actor=actor, **kwargs)}


def test_the_period_figures_of_an_agent(team):
    amal = rows_by_name()["Amal"]
    assert (amal["attempts"], amal["delivered"], amal["failed"], amal["in_progress"]) == (5, 2, 2, 1)
    assert amal["success_rate"] == Decimal("50.0")
    assert amal["failed_by_reason"] == [("unavailable", 1), ("refused", 1)]
    assert amal["average_rating"] == Decimal("3.00") and amal["rated"] == 3  # 5, 3 and 1
    assert amal["average_duration"] == timedelta(minutes=60) and amal["duration_label"] == "1 h 00 min"
    assert amal["cash_collected"] == Decimal("329.50")
    assert amal["all_time"].total_deliveries == 6


def test_agents_without_attempts_show_zeros_and_no_rates(team):
    rows = rows_by_name()
    assert rows["Badr"]["success_rate"] == Decimal("100.0") and rows["Badr"]["average_rating"] is None
    chama = rows["Chama"]
    assert (chama["attempts"], chama["success_rate"], chama["cash_collected"]) == (0, None, Decimal("0.00"))


def test_periods_select_attempts_by_the_day_they_set_out(team):
    today = Period("today", timezone.localdate(), timezone.localdate())
    assert rows_by_name(today)["Amal"]["attempts"] == 2
    month = PeriodForm({"period": "30d"}).chosen_period()
    assert rows_by_name(month)["Amal"]["attempts"] == 6
    custom = PeriodForm({"period": "custom", "start": day(-10, 0).date(), "end": day(-2, 0).date()}).chosen_period()
    assert rows_by_name(custom)["Amal"]["attempts"] == 2


@pytest.mark.parametrize("period", [week(), Period("today", timezone.localdate(), timezone.localdate()),
                                    Period("custom", date(2020, 1, 1), timezone.localdate())])  # fmt: skip
def test_the_figures_equal_an_independent_sql_computation(team, raw_sql, period):
    expected = {
        name: (attempts, delivered, failed, rating, minutes, cash)
        for name, attempts, delivered, failed, rating, minutes, cash in raw_sql(
            """
            SELECT u.full_name, count(d.id), count(d.id) FILTER (WHERE d.outcome = 'delivered'),
                   count(d.id) FILTER (WHERE d.outcome = 'failed'), round(avg(d.rating), 2),
                   round(avg(extract(epoch FROM d.delivery_time - d.pickup_time) / 60)
                         FILTER (WHERE d.outcome = 'delivered')),
                   COALESCE(sum(d.cash_collected), 0)
            FROM users u
            LEFT JOIN deliveries d ON d.agent_id = u.id AND d.pickup_time >= %s AND d.pickup_time < %s
            WHERE u.role = 'delivery_agent'
            GROUP BY u.full_name
            """,
            [period.start, period.end],
        )
    }
    got = {
        name: (
            r["attempts"],
            r["delivered"],
            r["failed"],
            r["average_rating"],
            round(r["average_duration"].total_seconds() / 60) if r["average_duration"] else None,
            r["cash_collected"],
        )
        for name, r in rows_by_name(period).items()
    }
    assert got == expected


def test_an_agent_sees_only_their_own_row(team):
    rows = rows_by_name(actor=team["badr"])
    assert list(rows) == ["Badr"] and rows["Badr"]["attempts"] == 1


def test_rows_sort_by_any_column_with_empty_values_last(team):
    names = list(rows_by_name(sort="rating", descending=True))
    assert names == ["Amal", "Badr", "Chama"]  # Badr and Chama have no rating this week
    assert list(rows_by_name(sort="cash", descending=True)) == ["Amal", "Badr", "Chama"]
    assert list(rows_by_name(sort="attempts")) == ["Chama", "Badr", "Amal"]


def test_the_period_form_falls_back_to_seven_days_on_nonsense():
    for data in ({"period": "custom", "start": "2026-02-10", "end": "2026-02-01"}, {"period": "forever"},
                 {"period": "custom"}):  # fmt: skip
        form = PeriodForm(data)
        assert not form.is_valid() and form.chosen_period().key == "7d"


# --- Pages ------------------------------------------------------------------------------------------------------


def test_the_performance_page_costs_the_same_queries_for_3_or_13_agents(client, team, django_assert_max_num_queries):
    client.force_login(ManagerFactory())
    with django_assert_max_num_queries(4) as few:  # session, user, the view, one GROUP BY over deliveries
        client.get(reverse("logistics:performance"))
    for index in range(10):
        agent = make_agent(name=f"Agent {index:02d}")
        attempt(agent, pickup=day(-1, 9), rating=4, cash="10.00")
        attempt(agent, outcome=F, pickup=day(-1, 11), reason=FailureReason.PHONE_OFF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("logistics:performance"), {"period": "30d", "sort": "success", "dir": "desc"})
    assert len(page.context["rows"]) == 13
    assert inline_code(page) == []


def test_the_page_shows_figures_and_links_to_each_agent(client, team):
    client.force_login(ManagerFactory())
    page = client.get(reverse("logistics:performance"), {"period": "7d"})
    html = page.content.decode()
    assert "50.0 %" in html and "329.50" in html and "refused 1" in html
    assert reverse("logistics:performance_agent", kwargs={"agent_id": team["amal"].pk}) + "?period=7d" in html


def test_a_custom_period_with_dates_the_wrong_way_round_says_so(client, team):
    client.force_login(ManagerFactory())
    page = client.get(
        reverse("logistics:performance"), {"period": "custom", "start": "2026-02-10", "end": "2026-02-01"}
    )
    assert "The period ends before it starts." in page.content.decode()
    assert page.context["period"].key == "7d"


def test_an_agent_opens_their_own_detail_but_not_a_colleagues(client, team):
    client.force_login(team["badr"])
    assert client.get(reverse("logistics:performance_agent", kwargs={"agent_id": team["badr"].pk})).status_code == 200
    response = client.get(reverse("logistics:performance_agent", kwargs={"agent_id": team["amal"].pk}))
    assert response.status_code == 404


def test_hostile_names_and_feedback_are_escaped(client):
    agent = make_agent(name=HOSTILE)
    attempt(agent, pickup=day(0, 1), rating=2, feedback=HOSTILE)
    client.force_login(ManagerFactory())
    pages = [
        client.get(reverse("logistics:performance")),
        client.get(reverse("logistics:performance_agent", kwargs={"agent_id": agent.pk}), {"period": "today"}),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200 and "<script>alert" not in html and "&lt;script&gt;alert" in html
        assert inline_code(page) == []


# --- Feedback ---------------------------------------------------------------------------------------------------


def test_record_feedback_saves_the_rating_and_words_and_logs_it():
    manager, delivery = ManagerFactory(), attempt(make_agent())
    record_feedback(delivery_id=delivery.pk, rating="4", feedback="  Polite, on time ", actor=manager)
    delivery.refresh_from_db()
    assert (delivery.rating, delivery.customer_feedback) == (4, "Polite, on time")
    log = ActivityLog.objects.get(action="delivery_feedback_recorded", entity_id=delivery.pk)
    assert log.user == manager and log.details["changes"]["rating"] == {"old": None, "new": 4}


@pytest.mark.parametrize("rating", [0, 6, "", None, "4.5", "five", -1])
def test_a_rating_outside_1_to_5_is_a_field_error(rating):
    delivery = attempt(make_agent())
    with pytest.raises(ValidationFailed) as refused:
        record_feedback(delivery_id=delivery.pk, rating=rating, feedback="", actor=ManagerFactory())
    assert refused.value.errors == {"rating": ["Give a rating from 1 to 5."]}
    assert Delivery.objects.get(pk=delivery.pk).rating is None


def test_feedback_waits_for_the_end_of_the_attempt_and_never_comes_from_the_agent():
    agent = make_agent()
    on_the_way, done = attempt(agent, outcome=P), attempt(agent)
    with pytest.raises(DomainError, match="still on the way"):
        record_feedback(delivery_id=on_the_way.pk, rating=5, feedback="", actor=ManagerFactory())
    with pytest.raises(PermissionDenied):
        record_feedback(delivery_id=done.pk, rating=5, feedback="", actor=agent)
    with pytest.raises(PermissionDenied):
        record_feedback(delivery_id=done.pk, rating=5, feedback="", actor=UserFactory(role=Role.CUSTOMER_REP))
    assert not ActivityLog.objects.filter(action="delivery_feedback_recorded").exists()


def test_the_feedback_form_answers_htmx_with_its_fragment(client):
    delivery = attempt(make_agent(), pickup=day(0, 1))
    client.force_login(ManagerFactory())
    url = reverse("logistics:delivery_feedback", kwargs={"delivery_id": delivery.pk})
    response = client.post(url, {"rating": "9", "feedback": HOSTILE}, HTTP_HX_REQUEST="true")
    assert "Give a rating from 1 to 5." in response.content.decode()
    response = client.post(url, {"rating": "5", "feedback": HOSTILE}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'id="feedback-{delivery.pk}"' in html and "5/5" in html and "Saved." in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_without_javascript_feedback_returns_to_the_page_it_came_from(client):
    delivery = attempt(make_agent(), pickup=day(0, 1))
    client.force_login(ManagerFactory())
    url = reverse("logistics:delivery_feedback", kwargs={"delivery_id": delivery.pk})
    back = reverse("logistics:performance_agent", kwargs={"agent_id": delivery.agent_id}) + "?period=today"
    response = client.post(url, {"rating": "3", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(url, {"rating": "3", "next": "https://evil.example/"})
    assert response["Location"].startswith(
        reverse("logistics:performance_agent", kwargs={"agent_id": delivery.agent_id})
    )
