"""The delivery agent's run over the API: today's orders to deliver, pick up, deliver, failed attempt.

As on the agent's pages (logistics/views_agent.py): delivery agents with `deliveries.edit` only
(anyone else 403), and an order not assigned to the agent is a 404. The actions are
logistics.services.delivery's, once per `client_token`.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from accounts.models import Role
from common.api import error_responses, rename_errors, validated
from common.errors import ValidationFailed

from .. import agent_selectors as reads
from ..services import delivery as actions
from ..services.delivery_rules import SIGNATURE_MAX_BYTES
from .serializers import ActionIn, ActionOut, DeliverIn, FailIn, RunOrderOut

# Error paths of the delivery services that are not the request's field names.
DELIVER_ERROR_NAMES = {"signature_png": "signature"}


class IsDeliveryAgent(BasePermission):
    message = "These endpoints are for delivery agents."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.DELIVERY_AGENT) and policy.can(
            user, "deliveries.edit"
        )


class _AgentView(APIView):
    permission_classes = [IsDeliveryAgent]

    def my_order(self, order_id):
        order = reads.agent_order(self.request.user, order_id)
        if order is None:
            raise Http404("No such order.")
        return order


@extend_schema(tags=["deliveries"])
class RunView(_AgentView):
    """Today's run: the agent's orders ready for pickup and out for delivery, high priority first,
    then oldest, with the failed attempts so far and the cash to collect."""

    @extend_schema(operation_id="deliveries_list", responses={200: RunOrderOut(many=True), **error_responses(403)})
    def get(self, request):
        return Response(RunOrderOut(reads.agent_run_orders(request.user), many=True).data)


def _result(result: actions.ActionResult) -> Response:
    return Response(ActionOut(result).data)


@extend_schema(tags=["deliveries"])
class PickupView(_AgentView):
    @extend_schema(
        operation_id="deliveries_pickup",
        request=ActionIn,
        responses={200: ActionOut, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, order_id):
        """Take a ready order: it goes out for delivery and a new attempt starts."""
        order = self.my_order(order_id)
        data = validated(ActionIn, request.data)
        return _result(actions.pickup(order_id=order.pk, agent=request.user, client_token=data["client_token"]))


@extend_schema(tags=["deliveries"])
class DeliverView(_AgentView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="deliveries_deliver",
        request={"multipart/form-data": DeliverIn},
        responses={200: ActionOut, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, order_id):
        """Delivered and paid: the photo and the signature are the proof (multipart/form-data)."""
        order = self.my_order(order_id)
        data = validated(DeliverIn, request.data)
        try:
            result = actions.deliver(
                order_id=order.pk,
                agent=request.user,
                client_token=data["client_token"],
                photo=data["photo"],
                signature_png=data["signature"].read(SIGNATURE_MAX_BYTES + 1),
                recipient_name=data["recipient_name"],
                recipient_relation=data["recipient_relation"],
                cash_collected=data["cash_collected"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                note=data["note"],
            )
        except ValidationFailed as exc:
            raise ValidationFailed(rename_errors(exc.errors, DELIVER_ERROR_NAMES), exc.message) from exc
        return _result(result)


@extend_schema(tags=["deliveries"])
class FailView(_AgentView):
    @extend_schema(
        operation_id="deliveries_fail",
        request=FailIn,
        responses={200: ActionOut, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, order_id):
        """The attempt failed: a refusal returns the order, the last allowed attempt too; otherwise it
        goes back to the agent's pickups."""
        order = self.my_order(order_id)
        data = validated(FailIn, request.data)
        result = actions.fail_attempt(
            order_id=order.pk,
            agent=request.user,
            client_token=data["client_token"],
            reason=data["reason"],
            note=data["note"],
            postponed_to=data["postponed_to"],
        )
        return _result(result)
