"""Products over the API: the catalogue (the web list's search, filters and sorts) and one product.

Read-only; `products.view` from accounts.policy (products have no object rules).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from common.api import FilterBackend, KeysetPagination, PolicyPermission, error_responses

from ..filters import ProductFilter
from ..models import Product
from ..views import LIST_COLUMNS
from .serializers import ProductDetailOut, ProductListOut


@extend_schema(tags=["products"])
class ProductListView(GenericAPIView):
    permission_classes = [PolicyPermission]
    required_permissions = {"GET": ("products.view",)}
    serializer_class = ProductListOut
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self):
        return Product.objects.only(*LIST_COLUMNS)

    def keyset_order(self, request) -> tuple[str, bool]:
        return self.filterset.sort_key

    @extend_schema(
        operation_id="products_list", responses={200: ProductListOut(many=True), **error_responses(400, 403)}
    )
    def get(self, request):
        """Search by name words or SKU prefix; filter by category, on sale, low stock."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProductListOut(page, many=True).data)


@extend_schema(tags=["products"])
class ProductDetailView(GenericAPIView):
    permission_classes = [PolicyPermission]
    required_permissions = {"GET": ("products.view",)}
    serializer_class = ProductDetailOut
    lookup_url_kwarg = "product_id"
    queryset = Product.objects.all()

    @extend_schema(operation_id="products_retrieve", responses={200: ProductDetailOut, **error_responses(403, 404)})
    def get(self, request, product_id):
        return Response(ProductDetailOut(self.get_object()).data)
