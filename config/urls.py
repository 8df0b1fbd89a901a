from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "COD Operations admin"
admin.site.site_title = "COD Operations"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
]
