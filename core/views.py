from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import policy
from accounts.decorators import polled_fragment_login_required

from . import dashboard
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
    """The dashboard: what this user's role needs first, each section only with its permission."""
    return render(request, "core/home.html", dashboard.dashboard_context(request.user))


@require_GET
@polled_fragment_login_required
def dashboard_figures(request: HttpRequest) -> HttpResponse:
    """Today's figures, polled by the dashboard every 60 s; checks access like the page."""
    if not policy.can(request.user, dashboard.SECTION_NEEDS["figures"]):
        raise PermissionDenied("You do not have access to these figures.")
    return render(request, "core/partials/_figures.html", {"figures": dashboard.today_figures(request.user)})
