"""Routes: see logistics/urls.py. Dispatch, run sheets, labels and agent performance (staff)."""

from django.urls import path

from . import views_dispatch as views

urlpatterns = [
    path("dispatch/", views.dispatch, name="dispatch"),
    path("dispatch/assign/", views.dispatch_assign, name="dispatch_assign"),
    path("dispatch/auto/", views.dispatch_auto, name="dispatch_auto"),
    path("dispatch/labels/", views.labels, name="labels"),
    path("dispatch/run-sheet/<uuid:agent_id>/", views.run_sheet, name="run_sheet"),
    path("performance/", views.performance, name="performance"),
    path("performance/<uuid:agent_id>/", views.performance_agent, name="performance_agent"),
    path("attempts/<uuid:delivery_id>/feedback/", views.delivery_feedback, name="delivery_feedback"),
]
