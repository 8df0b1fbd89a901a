"""API login (tokens), token refresh and logout; the signed-in user's notifications.

The token endpoint runs the login page's checks through accounts.auth_views' helpers: the
password through django-axes (failures counted per email + IP address, lockout -> 429), then the
second factor for accounts that have one (wrong codes count as failures too). Tokens: accounts.jwt.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import AuthThrottle, KeysetPagination, error_body, error_responses, validated

from .. import auth_views, otp, selectors, services
from ..jwt import RefreshRefused, issue_tokens, revoke_refresh_token, rotate_refresh_token
from ..models import Notification
from .serializers import MarkedReadOut, NotificationOut, NotificationQuery, RefreshIn, TokenObtainIn, TokenPairOut


def _unauthorized(message: str, *, code: str, errors: dict | None = None) -> Response:
    return Response(error_body(message, code=code, errors=errors), status=401)


@extend_schema(tags=["auth"], auth=[], responses={200: TokenPairOut, **error_responses(400, 403)})
class TokenObtainView(APIView):
    """Log in: email and password, plus `otp_code` when the account uses two-factor authentication."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=TokenObtainIn, operation_id="auth_token_obtain")
    def post(self, request):
        data = validated(TokenObtainIn, request.data)
        http_request = request._request  # axes and the audit want Django's request
        user = auth_views.authenticate_password(http_request, email=data["email"], password=data["password"])
        if user is None:
            if auth_views.is_locked_out(http_request):
                return lockout_response(http_request)
            return _unauthorized("Wrong email or password.", code="invalid_credentials")
        has_two_factor = otp.has_two_factor(user)
        if not has_two_factor and otp.is_required_for(user):
            message = "Your role must use two-factor authentication: set it up in the web app first."
            return Response(error_body(message, code="two_factor_setup_required"), status=403)
        second_factor = None
        if has_two_factor:
            code = (data.get("otp_code") or "").strip()
            if not code:
                message = "This account uses two-factor authentication: send the code from your app as otp_code."
                return _unauthorized(message, code="otp_required", errors={"otp_code": [message]})
            second_factor = otp.verify_second_factor(user=user, code=code)
            if not second_factor:
                auth_views.second_factor_failed(http_request, user)
                if auth_views.is_locked_out(http_request):
                    return lockout_response(http_request)
                message = "That code is not valid, or it was used already."
                return _unauthorized(message, code="invalid_otp", errors={"otp_code": [message]})
        auth_views.api_login_completed(http_request, user, second_factor=second_factor)
        return Response(TokenPairOut(issue_tokens(user)).data)


@extend_schema(tags=["auth"], auth=[], request=RefreshIn, responses={200: TokenPairOut, **error_responses(400)})
class TokenRefreshView(APIView):
    """A new access token and a new refresh token; the refresh token sent stops working.

    Sending a refresh token that was already exchanged ends every session of its account (it may
    have been stolen): log in again."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="auth_token_refresh")
    def post(self, request):
        data = validated(RefreshIn, request.data)
        try:
            pair = rotate_refresh_token(data["refresh"])
        except RefreshRefused as exc:
            return _unauthorized(exc.message, code=exc.code)
        return Response(TokenPairOut(pair).data)


@extend_schema(
    tags=["auth"],
    auth=[],
    request=RefreshIn,
    responses={204: OpenApiResponse(description="The session is ended."), **error_responses(400)},
)
class LogoutView(APIView):
    """End the session of this refresh token (idempotent). Its access tokens expire on their own."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="auth_logout")
    def post(self, request):
        data = validated(RefreshIn, request.data)
        try:
            revoke_refresh_token(data["refresh"])
        except RefreshRefused as exc:
            return _unauthorized(exc.message, code=exc.code)
        return Response(status=204)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: JSON 429 for the API, the login page's 429 everywhere else.

    django-axes' middleware replaces the response of any request it flagged as locked out, so the
    API's answer has to come from here too."""
    match = getattr(request, "resolver_match", None)
    if not (match and "api" in match.namespaces):
        return auth_views.lockout_response(request, original_response, credentials)
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    wait = f" Try again in {minutes} minutes." if minutes else ""
    response = JsonResponse(error_body(f"Too many failed login attempts.{wait}", code="locked_out"), status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


# --- Notifications -------------------------------------------------------------------------------


@extend_schema(tags=["notifications"])
class NotificationListView(GenericAPIView):
    """The signed-in user's own notifications, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationOut
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.notifications_of(self.request.user)

    @extend_schema(
        operation_id="notifications_list",
        parameters=[NotificationQuery],
        responses={200: NotificationOut(many=True), **error_responses(400)},
    )
    def get(self, request):
        query = validated(NotificationQuery, request.query_params)
        notifications = self.get_queryset()
        if query.get("unread") is not None:
            notifications = notifications.filter(is_read=not query["unread"])
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(NotificationOut(page, many=True).data)


@extend_schema(tags=["notifications"], request=None, responses={200: NotificationOut, **error_responses(404)})
class NotificationReadView(APIView):
    """Mark one of one's own notifications read (another user's is a 404)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_read")
    def post(self, request, notification_id):
        try:
            notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
        except Notification.DoesNotExist:
            return Response(error_body("Not found.", code="not_found"), status=404)
        return Response(NotificationOut(notification).data)


@extend_schema(tags=["notifications"], request=None, responses={200: MarkedReadOut, **error_responses()})
class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_read_all")
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})
