from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="token_refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path(
        "notifications/<uuid:notification_id>/read/",
        views.NotificationReadView.as_view(),
        name="notification_read",
    ),
]
