import factory

from customers.models import Customer


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    full_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+2126{n + 10_000_000:08d}")
    city = "Casablanca"
    area = "Maarif"
    address = factory.Faker("street_address")
