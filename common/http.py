"""Turning domain errors into HTTP answers, and small helpers every view uses."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from .errors import DomainError, PermissionDenied


class DomainErrorMiddleware:
    """A PermissionDenied from a service is a 403 page; other domain errors that escaped a view
    become a 400 page with the message (views normally catch them and show them in the form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message) from exception
        if isinstance(exception, DomainError):
            return render(request, "400.html", {"message": exception.message}, status=400)
        return None


def safe_reverse(name: str, **kwargs) -> str | None:
    """The URL, or None when that page does not exist (an optional link to another app)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None
