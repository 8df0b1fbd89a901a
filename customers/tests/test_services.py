import pytest

from accounts.tests.factories import RepFactory
from common.errors import ValidationFailed
from customers.services import customer_set_blacklist, customer_set_tags
from customers.signals import customer_tags_changed
from customers.tests.factories import CustomerFactory
from orders.selectors import customer_risk

pytestmark = pytest.mark.django_db


def test_blacklisting_needs_a_reason_and_records_who_and_when():
    customer = CustomerFactory()
    with pytest.raises(ValidationFailed):
        customer_set_blacklist(customer_id=customer.pk, blacklisted=True, reason=" ", actor=RepFactory())
    rep = RepFactory()
    customer = customer_set_blacklist(customer_id=customer.pk, blacklisted=True, reason="Fake orders", actor=rep)
    assert (customer.is_blacklisted, customer.blacklist_reason, customer.blacklisted_by) == (True, "Fake orders", rep)
    assert customer.blacklisted_at is not None
    assert customer_risk(customer).band == "high"
    customer = customer_set_blacklist(customer_id=customer.pk, blacklisted=False, reason="", actor=rep)
    assert (customer.is_blacklisted, customer.blacklist_reason, customer.blacklisted_by) == (False, None, None)


def test_tags_are_stored_in_the_schema_shape_and_changes_announced(django_capture_on_commit_callbacks):
    customer = CustomerFactory(tags=[{"id": "new", "label": "New", "color": "#000"}])
    seen = []

    def listener(**kwargs):
        seen.append((kwargs["added"], kwargs["removed"]))

    customer_tags_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            customer = customer_set_tags(customer_id=customer.pk, tags=[{"id": "VIP", "label": "VIP Customer"}])
    finally:
        customer_tags_changed.disconnect(listener)
    assert customer.tags == [{"id": "vip", "label": "VIP Customer", "color": "#667085"}]
    assert seen == [({"vip"}, {"new"})]
