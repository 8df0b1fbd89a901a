from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orders.signals import order_status_changing

        from .receivers import revenue_on_delivery

        order_status_changing.connect(revenue_on_delivery, dispatch_uid="finance-revenue-on-delivery")
