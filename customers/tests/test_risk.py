from decimal import Decimal

import pytest

from customers.domain import assess_risk, normalize_tags


def risk(**overrides):
    values = {
        "total_orders": 0,
        "return_rate": Decimal("0"),
        "refused_orders": 0,
        "is_blacklisted": False,
        "area": "Maarif",
        "area_return_rate": None,
    }
    values.update(overrides)
    return assess_risk(**values)


@pytest.mark.parametrize(
    ("overrides", "band"),
    [
        ({}, "low"),
        ({"total_orders": 1, "return_rate": Decimal("100")}, "low"),  # one order says little
        ({"total_orders": 4, "return_rate": Decimal("25")}, "medium"),
        ({"total_orders": 4, "return_rate": Decimal("50")}, "high"),
        ({"refused_orders": 1}, "medium"),
        ({"refused_orders": 2}, "high"),
        ({"area_return_rate": Decimal("29.99")}, "low"),
        ({"area_return_rate": Decimal("30")}, "medium"),
        ({"is_blacklisted": True}, "high"),
        ({"refused_orders": 1, "area_return_rate": Decimal("45")}, "medium"),
    ],
)
def test_risk_band_is_the_worst_signal(overrides, band):
    assert risk(**overrides).band == band


def test_risk_reasons_say_why():
    result = risk(is_blacklisted=True, blacklist_reason="Fake orders", area_return_rate=Decimal("40"))
    assert result.reasons == ("Blacklisted: Fake orders", "Maarif returns 40% of orders")


def test_tags_take_the_schema_shape_once_per_id():
    tags = normalize_tags([{"id": "VIP"}, {"id": "vip", "label": "VIP Customer", "color": "#FFD700"}, {"label": "x"}])
    assert tags == [{"id": "vip", "label": "VIP Customer", "color": "#FFD700"}]
