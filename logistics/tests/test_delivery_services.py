"""The agent's actions (logistics.services.delivery): pick up, deliver with proof, failed attempts, positions."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import ActivityLog
from accounts.tests.factories import AgentFactory
from catalog.models import StockMovement
from catalog.tests.factories import ProductFactory
from common.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from common.tests.test_uploads import jpeg_bytes, pdf_bytes, png_bytes
from logistics.models import Delivery, DeliveryOutcome, FailureReason
from logistics.services import delivery_rules
from logistics.services.delivery import ActionResult, deliver, fail_attempt, pickup, record_position
from logistics.services.delivery_rules import haversine_km, signature_problem
from orders.models import OrderHistory, OrderStatus, PaymentMethod, PaymentStatus

from .delivery_data import deliver_kwargs, out_order, photo, proof_files, ready_order, rgba_png, token

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def agent():
    return AgentFactory()


def activity(action: str) -> list[ActivityLog]:
    return list(ActivityLog.objects.filter(action=action).order_by("created_at"))


# --- Pick up ------------------------------------------------------------------------------------------


def test_pickup_takes_the_order_out_and_starts_attempt_one(agent):
    order = ready_order(agent)
    result = pickup(order_id=order.pk, agent=agent, client_token="tok-pickup-1")
    order.refresh_from_db()
    attempt = Delivery.objects.get(order=order)
    assert order.status == S.OUT_FOR_DELIVERY and order.assigned_agent_id == agent.pk
    assert (attempt.attempt_number, attempt.outcome, attempt.agent_id) == (1, DeliveryOutcome.IN_PROGRESS, agent.pk)
    assert attempt.pickup_time is not None and attempt.client_token == "tok-pickup-1"
    assert result.delivery == attempt and not result.already_recorded
    history = OrderHistory.objects.get(order=order, new_status=S.OUT_FOR_DELIVERY)
    assert history.changed_by_user_id == agent.pk
    assert activity("delivery_picked_up")[0].entity_id == attempt.pk


def test_pickup_twice_with_the_same_token_has_one_effect(agent):
    order = ready_order(agent)
    first = pickup(order_id=order.pk, agent=agent, client_token="same-token")
    again = pickup(order_id=order.pk, agent=agent, client_token="same-token")
    assert again.already_recorded and again.delivery.pk == first.delivery.pk
    assert Delivery.objects.filter(order=order).count() == 1
    assert OrderHistory.objects.filter(order=order, new_status=S.OUT_FOR_DELIVERY).count() == 1
    assert len(activity("delivery_picked_up")) == 1


def test_a_second_tap_after_a_reload_is_answered_as_already_recorded(agent):
    order = ready_order(agent)
    first = pickup(order_id=order.pk, agent=agent, client_token=token())
    again = pickup(order_id=order.pk, agent=agent, client_token=token())  # a new page, a new token
    assert again.already_recorded and again.delivery.pk == first.delivery.pk
    assert Delivery.objects.filter(order=order).count() == 1


def test_only_the_assigned_agent_picks_up_and_only_ready_orders(agent):
    order = ready_order(agent)
    with pytest.raises(PermissionDenied):
        pickup(order_id=order.pk, agent=AgentFactory(), client_token=token())
    confirmed = ready_order(agent, status=S.CONFIRMED)
    with pytest.raises(DomainError, match="ready for pickup"):
        pickup(order_id=confirmed.pk, agent=agent, client_token=token())
    assert not Delivery.objects.exists()
    order.refresh_from_db()
    assert order.status == S.READY_FOR_PICKUP


def test_a_token_used_on_another_order_is_refused(agent):
    first, second = ready_order(agent), ready_order(agent)
    pickup(order_id=first.pk, agent=agent, client_token="shared-token")
    with pytest.raises(Conflict):
        pickup(order_id=second.pk, agent=agent, client_token="shared-token")
    second.refresh_from_db()
    assert second.status == S.READY_FOR_PICKUP


@pytest.mark.parametrize("bad", ["", "short", "has spaces in it", "x" * 65, "<script>x</script>"])
def test_a_malformed_token_is_refused(agent, bad):
    order = ready_order(agent)
    with pytest.raises(ValidationFailed) as error:
        pickup(order_id=order.pk, agent=agent, client_token=bad)
    assert "client_token" in error.value.errors


# --- Deliver ------------------------------------------------------------------------------------------


def test_deliver_stores_the_proof_and_delivers_the_cod_order(agent, media_root):
    order = out_order(agent)
    result = deliver(**deliver_kwargs(order, agent, recipient_name="Karim Benali", recipient_relation="Family member"))
    order.refresh_from_db()
    attempt = Delivery.objects.get(order=order)
    assert result.delivery == attempt and not result.already_recorded
    assert order.status == S.DELIVERED and order.delivered_at is not None
    assert order.payment_status == PaymentStatus.COLLECTED
    assert attempt.outcome == DeliveryOutcome.DELIVERED
    assert attempt.delivery_time == attempt.ended_at is not None
    assert attempt.cash_collected == order.total_amount

    # Files in the private storage, under the attempt's folder; the row keeps their /files/ URLs.
    files = proof_files(media_root)
    assert len(files) == 2
    assert {path.parent.parent.parent.name for path in files} == {attempt.pk.hex}
    assert {path.suffix for path in files} == {".jpg", ".png"}
    assert attempt.photo_url.startswith(f"/files/proofs/{attempt.pk.hex}/") and attempt.photo_url.endswith(".jpg")
    assert attempt.signature_url.startswith(f"/files/proofs/{attempt.pk.hex}/") and attempt.signature_url.endswith(
        ".png"
    )

    proof = attempt.proof_of_delivery
    assert set(proof) == {"method", "signature_url", "photo_url", "recipient_name", "recipient_relation",
                          "gps_location", "timestamp", "device_id"}  # fmt: skip
    assert proof["method"] == "signature"
    assert (proof["photo_url"], proof["signature_url"]) == (attempt.photo_url, attempt.signature_url)
    assert (proof["recipient_name"], proof["recipient_relation"]) == ("Karim Benali", "Family member")
    assert proof["gps_location"] == {"latitude": 33.589886, "longitude": -7.603869}
    assert proof["timestamp"].endswith("Z") and "T" in proof["timestamp"]

    assert set(order.delivery_proof) == {"signature_url", "photo_url", "gps_location", "timestamp", "notes"}
    assert order.delivery_proof["photo_url"] == attempt.photo_url
    assert order.delivery_proof["gps_location"] == proof["gps_location"]
    assert order.delivery_proof["timestamp"] == proof["timestamp"] and order.delivery_proof["notes"] is None
    assert activity("delivery_delivered")[0].entity_id == attempt.pk
    assert not activity("delivery_cash_mismatch")


def test_gps_is_optional(agent):
    order = out_order(agent)
    deliver(**deliver_kwargs(order, agent, latitude=None, longitude=None))
    attempt = Delivery.objects.get(order=order)
    assert attempt.proof_of_delivery["gps_location"] is None
    order.refresh_from_db()
    assert order.delivery_proof["gps_location"] is None


def test_delivery_does_not_touch_stock(agent):
    product = ProductFactory(stock_quantity=7)
    order = ready_order(agent, product=product, quantity=2)
    pickup(order_id=order.pk, agent=agent, client_token=token())
    deliver(**deliver_kwargs(order, agent))
    product.refresh_from_db()
    assert product.stock_quantity == 7
    assert not StockMovement.objects.exists()


def test_a_bank_transfer_order_keeps_its_payment_status(agent):
    order = out_order(agent, payment_method=PaymentMethod.BANK_TRANSFER)
    deliver(**deliver_kwargs(order, agent))
    order.refresh_from_db()
    assert order.status == S.DELIVERED and order.payment_status == PaymentStatus.PENDING


BAD_INPUTS = {
    "no photo": ({"photo": None}, "photo"),
    "a PDF as photo": ({"photo": photo(pdf_bytes(), "proof.pdf")}, "photo"),
    "text as photo": ({"photo": photo(b"just some text, not an image")}, "photo"),
    "empty signature": ({"signature_png": b""}, "signature_png"),
    "blank signature": ({"signature_png": rgba_png(blank=True)}, "signature_png"),
    "signature not a PNG": ({"signature_png": b"\xff\xd8\xff\xe0 not a png"}, "signature_png"),
    "signature over 200 KB": ({"signature_png": rgba_png(300, 300, noise=True)}, "signature_png"),
    "no recipient": ({"recipient_name": "   "}, "recipient_name"),
    "unknown relation": ({"recipient_relation": "Cousin of the neighbour"}, "recipient_relation"),
    "negative cash": ({"cash_collected": Decimal("-1.00"), "note": "?"}, "cash_collected"),
    "cash not a number": ({"cash_collected": "lots"}, "cash_collected"),
    "no cash": ({"cash_collected": None}, "cash_collected"),
    "cash differs without a note": ({"cash_collected": Decimal("100.00")}, "cash_collected"),
    "latitude out of range": ({"latitude": 91}, "latitude"),
    "longitude out of range": ({"longitude": -180.5}, "longitude"),
    "half a position": ({"longitude": None}, "latitude"),
    "not a position": ({"latitude": "nan"}, "latitude"),
}


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_proof_input_is_refused_and_writes_nothing(agent, media_root, overrides, field):
    order = out_order(agent)
    activities = ActivityLog.objects.count()
    with pytest.raises(ValidationFailed) as error:
        deliver(**deliver_kwargs(order, agent, **overrides))
    assert field in error.value.errors
    order.refresh_from_db()
    attempt = Delivery.objects.get(order=order)
    assert (order.status, order.delivery_proof, order.payment_status) == (S.OUT_FOR_DELIVERY, None, "pending")
    assert (attempt.outcome, attempt.photo_url, attempt.proof_of_delivery) == (DeliveryOutcome.IN_PROGRESS, None, None)
    assert proof_files(media_root) == []
    assert ActivityLog.objects.count() == activities


def test_a_photo_over_the_upload_limit_is_refused(agent, media_root, settings):
    order = out_order(agent)
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed) as error:
        deliver(**deliver_kwargs(order, agent, photo=photo(jpeg_bytes() + b"\x00" * 1024)))
    assert "too large" in error.value.errors["photo"][0]
    assert proof_files(media_root) == []


def test_every_error_comes_back_at_once(agent):
    order = out_order(agent)
    with pytest.raises(ValidationFailed) as error:
        deliver(**deliver_kwargs(order, agent, photo=None, signature_png=b"", recipient_name="", latitude=100))
    assert {"photo", "signature_png", "recipient_name", "latitude"} <= set(error.value.errors)


def test_files_are_deleted_when_the_transaction_fails(agent, media_root, monkeypatch):
    order = out_order(agent)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("logistics.services.delivery.order_transition", broken)
    with pytest.raises(RuntimeError):
        deliver(**deliver_kwargs(order, agent))
    assert proof_files(media_root) == []
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY and order.delivery_proof is None


def test_cash_different_from_the_total_needs_a_note_and_is_flagged_for_the_accountant(agent):
    order = out_order(agent)
    deliver(**deliver_kwargs(order, agent, cash_collected=Decimal("150"), note="Customer paid 150, rest tomorrow"))
    order.refresh_from_db()
    attempt = Delivery.objects.get(order=order)
    assert attempt.cash_collected == Decimal("150.00") and order.status == S.DELIVERED
    assert order.delivery_proof["notes"] == "Customer paid 150, rest tomorrow"
    (flag,) = activity("delivery_cash_mismatch")
    assert flag.entity_id == order.pk
    assert flag.details["expected"] == str(order.total_amount) and flag.details["collected"] == "150.00"
    assert flag.details["note"] == "Customer paid 150, rest tomorrow"


def test_deliver_twice_with_the_same_token_has_one_effect(agent, media_root):
    order = out_order(agent)
    kwargs = deliver_kwargs(order, agent, client_token="deliver-token")
    first = deliver(**kwargs)
    again = deliver(**{**kwargs, "photo": photo(), "recipient_name": "Someone else"})
    assert again.already_recorded and again.delivery.pk == first.delivery.pk
    assert len(proof_files(media_root)) == 2
    assert Delivery.objects.get(order=order).proof_of_delivery["recipient_name"] == "Salma Benali"
    assert OrderHistory.objects.filter(order=order, new_status=S.DELIVERED).count() == 1
    assert len(activity("delivery_delivered")) == 1


def test_another_agent_cannot_deliver_the_order(agent, media_root):
    order = out_order(agent)
    with pytest.raises(PermissionDenied):
        deliver(**deliver_kwargs(order, AgentFactory()))
    assert proof_files(media_root) == []


def test_an_order_not_out_for_delivery_cannot_be_delivered(agent, media_root):
    order = ready_order(agent)
    with pytest.raises(DomainError, match="not on its way"):
        deliver(**deliver_kwargs(order, agent))
    assert proof_files(media_root) == []


# --- Failed attempts ----------------------------------------------------------------------------------


def test_a_failed_attempt_puts_the_order_back_on_the_shelf_still_assigned(agent):
    order = out_order(agent)
    result = fail_attempt(order_id=order.pk, agent=agent, client_token=token(),
                          reason=FailureReason.CUSTOMER_UNAVAILABLE, note="Nobody at home")  # fmt: skip
    order.refresh_from_db()
    attempt = result.delivery
    assert order.status == S.READY_FOR_PICKUP and order.assigned_agent_id == agent.pk
    assert (attempt.outcome, attempt.failure_reason, attempt.failure_note) == (
        DeliveryOutcome.FAILED, FailureReason.CUSTOMER_UNAVAILABLE, "Nobody at home",
    )  # fmt: skip
    assert attempt.ended_at is not None
    history = OrderHistory.objects.get(order=order, new_status=S.READY_FOR_PICKUP)
    assert history.notes == "Failed attempt 1: Customer not available; Nobody at home"
    assert history.changed_by_user_id == agent.pk
    # The next trip is attempt 2.
    again = pickup(order_id=order.pk, agent=agent, client_token=token())
    assert again.delivery.attempt_number == 2


def test_after_max_attempts_the_order_is_returned_with_its_stock(agent, settings):
    settings.MAX_DELIVERY_ATTEMPTS = 2
    product = ProductFactory(stock_quantity=5)
    order = ready_order(agent, product=product, quantity=2)
    for _ in range(2):
        pickup(order_id=order.pk, agent=agent, client_token=token())
        fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason=FailureReason.PHONE_OFF)
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == S.RETURNED and order.return_reason == "2 failed delivery attempts"
    assert product.stock_quantity == 7  # the two reserved units are back
    assert Delivery.objects.filter(order=order, outcome=DeliveryOutcome.FAILED).count() == 2


def test_a_refusal_returns_the_order_at_once_and_counts_against_the_customer(agent):
    order = out_order(agent)
    refusals = order.customer.refused_orders
    fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason=FailureReason.REFUSED,
                 note="Says he never ordered")  # fmt: skip
    order.refresh_from_db()
    order.customer.refresh_from_db()
    assert order.status == S.RETURNED and order.return_reason == "Refused by the customer"
    assert order.customer.refused_orders == refusals + 1


@pytest.mark.parametrize("when", [None, 0, -1])
def test_postponed_needs_a_date_after_today(agent, when):
    order = out_order(agent)
    postponed_to = None if when is None else timezone.localdate() + timedelta(days=when)
    with pytest.raises(ValidationFailed) as error:
        fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason=FailureReason.POSTPONED,
                     postponed_to=postponed_to)  # fmt: skip
    assert "postponed_to" in error.value.errors
    assert Delivery.objects.get(order=order).outcome == DeliveryOutcome.IN_PROGRESS


def test_postponed_to_a_future_date_is_kept(agent):
    order = out_order(agent)
    friday = timezone.localdate() + timedelta(days=3)
    result = fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason=FailureReason.POSTPONED,
                          postponed_to=friday)  # fmt: skip
    assert result.delivery.postponed_to == friday
    history = OrderHistory.objects.get(order=order, new_status=S.READY_FOR_PICKUP)
    assert f"postponed to {friday:%Y-%m-%d}" in history.notes


def test_other_needs_a_note_and_unknown_reasons_are_refused(agent):
    order = out_order(agent)
    with pytest.raises(ValidationFailed) as error:
        fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason=FailureReason.OTHER)
    assert "note" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason="abducted_by_aliens")
    assert "reason" in error.value.errors
    order.refresh_from_db()
    assert order.status == S.OUT_FOR_DELIVERY


def test_fail_twice_with_the_same_token_has_one_effect(agent):
    order = out_order(agent)
    first = fail_attempt(order_id=order.pk, agent=agent, client_token="fail-token", reason=FailureReason.WRONG_ADDRESS)
    again = fail_attempt(order_id=order.pk, agent=agent, client_token="fail-token", reason=FailureReason.WRONG_ADDRESS)
    assert again.already_recorded and again.delivery.pk == first.delivery.pk
    assert OrderHistory.objects.filter(order=order, new_status=S.READY_FOR_PICKUP).count() == 1
    assert len(activity("delivery_failed")) == 1


def test_no_attempt_can_fail_when_the_order_is_not_out(agent):
    order = ready_order(agent)
    with pytest.raises(DomainError, match="not on its way"):
        fail_attempt(order_id=order.pk, agent=agent, client_token=token(), reason=FailureReason.PHONE_OFF)


# --- Positions ------------------------------------------------------------------------------------------


def test_positions_build_the_route_of_the_attempts_on_the_way(agent):
    order = out_order(agent)
    start = timezone.now()
    assert record_position(agent=agent, latitude=33.5731, longitude=-7.5898, at=start) == 1  # Casablanca
    record_position(agent=agent, latitude=34.0209, longitude=-6.8416, at=start + timedelta(minutes=70))  # Rabat
    record_position(agent=agent, latitude=33.0, longitude=-7.0, at=start + timedelta(minutes=10))  # late: ignored
    route = Delivery.objects.get(order=order).route_data
    assert set(route) == {"waypoints", "distance_km", "duration_minutes"}
    assert [point["latitude"] for point in route["waypoints"]] == [33.5731, 34.0209]
    assert set(route["waypoints"][0]) == {"latitude", "longitude", "timestamp"}
    assert 85 < route["distance_km"] < 90
    assert route["duration_minutes"] >= 70


def test_routes_keep_their_last_waypoints_and_the_whole_distance(agent, monkeypatch):
    monkeypatch.setattr(delivery_rules, "MAX_WAYPOINTS", 3)
    order = out_order(agent)
    start = timezone.now()
    for minute in range(5):
        record_position(
            agent=agent, latitude=33.0 + minute * 0.01, longitude=-7.0, at=start + timedelta(minutes=minute)
        )
    route = Delivery.objects.get(order=order).route_data
    assert len(route["waypoints"]) == 3 and route["waypoints"][-1]["latitude"] == 33.04
    assert 4.3 < route["distance_km"] < 4.6  # four legs of ~1.11 km


def test_positions_are_checked_and_need_an_attempt_on_the_way(agent):
    with pytest.raises(ValidationFailed):
        record_position(agent=agent, latitude=95, longitude=0)
    assert record_position(agent=agent, latitude=33.5, longitude=-7.6) == 0


def test_haversine():
    assert haversine_km(0, 0, 0, 0) == 0
    assert 111.1 < haversine_km(0, 0, 1, 0) < 111.3


# --- Signatures -------------------------------------------------------------------------------------------


def test_signature_rules():
    assert signature_problem(rgba_png()) is None
    assert "sign" in signature_problem(None)
    assert "empty" in signature_problem(rgba_png(blank=True))
    assert "too large" in signature_problem(rgba_png(300, 300, noise=True))
    assert signature_problem(png_bytes()) is None  # an RGB image with red pixels is not blank


# --- Once only, under real concurrency ----------------------------------------------------------------------


def run_at_once(jobs, timeout: float = 30) -> list:
    """Each job in its own thread and database connection, released together; returns results or errors."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=timeout)
            outcomes[index] = job()
        except Exception as error:  # reported to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_with_one_token_have_one_effect(media_root):
    agent = AgentFactory()
    order = out_order(agent)
    kwargs = deliver_kwargs(order, agent, client_token="race-deliver-token")
    outcomes = run_at_once([lambda: deliver(**{**kwargs, "photo": photo()}) for _ in range(2)])
    assert all(isinstance(outcome, ActionResult) for outcome in outcomes), outcomes
    assert sorted(outcome.already_recorded for outcome in outcomes) == [False, True]
    assert len({outcome.delivery.pk for outcome in outcomes}) == 1
    assert OrderHistory.objects.filter(order=order, new_status=S.DELIVERED).count() == 1
    assert len(activity("delivery_delivered")) == 1
    assert len(proof_files(media_root)) == 2  # the loser's files were removed


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pickups_with_one_token_have_one_effect():
    agent = AgentFactory()
    order = ready_order(agent)
    outcomes = run_at_once(
        [lambda: pickup(order_id=order.pk, agent=agent, client_token="race-pickup-token") for _ in range(2)]
    )
    assert all(isinstance(outcome, ActionResult) for outcome in outcomes), outcomes
    assert sorted(outcome.already_recorded for outcome in outcomes) == [False, True]
    assert Delivery.objects.filter(order=order).count() == 1
    assert OrderHistory.objects.filter(order=order, new_status=S.OUT_FOR_DELIVERY).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_failures_with_one_token_have_one_effect():
    agent = AgentFactory()
    order = out_order(agent)

    def job():
        return fail_attempt(order_id=order.pk, agent=agent, client_token="race-fail", reason=FailureReason.PHONE_OFF)

    outcomes = run_at_once([job, job])
    assert all(isinstance(outcome, ActionResult) for outcome in outcomes), outcomes
    assert sorted(outcome.already_recorded for outcome in outcomes) == [False, True]
    assert Delivery.objects.filter(order=order, outcome=DeliveryOutcome.FAILED).count() == 1
    assert OrderHistory.objects.filter(order=order, new_status=S.READY_FOR_PICKUP).count() == 1
