"""Routes of the delivery agent's pages, under /delivery/run/ (see logistics/urls.py, logistics/views_agent.py)."""

from django.urls import path

from . import views_agent

urlpatterns = [
    path("run/", views_agent.agent_run, name="agent_run"),
    path("run/availability/", views_agent.agent_availability, name="agent_availability"),
    path("run/position/", views_agent.position, name="position"),
    path("run/<uuid:order_id>/pickup/", views_agent.pickup, name="pickup"),
    path("run/<uuid:order_id>/deliver/", views_agent.deliver, name="deliver"),
    path("run/<uuid:order_id>/fail/", views_agent.fail, name="fail"),
]
