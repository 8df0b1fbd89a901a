"""Building blocks every API endpoint (the apps' `api/` packages) shares.

- `StampedJWTAuthentication`: a JWT access token is accepted only while its user is active and its
  `stamp` claim equals the user's current `security_stamp`, so deactivation, a password change or
  "log out everywhere" (accounts.services.end_all_sessions) cut API access at once.
- `PolicyPermission`: what a view needs, per HTTP method, asked of accounts.policy (the same table
  the pages use). Visibility of single objects is the views' job: they look objects up in
  `policy.scope(...)`, so an object the user may not see is a 404.
- `exception_handler`: one error shape for every failure, `{"detail", "code", "errors"}`, with
  DomainError -> 400, PermissionDenied -> 403, Conflict -> 409 and field errors keyed by dotted
  paths ("customer.phone", "items.1.quantity").
- `KeysetPagination`: pages over (sort key, id) with the project's keyset helpers (common.keyset):
  no OFFSET, no count, stable when many rows share a timestamp.
- `FilterBackend`: django-filter, reusing the web pages' FilterSets; invalid filters are a 400.
- Throttles per user, per IP address (honouring TRUSTED_PROXY_HOPS) and, stricter, for logging in.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts import policy
from accounts.jwt import STAMP_CLAIM

from .errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from .keyset import decode_cursor, keyset_page
from .request_context import client_ip

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


# --- Authentication --------------------------------------------------------------------------------


class StampedJWTAuthentication(JWTAuthentication):
    """simplejwt's access-token check plus the user's security stamp (and is_active, by simplejwt)."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)  # 401 when the user is gone or inactive
        if validated_token.get(STAMP_CLAIM) != str(user.security_stamp):
            raise exceptions.AuthenticationFailed("This token was revoked. Log in again.", code="token_revoked")
        return user


# --- Permissions -----------------------------------------------------------------------------------


class PolicyPermission(BasePermission):
    """Views declare `required_permissions = {"GET": ("orders.view",), "POST": (...)}`.

    A method the view handles but does not declare is refused (fail closed); a method it does not
    handle passes here and gets DRF's 405.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        required = getattr(view, "required_permissions", {})
        if method not in required:
            return not hasattr(view, method.lower())
        return all(policy.can(user, permission) for permission in required[method])


# --- Fields ----------------------------------------------------------------------------------------


class MoneyField(serializers.DecimalField):
    """Money out as a string with two decimals ("199.00"), rounded half-up like orders.domain.money.
    Accepts Decimal, int, float or numeric strings (order items and variants keep JSON numbers)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(max_digits=None, decimal_places=2, coerce_to_string=True, rounding=ROUND_HALF_UP, **kwargs)


# --- Errors ----------------------------------------------------------------------------------------


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"customer.phone": [...], "items.1.quantity": [...]}; errors about
    a whole nested object or list ("non_field_errors" inside it) go under its own path ("items")."""
    if isinstance(detail, dict):
        pairs = detail.items()
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        pairs = enumerate(detail)  # a list serializer: one entry per item
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {path or NON_FIELD: [str(message) for message in messages]} if messages else {}
    errors: dict[str, list[str]] = {}
    for key, value in pairs:
        sub = path if key == NON_FIELD else (f"{path}.{key}" if path else str(key))
        for name, messages in flatten_errors(value, sub).items():
            errors.setdefault(name, []).extend(messages)
    return errors


def error_body(detail: str, *, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or {}}


def validated(serializer_class, data, **kwargs) -> dict[str, Any]:
    """The input serializer's validated data; a 400 with field errors when it is not valid."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ErrorOut(serializers.Serializer):
    """The body of every error response (documented in the OpenAPI schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """For @extend_schema(responses=...): the error statuses an endpoint answers, each an ErrorOut.
    Every authenticated endpoint may answer 401 and 429."""
    return dict.fromkeys(sorted({*codes, 401, 429}), ErrorOut)


def rename_errors(errors: dict[str, list[str]], names: dict[str, str]) -> dict[str, list[str]]:
    """A service's error paths renamed to the request's field names (unknown ones kept as they are)."""
    renamed: dict[str, list[str]] = {}
    for path, messages in errors.items():
        renamed.setdefault(names.get(path, path), []).extend(messages)
    return renamed


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error as {"detail", "code", "errors"}."""
    if isinstance(exc, ValidationFailed):
        return Response(error_body(exc.message, code="invalid", errors=exc.errors), status=400)
    if isinstance(exc, PermissionDenied):
        return Response(error_body(exc.message, code=exc.code), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict):
        return Response(error_body(exc.message, code=exc.code), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response(error_body(exc.message, code=exc.code), status=status.HTTP_400_BAD_REQUEST)
    from rest_framework.views import exception_handler as drf_exception_handler  # not at import: a cycle

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling (and logging) takes over
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "Please correct the errors below.", code="invalid", errors=flatten_errors(exc.detail)
        )
    elif isinstance(exc, Http404):
        response.data = error_body("Not found.", code="not_found")
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = error_body("You are not allowed to do this.", code="permission_denied")
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, dict):  # simplejwt's InvalidToken: {"detail", "code", "messages"}
            detail = detail.get("detail", "Invalid token.")
        codes = exc.get_codes()
        code = codes.get("code", "invalid") if isinstance(codes, dict) else codes
        response.data = error_body(str(detail), code=str(code))
    return response


