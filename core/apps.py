from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orders.signals import order_created, order_status_changed

        from .dashboard import bump_generation

        # Today's dashboard figures follow orders as soon as a change commits.
        order_created.connect(bump_generation, dispatch_uid="dashboard-order-created")
        order_status_changed.connect(bump_generation, dispatch_uid="dashboard-order-status")
