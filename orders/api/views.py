"""Orders over the API: the list (the web list's filters), one order, intake and status moves.

Access is the web app's: `orders.view` (and `orders.create` to create) from accounts.policy, and
only orders in the user's scope exist for them (an agent's view of another agent's order is a 404).
Writes go through the same services: order_create (source "api") and order_transition.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts import policy
from common.api import (
    NON_FIELD,
    FilterBackend,
    KeysetPagination,
    PolicyPermission,
    error_responses,
    rename_errors,
    validated,
)
from common.errors import ValidationFailed
from customers.services import CustomerInput

from .. import listing
from ..models import Order, OrderHistory, OrderSource
from ..services.intake import ItemInput, OrderInput, order_create
from ..services.transitions import order_transition
from .serializers import OrderCreateIn, OrderDetailOut, OrderListOut, OrderListQuery, TransitionIn

# Error paths of order_create that are not the request's own field names.
INTAKE_ERROR_NAMES = {"external_source": "external_id", "source": NON_FIELD}


def order_detail_queryset():
    return Order.objects.select_related("customer", "assigned_rep", "assigned_agent", "duplicate_of").prefetch_related(
        Prefetch("history", queryset=OrderHistory.objects.select_related("changed_by_user").order_by("created_at"))
    )


class _OrderView(GenericAPIView):
    permission_classes = [PolicyPermission]
    lookup_url_kwarg = "order_id"

    def get_queryset(self):
        return policy.scope(self.request.user, "orders", order_detail_queryset())

    def detail(self, order_id, *, status: int = 200) -> Response:
        order = order_detail_queryset().get(pk=order_id)
        return Response(OrderDetailOut(order, context=self.get_serializer_context()).data, status=status)


@extend_schema(tags=["orders"])
class OrderListView(_OrderView):
    required_permissions = {"GET": ("orders.view",), "POST": ("orders.view", "orders.create")}
    serializer_class = OrderListOut
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = listing.OrderFilter

    def get_queryset(self):
        orders = Order.objects.select_related("customer", "assigned_agent", "assigned_rep").only(*listing.LIST_FIELDS)
        return policy.scope(self.request.user, "orders", orders)

    def keyset_order(self, request) -> tuple[str, bool]:
        return listing.SORTS[self.sort]

    @extend_schema(
        operation_id="orders_list",
        parameters=[OrderListQuery],
        responses={200: OrderListOut(many=True), **error_responses(400, 403)},
    )
    def get(self, request):
        """Orders the user may see, with the web list's filters; newest first unless `sort` says otherwise."""
        self.sort = validated(OrderListQuery, request.query_params)["sort"]
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(OrderListOut(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        request=OrderCreateIn,
        responses={201: OrderDetailOut, 200: OrderDetailOut, **error_responses(400, 403)},
    )
    def post(self, request):
        """Take in an order (source "api") through the intake service: validated and priced against
        the catalog, customer found by phone or created. Errors name the request's fields
        ("customer.phone", "items.1.quantity"); nothing is written when there are any."""
        data = validated(OrderCreateIn, request.data)
        try:
            result = order_create(data=_order_input(data, request.user), actor=request.user)
        except ValidationFailed as exc:
            raise ValidationFailed(rename_errors(exc.errors, INTAKE_ERROR_NAMES), exc.message) from exc
        return self.detail(result.order.pk, status=201 if result.created else 200)


def _order_input(data: dict, user) -> OrderInput:
    external_id = data["external_id"]
    return OrderInput(
        source=OrderSource.API,
        customer=CustomerInput(**data["customer"]),
        items=[
            ItemInput(
                product_id=str(item["product_id"]) if item["product_id"] else None,
                sku=item["sku"],
                variant_id=item["variant_id"] or None,
                quantity=item["quantity"],
                notes=item["notes"],
            )
            for item in data["items"]
        ],
        delivery_address=data["delivery_address"],
        delivery_area=data["delivery_area"],
        priority=data["priority"],
        payment_method=data["payment_method"],
        customer_notes=data["customer_notes"],
        internal_notes=data["internal_notes"],
        # Each API user's references are their own: two clients may both send "1001".
        external_source=f"api:{user.pk}" if external_id else None,
        external_id=external_id,
    )


@extend_schema(tags=["orders"])
class OrderDetailView(_OrderView):
    required_permissions = {"GET": ("orders.view",)}
    serializer_class = OrderDetailOut

    @extend_schema(operation_id="orders_retrieve", responses={200: OrderDetailOut, **error_responses(403, 404)})
    def get(self, request, order_id):
        return Response(OrderDetailOut(self.get_object(), context=self.get_serializer_context()).data)


@extend_schema(tags=["orders"])
class OrderTransitionView(_OrderView):
    """Move the order to another status through the status machine (docs/orders.md): an invalid
    move is a 400 with the reason, a move this user may not make a 403."""

    required_permissions = {"POST": ("orders.view",)}
    serializer_class = TransitionIn

    @extend_schema(
        operation_id="orders_transition",
        request=TransitionIn,
        responses={200: OrderDetailOut, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, order_id):
        order = self.get_object()
        data = validated(TransitionIn, request.data)
        order_transition(
            order_id=order.pk, to_status=data["to_status"], actor=request.user, reason=data["reason"], note=data["note"]
        )
        return self.detail(order.pk)
