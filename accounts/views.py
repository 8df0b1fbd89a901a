"""User management (admins), the activity log, and one's own availability."""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ValidationFailed

from . import otp, policy, services
from .decorators import permission_required
from .models import ActivityLog, User
from .permissions import effective_permissions, role_defaults
from .user_forms import (
    ActivityFilterForm,
    AvailabilityForm,
    UserEditForm,
    UserForm,
    permission_grid,
    wanted_permissions,
)

PAGE_SIZE = 50


@permission_required("users.view")
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.order_by("full_name")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(full_name__icontains=query) | users.filter(email__icontains=query)
    if role := request.GET.get("role"):
        users = users.filter(role=role)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


@permission_required("users.create")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            link = services.invite_link_for(user, request)
            messages.success(request, f"{user.full_name} was created. Send them this link to set a password: {link}")
            return redirect("accounts:user_detail", user_id=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@permission_required("users.view")
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    initial = {"full_name": user.full_name, "phone": user.phone, "role": user.role}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not policy.can(request.user, "users.edit"):
            raise PermissionDenied("You may view users but not change them.")
        if form.is_valid():
            try:
                services.user_update(actor=request.user, user_id=user.pk, **form.cleaned_data)
            except ValidationFailed as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("accounts:user_detail", user_id=user.pk)
    table = effective_permissions(role=user.role, overrides=user.permissions)
    context = {
        "subject": user,
        "form": form,
        "grid": permission_grid(table, role_defaults(user.role)),
        "activity": ActivityLog.objects.filter(entity_type="user", entity_id=user.pk).select_related("user")[:20],
    }
    return render(request, "accounts/user_detail.html", context)


@permission_required("users.edit")
@require_POST
def user_permissions(request: HttpRequest, user_id) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    services.user_set_permissions(actor=request.user, user_id=user.pk, wanted=wanted_permissions(request.POST))
    messages.success(request, f"Permissions of {user.full_name} saved.")
    return redirect("accounts:user_detail", user_id=user.pk)


@permission_required("users.edit")
@require_POST
def user_deactivate(request: HttpRequest, user_id) -> HttpResponse:
    return _set_active(request, user_id, active=False)


@permission_required("users.edit")
@require_POST
def user_reactivate(request: HttpRequest, user_id) -> HttpResponse:
    return _set_active(request, user_id, active=True)


@permission_required("users.edit")
@require_POST
def user_reset_password(request: HttpRequest, user_id) -> HttpResponse:
    user = services.user_reset_password(actor=request.user, user_id=get_object_or_404(User, pk=user_id).pk)
    link = services.invite_link_for(user, request)
    messages.success(request, f"Password reset and sessions ended. Send {user.full_name} this link: {link}")
    return redirect("accounts:user_detail", user_id=user.pk)


@permission_required("users.edit")
@require_POST
def user_reset_two_factor(request: HttpRequest, user_id) -> HttpResponse:
    """For someone who lost their phone: their authenticator is removed and sessions end."""
    user = get_object_or_404(User, pk=user_id)
    otp.disable(user=user, actor=request.user)
    messages.success(request, f"Two-factor authentication of {user.full_name} was reset; they set it up again.")
    return redirect("accounts:user_detail", user_id=user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def my_availability(request: HttpRequest) -> HttpResponse:
    form = AvailabilityForm(request.POST or None, initial={"availability_status": request.user.availability_status})
    if request.method == "POST" and form.is_valid():
        services.user_set_availability(
            actor=request.user, user_id=request.user.pk, availability=form.cleaned_data["availability_status"]
        )
        messages.success(request, "Availability updated.")
        return redirect(request.POST.get("next") or "core:home")
    return render(request, "accounts/availability.html", {"form": form})


@permission_required("activity.view")
def activity_list(request: HttpRequest) -> HttpResponse:
    """The audit trail, newest first, filtered; keyset pagination so deep pages stay fast."""
    form = ActivityFilterForm(request.GET or None)
    entries = ActivityLog.objects.select_related("user").order_by("-created_at", "-id")
    if form.is_valid():
        entries = _filter_activity(entries, form.cleaned_data)
    if before := request.GET.get("before"):
        with contextlib.suppress(ValueError):  # a mangled cursor just restarts from the newest
            entries = entries.filter(created_at__lt=datetime.fromisoformat(before))
    rows = list(entries[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_before = rows[-1].created_at.isoformat() if has_more else None
    query = request.GET.copy()
    query.pop("before", None)
    context = {"form": form, "rows": rows, "next_before": next_before, "query": query.urlencode()}
    template = "accounts/partials/_activity_rows.html" if request.htmx else "accounts/activity_list.html"
    return render(request, template, context)


def _filter_activity(entries, data):
    if data["user"]:
        entries = entries.filter(user=data["user"])
    if data["action"]:
        entries = entries.filter(action=data["action"].strip())
    if data["entity_type"]:
        entries = entries.filter(entity_type=data["entity_type"].strip())
    if data["entity_id"]:
        entries = entries.filter(entity_id=data["entity_id"])
    tz = timezone.get_current_timezone()
    if data["date_from"]:
        entries = entries.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data["date_to"]:
        entries = entries.filter(created_at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))
    return entries


def _set_active(request: HttpRequest, user_id, *, active: bool) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    try:
        services.user_set_active(actor=request.user, user_id=user.pk, active=active)
    except ValidationFailed as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"{user.full_name} is {'active again' if active else 'deactivated'}.")
    return redirect("accounts:user_detail", user_id=user.pk)


def _add_errors(form, exc: ValidationFailed) -> None:
    for field, errors in exc.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
