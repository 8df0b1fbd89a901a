"""Login, logout, two-factor authentication, password and sessions: the current user's own access."""

from django.contrib.auth import views as django_auth_views
from django.urls import path

from . import auth_views

urlpatterns = [
    path("login/", auth_views.login, name="login"),
    path("login/code/", auth_views.two_factor_verify, name="two_factor_verify"),
    path("logout/", django_auth_views.LogoutView.as_view(), name="logout"),
    path("security/", auth_views.security, name="security"),
    path("security/two-factor/", auth_views.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/disable/", auth_views.two_factor_disable, name="two_factor_disable"),
    path("security/password/", auth_views.password_change, name="password_change"),
    path("security/logout-everywhere/", auth_views.logout_everywhere, name="logout_everywhere"),
]
