from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<uuid:customer_id>/", views.customer_detail, name="detail"),
    path("<uuid:customer_id>/tags/", views.customer_tags, name="tags"),
    path("<uuid:customer_id>/notes/", views.customer_notes, name="notes"),
    path("<uuid:customer_id>/blacklist/", views.customer_blacklist, name="blacklist"),
]
