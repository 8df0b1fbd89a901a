from django.urls import path

from . import views

urlpatterns = [
    path("deliveries/", views.RunView.as_view(), name="delivery_list"),
    path("deliveries/<uuid:order_id>/pickup/", views.PickupView.as_view(), name="delivery_pickup"),
    path("deliveries/<uuid:order_id>/deliver/", views.DeliverView.as_view(), name="delivery_deliver"),
    path("deliveries/<uuid:order_id>/fail/", views.FailView.as_view(), name="delivery_fail"),
]
