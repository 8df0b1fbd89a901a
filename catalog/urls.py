from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("low-stock/", views.product_low_stock, name="low_stock"),
    path("new/", views.product_create, name="create"),
    path("<uuid:product_id>/", views.product_detail, name="detail"),
    path("<uuid:product_id>/edit/", views.product_edit, name="edit"),
    path("<uuid:product_id>/stock/", views.product_adjust_stock, name="adjust_stock"),
    path("<uuid:product_id>/variants/", views.product_variant_add, name="variant_add"),
    path("<uuid:product_id>/variants/<str:variant_id>/", views.product_variant_edit, name="variant_edit"),
]
