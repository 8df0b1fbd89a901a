from django.contrib import admin
from django.urls import include, path

from common import views as common_views
from core import views as core_views

admin.site.site_header = "COD Operations admin"
admin.site.site_title = "COD Operations"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("orders/", include("orders.urls")),
    path("customers/", include("customers.urls")),
    path("products/", include("catalog.urls")),
    path("delivery/", include("logistics.urls")),
    # Inbound webhooks: the public endpoint /webhooks/in/<token>/ and the staff pages /integrations/;
    # CSV / XLSX imports under /integrations/imports/ (integrations/urls.py joins both).
    path("", include("integrations.urls")),
    # The REST API (docs/api.md): config/api_urls.py includes each app's api/urls.py.
    path("api/v1/", include("config.api_urls")),
    # Private uploads (proofs, receipts), each folder guarded by its owner's checker (common/uploads.py).
    path("files/<path:path>", common_views.private_file, name="private_file"),
    path("", include("core.urls")),
]
