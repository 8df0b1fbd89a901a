from django.urls import path

from . import views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<uuid:customer_id>/", views.CustomerDetailView.as_view(), name="customer_detail"),
]
