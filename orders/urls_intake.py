"""Routes of the new-order page, the confirmation queue, calls and item edits."""

from django.urls import path

from . import views_intake, views_queue

urlpatterns = [
    path("new/", views_intake.order_new, name="create"),
    path("new/customer/", views_intake.customer_lookup, name="customer_lookup"),
    path("new/products/", views_intake.product_search, name="product_search"),
    path("new/quote/", views_intake.order_quote, name="quote"),
    path("queue/", views_queue.queue, name="queue"),
    path("<uuid:order_id>/call/", views_queue.queue_record_call, name="record_call"),
    path("<uuid:order_id>/edit/", views_intake.order_edit_items, name="edit_items"),
    path("<uuid:order_id>/edit/quote/", views_intake.order_edit_quote, name="edit_quote"),
]
