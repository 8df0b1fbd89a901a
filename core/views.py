from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and operators. 503 when the database or Redis is down;
    a stale worker is reported (and turns `ok` false) but the web tier itself still serves."""
    report = health_report()
    serving = report["database"]["ok"] and report["redis"]["ok"]
    return JsonResponse(report, status=200 if serving else 503)


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"role_label": request.user.get_role_display()})
