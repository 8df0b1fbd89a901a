from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "logistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orders.signals import order_status_changed

        from .receivers import dispatch_order_when_ready

        # Automatic dispatch (settings.AUTO_DISPATCH): logistics/receivers.py.
        order_status_changed.connect(dispatch_order_when_ready, dispatch_uid="logistics.auto_dispatch")

        # Proofs of delivery are served only through /files/proofs/... to whom may see them (logistics/proofs.py).
        from common.uploads import register_private_folder

        from .proofs import can_view_proof

        register_private_folder("proofs/", can_view_proof)
