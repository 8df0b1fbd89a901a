"""Routes: see logistics/urls.py."""

urlpatterns: list = []
