from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order_list"),  # GET list, POST create
    path("orders/<uuid:order_id>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<uuid:order_id>/transition/", views.OrderTransitionView.as_view(), name="order_transition"),
]
