import factory
import pyotp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Availability, Role, TwoFactorDevice, User

TEST_PASSWORD = "correct-horse-battery-staple"
# bcrypt at cost 12 takes ~0.25 s per hash: hash the shared test password once per run.
_TEST_PASSWORD_HASH: str | None = None


def test_password_hash() -> str:
    global _TEST_PASSWORD_HASH
    if _TEST_PASSWORD_HASH is None:
        _TEST_PASSWORD_HASH = make_password(TEST_PASSWORD)
    return _TEST_PASSWORD_HASH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+2126{n:08d}")
    role = Role.CUSTOMER_REP
    availability_status = Availability.AVAILABLE
    password = factory.LazyFunction(test_password_hash)

    @factory.post_generation
    def two_factor(obj, create, extracted, **kwargs):
        """Roles that require two-factor authentication (admins) get a confirmed authenticator, as
        every admin who reaches a page has in production. `two_factor=False` (or True) overrides.
        The seed is `user.two_factor_device.secret`: pyotp.TOTP(seed).now() is a valid code."""
        enabled = obj.role in settings.TWO_FACTOR_REQUIRED_ROLES if extracted is None else extracted
        if create and enabled:
            TwoFactorDevice.objects.create(user=obj, secret=pyotp.random_base32(), confirmed_at=timezone.now())


class AdminFactory(UserFactory):
    role = Role.ADMIN


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class RepFactory(UserFactory):
    role = Role.CUSTOMER_REP


class AgentFactory(UserFactory):
    role = Role.DELIVERY_AGENT


class AccountantFactory(UserFactory):
    role = Role.ACCOUNTANT
