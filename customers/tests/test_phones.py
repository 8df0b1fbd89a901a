import pytest

from customers.phones import InvalidPhone, normalize_phone, phone_search_forms


@pytest.mark.parametrize(
    "raw",
    ["0612345678", "+212 6 12 34 56 78", "00212612345678", "06-12-34-56-78", " +212612345678 ", "(+212) 612 345 678"],
)
def test_every_way_of_writing_a_moroccan_mobile_is_one_number(raw):
    assert normalize_phone(raw, "MA") == "+212612345678"


def test_a_foreign_number_keeps_its_country():
    assert normalize_phone("+33 6 12 34 56 78", "MA") == "+33612345678"


def test_the_default_region_comes_from_settings(settings):
    settings.DEFAULT_PHONE_REGION = "FR"
    assert normalize_phone("06 12 34 56 78") == "+33612345678"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "required"),
        (None, "required"),
        ("12", "not a valid"),
        ("abc", "not a phone"),
        ("+2126000000001", "not a valid"),
        ("0" * 60, "too long"),
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(InvalidPhone, match=message):
        normalize_phone(raw, "MA")


def test_search_forms_normalise_full_numbers_and_keep_partial_digits():
    assert phone_search_forms("0612 34 56 78", "MA") == ["+212612345678"]
    assert phone_search_forms("0612 34", "MA") == ["61234"]
    assert phone_search_forms("--", "MA") == []
