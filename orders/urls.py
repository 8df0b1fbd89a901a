from django.urls import include, path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("export/", views.order_export, name="export"),
    path("bulk/", views.order_bulk, name="bulk"),
    path("<uuid:order_id>/", views.order_detail, name="detail"),
    path("<uuid:order_id>/move/", views.order_move, name="move"),
    path("<uuid:order_id>/assign/", views.order_assign, name="assign"),
    path("<uuid:order_id>/note/", views.order_note, name="note"),
    path("<uuid:order_id>/duplicate/", views.order_duplicate_decision, name="duplicate"),
    # New order, the rep's confirmation queue, calls and item edits: orders/urls_intake.py.
    path("", include("orders.urls_intake")),
]
