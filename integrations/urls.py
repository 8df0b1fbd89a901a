"""URLs of the integrations app, one namespace ("integrations") for its two parts: inbound webhooks
and their staff pages (webhooks/urls.py), and CSV / XLSX order imports (import_urls.py)."""

from .import_urls import urlpatterns as import_patterns
from .webhooks.urls import urlpatterns as webhook_patterns

app_name = "integrations"

urlpatterns = [*webhook_patterns, *import_patterns]
