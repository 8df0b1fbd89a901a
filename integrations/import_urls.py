"""CSV / XLSX order imports (integrations/import_views.py), under /integrations/imports/."""

from django.urls import path

from . import import_views as views

urlpatterns = [
    path("integrations/imports/", views.import_list, name="import_list"),
    path("integrations/imports/new/", views.import_upload, name="import_upload"),
    path("integrations/imports/template.csv", views.import_template_csv, name="import_template_csv"),
    path("integrations/imports/template.xlsx", views.import_template_xlsx, name="import_template_xlsx"),
    path("integrations/imports/<uuid:batch_id>/", views.import_detail, name="import_detail"),
    path("integrations/imports/<uuid:batch_id>/status/", views.import_status, name="import_status"),
    path("integrations/imports/<uuid:batch_id>/commit/", views.import_commit, name="import_commit"),
    path("integrations/imports/<uuid:batch_id>/rollback/", views.import_rollback, name="import_rollback"),
    path("integrations/imports/<uuid:batch_id>/report.csv", views.import_report, name="import_report"),
]
