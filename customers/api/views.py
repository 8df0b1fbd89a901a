"""Customers over the API: the list (the web list's search, filters and sorts) and one customer.

Read-only. `customers.view` from accounts.policy; a delivery agent sees only the customers of the
orders assigned to them, and any other customer is a 404 for them.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts import policy
from common.api import FilterBackend, KeysetPagination, PolicyPermission, error_responses
from orders.selectors import area_return_rates, customer_risk

from ..filters import CustomerFilter
from ..models import Customer
from ..selectors import customer_orders, with_risk
from ..views import LIST_COLUMNS
from .serializers import CustomerDetailOut, CustomerListOut


@extend_schema(tags=["customers"])
class CustomerListView(GenericAPIView):
    permission_classes = [PolicyPermission]
    required_permissions = {"GET": ("customers.view",)}
    serializer_class = CustomerListOut
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = CustomerFilter

    def get_queryset(self):
        return policy.scope(self.request.user, "customers", Customer.objects.only(*LIST_COLUMNS))

    def filterset_extra_kwargs(self) -> dict:
        self.area_rates = area_return_rates()  # read once for the filter and the page's risk bands
        return {"area_rates": self.area_rates}

    def keyset_order(self, request) -> tuple[str, bool]:
        return self.filterset.sort_key

    @extend_schema(
        operation_id="customers_list", responses={200: CustomerListOut(many=True), **error_responses(400, 403)}
    )
    def get(self, request):
        """Search by name or phone (any format), filter by area, city, tag, risk and blacklist."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CustomerListOut(with_risk(page, self.area_rates), many=True).data)


@extend_schema(tags=["customers"])
class CustomerDetailView(GenericAPIView):
    permission_classes = [PolicyPermission]
    required_permissions = {"GET": ("customers.view",)}
    serializer_class = CustomerDetailOut
    lookup_url_kwarg = "customer_id"

    def get_queryset(self):
        return policy.scope(self.request.user, "customers", Customer.objects.all())

    @extend_schema(operation_id="customers_retrieve", responses={200: CustomerDetailOut, **error_responses(403, 404)})
    def get(self, request, customer_id):
        customer = self.get_object()
        customer.risk = customer_risk(customer)
        context = {**self.get_serializer_context(), "orders": customer_orders(customer=customer, actor=request.user)}
        return Response(CustomerDetailOut(customer, context=context).data)
