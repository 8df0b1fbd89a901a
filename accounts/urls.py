from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import notification_views, views

app_name = "accounts"

urlpatterns = [
    # Login, logout, two-factor, password: accounts/auth_urls.py.
    path("", include("accounts.auth_urls")),
    # User management (admins) and the activity log.
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:user_id>/", views.user_detail, name="user_detail"),
    path("users/<uuid:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<uuid:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<uuid:user_id>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<uuid:user_id>/permissions/", views.user_permissions, name="user_permissions"),
    path("users/<uuid:user_id>/reset-two-factor/", views.user_reset_two_factor, name="user_reset_two_factor"),
    path("availability/", views.my_availability, name="my_availability"),
    path("activity/", views.activity_list, name="activity_list"),
    # One's own notifications (accounts/notification_views.py).
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/badge/", notification_views.notifications_badge, name="notifications_badge"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<uuid:notification_id>/read/", notification_views.notification_read, name="notification_read"),
    # The invite / reset link handed out by an admin: set a password once.
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/set_password.html", success_url=reverse_lazy("accounts:login")
        ),
        name="set_password",
    ),
]
