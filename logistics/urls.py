from django.urls import include, path

app_name = "logistics"

urlpatterns = [
    # The delivery agent's mobile pages: logistics/urls_agent.py.
    path("", include("logistics.urls_agent")),
    # Dispatch, run sheets, labels and agent performance (staff): logistics/urls_dispatch.py.
    path("", include("logistics.urls_dispatch")),
]
