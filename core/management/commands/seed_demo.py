"""manage.py seed_demo: load a realistic cash-on-delivery business for demos and local work.

    python manage.py seed_demo                    # 2,000 orders, a few seconds
    python manage.py seed_demo --orders 1000000   # a million orders through COPY, a few minutes
    python manage.py seed_demo --reset            # empty the business tables and load again

Running it again adds nothing: see core.demo.seed.seed_demo.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo.people import DEMO_LOGINS, DEMO_PASSWORD
from core.demo.seed import DEFAULT_ORDERS, DEFAULT_SEED, SeedResult, seed_demo

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "Command"]


class Command(BaseCommand):
    help = "Load demo users, catalog, customers and orders (idempotent; --reset to reload)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="number of orders (default 2000)")
        parser.add_argument("--customers", type=int, help="number of customers (default orders/10, at least 50)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed, for reproducible data")
        parser.add_argument("--reset", action="store_true", help="empty the business tables first (destructive)")
        parser.add_argument("--quiet", action="store_true", help="print nothing")
        parser.add_argument(
            "--allow-production", action="store_true", help="run even with production settings (you never want this)"
        )

    def handle(self, *args, orders, customers, seed, reset, quiet, allow_production, **options):
        if settings.SETTINGS_MODULE.endswith(".production") and not allow_production:
            raise CommandError("Refusing to load demo data with production settings (--allow-production overrides).")
        if orders < 0 or (customers is not None and customers < 1):
            raise CommandError("--orders must be >= 0 and --customers >= 1")
        log = (lambda message: None) if quiet else self.stdout.write
        result = seed_demo(orders=orders, customers=customers, reset=reset, seed=seed, log=log)
        if not quiet:
            self._summary(result)

    def _summary(self, result: SeedResult) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data ready in {result.seconds:.1f}s"))
        write("  " + ", ".join(f"{table} {count:,}" for table, count in result.counts.items()))
        write("  orders by status: " + ", ".join(f"{status} {count:,}" for status, count in result.statuses.items()))
        write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, role in DEMO_LOGINS.items():
            write(f"  {email:<24} {role}")
