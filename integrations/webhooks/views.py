"""The inbound endpoint: POST /webhooks/in/<token>/ (integrations:inbound).

Public (no session, no CSRF): the sender proves itself with a signature over the raw body or an
API key (verify.py). It answers fast: check, log, enqueue after commit. Every request is logged,
refused ones too (an unknown endpoint's log has no webhook):

    404 unknown endpoint · 405 not POST · 410 disabled · 413 body over WEBHOOK_MAX_BODY_BYTES
    401 missing or bad signature/key · 400 not a JSON object · 200 WooCommerce ping, duplicate
    delivery · 202 accepted (the worker creates the order)
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import ingest, verify

MAX_JSON_DEPTH = 64


@csrf_exempt
def inbound(request: HttpRequest, endpoint_token: str) -> JsonResponse:
    webhook = ingest.webhook_for_token(endpoint_token)
    meta = verify.request_meta(webhook.source if webhook else None, request.headers)
    limit = settings.WEBHOOK_MAX_BODY_BYTES

    def refuse(status: int, error: str, body: bytes = b"") -> JsonResponse:
        body = body or _peek(request, limit)
        log = ingest.log_refused(webhook=webhook, meta=meta, status=status, error=error, body=body)
        return JsonResponse({"error": error, "log_id": str(log.pk)}, status=status)

    if webhook is None:
        meta.headers["Path"] = verify.clean_text(request.path)  # which old or mistyped URL was used
        return refuse(404, "Unknown endpoint.")
    if request.method != "POST":
        response = refuse(405, "Only POST is accepted.")
        response["Allow"] = "POST"
        return response
    if not webhook.is_active:
        return refuse(410, "This endpoint is disabled.")
    if _declared_length(request) > limit:
        return refuse(413, f"The body is over {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        return refuse(413, f"The body is over {limit} bytes.", body)
    if verify.is_woocommerce_ping(webhook.source, body, request.content_type):
        ingest.log_ping(webhook=webhook, meta=meta, body=body)
        return JsonResponse({"status": "ok"})
    verdict = verify.authenticate(
        source=webhook.source,
        secret_key=webhook.secret_key,
        api_key=webhook.api_key,
        body=body,
        headers=request.headers,
    )
    if not verdict.ok:
        return refuse(401, verdict.reason, body)
    payload = parse_object(body)
    if payload is None:
        return refuse(400, "The body is not a JSON object.", body)
    log, duplicate = ingest.accept(webhook=webhook, meta=meta, payload=payload)
    if duplicate:
        return JsonResponse({"status": "duplicate", "log_id": str(log.pk)})
    return JsonResponse({"status": "accepted", "log_id": str(log.pk)}, status=202)


def parse_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object that PostgreSQL's jsonb can store, or None.

    Refused: invalid UTF-8 or JSON, NaN/Infinity, a top level that is not an object, absurd
    nesting. Text loses what jsonb cannot hold (NUL, lone surrogates) rather than the request.
    """
    try:
        value = json.loads(body.decode("utf-8-sig"), parse_constant=_reject_constant, parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    try:
        return _storable(value, 0)
    except RecursionError:
        return None


def _storable(value: Any, depth: int) -> Any:
    if depth > MAX_JSON_DEPTH:
        raise RecursionError("too deeply nested")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(key): _storable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item, depth + 1) for item in value]
    return value


def _text(value: str) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _peek(request: HttpRequest, limit: int) -> bytes:
    """The start of a body we will not process, for the log (never more than we keep)."""
    try:
        return request.read(min(limit, ingest.RAW_CHARS * 4))
    except Exception:  # a broken stream must not turn a refusal into an error
        return b""