# --- Pagination ------------------------------------------------------------------------------------


class KeysetPagination(BasePagination):
    """`?after=<cursor>` (next page) / `?before=<cursor>` (previous page), `?page_size=` up to 100.

    The view says how its rows are ordered with `keyset_order(request) -> (field, descending)`;
    the field must be NOT NULL. A cursor that does not decode is a 400.
    """

    page_size = 50
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        key, descending = view.keyset_order(request) if hasattr(view, "keyset_order") else ("created_at", True)
        after = self._cursor(request, "after", queryset.model, key)
        before = self._cursor(request, "before", queryset.model, key)
        self.request = request
        self.page = keyset_page(
            queryset, key=key, descending=descending, after=after, before=before, per_page=self._size(request)
        )
        return self.page.rows

    def get_paginated_response(self, data) -> Response:
        return Response({
            "next": self._link("after", self.page.next_cursor),
            "previous": self._link("before", self.page.previous_cursor),
            "results": data,
        })  # fmt: skip

    def _cursor(self, request, name: str, model, key: str) -> str | None:
        value = request.query_params.get(name)
        if not value:
            return None
        decoded = decode_cursor(value, model._meta.get_field(key)) if len(value) <= 500 else None
        if decoded is None or "\x00" in str(decoded[0]):
            raise exceptions.ValidationError({name: ["This cursor is not valid: start again from the first page."]})
        return value

    def _size(self, request) -> int:
        raw = request.query_params.get("page_size", "")
        if raw.isdigit() and int(raw) > 0:
            return min(int(raw), self.max_page_size)
        return self.page_size

    def _link(self, name: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        url = remove_query_param(remove_query_param(self.request.build_absolute_uri(), "after"), "before")
        return replace_query_param(url, name, cursor)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        def param(name: str, description: str, schema: dict) -> dict:
            return {"name": name, "required": False, "in": "query", "description": description, "schema": schema}

        return [
            param("after", "Cursor of the next page (from `next`).", {"type": "string"}),
            param("before", "Cursor of the previous page (from `previous`).", {"type": "string"}),
            param("page_size", f"Rows per page, 1 to {self.max_page_size}.", {"type": "integer"}),
        ]


# --- Filters ---------------------------------------------------------------------------------------


class FilterBackend(DjangoFilterBackend):
    """django-filter with the web pages' FilterSets. Invalid filters are a 400 with field errors
    (the pages ignore them instead); the bound FilterSet is left on the view (`view.filterset`),
    whose sort choice the keyset pager reads. Views may add FilterSet arguments through
    `filterset_extra_kwargs()`."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        extra = getattr(view, "filterset_extra_kwargs", None)
        return kwargs | (extra() if extra else {})

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        view.filterset = filterset
        return filterset.qs


def sort_parameter(choices) -> OpenApiParameter:
    return OpenApiParameter("sort", str, enum=list(choices), description="Sort order of the list.")


# --- Throttling ------------------------------------------------------------------------------------


class _RateFromSettings(SimpleRateThrottle):
    """Reads its rate when asked (not at import), so a settings change applies at once."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_RateFromSettings):
    """Per signed-in user (REST_FRAMEWORK rate "user")."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonThrottle(_RateFromSettings):
    """Per client IP address for requests without a user (rate "anon")."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class AuthThrottle(_RateFromSettings):
    """Per client IP address on the login (token) endpoint, signed in or not (rate "auth")."""

    scope = "auth"

    def get_cache_key(self, request, view) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
