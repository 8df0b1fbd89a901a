"""URLs of inbound webhooks: the public endpoint and the staff pages (namespace "integrations")."""

from django.urls import path

from . import staff_views, views

app_name = "integrations"

urlpatterns = [
    # Public, CSRF-exempt, authenticated by signature or API key (views.inbound).
    path("webhooks/in/<str:endpoint_token>/", views.inbound, name="inbound"),
    path("integrations/", staff_views.webhook_list, name="list"),
    path("integrations/webhooks/new/", staff_views.webhook_create, name="webhook_create"),
    path("integrations/webhooks/<uuid:webhook_id>/", staff_views.webhook_detail, name="webhook_detail"),
    path("integrations/webhooks/<uuid:webhook_id>/edit/", staff_views.webhook_edit, name="webhook_edit"),
    path(
        "integrations/webhooks/<uuid:webhook_id>/regenerate/",
        staff_views.webhook_regenerate,
        name="webhook_regenerate",
    ),
    path("integrations/webhooks/<uuid:webhook_id>/preview/", staff_views.mapping_preview, name="mapping_preview"),
    path("integrations/logs/<uuid:log_id>/", staff_views.log_detail, name="log_detail"),
    path("integrations/logs/<uuid:log_id>/replay/", staff_views.log_replay, name="log_replay"),
]
