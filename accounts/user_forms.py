"""Forms of the user management pages (admins)."""

from django import forms

from .models import Availability, Role, User
from .permissions import RESOURCES


class UserForm(forms.Form):
    email = forms.EmailField(max_length=255)
    full_name = forms.CharField(max_length=255)
    phone = forms.CharField(max_length=32, required=False)
    role = forms.ChoiceField(choices=Role.choices)


class UserEditForm(UserForm):
    email = None  # the login never changes; create a new account instead


class ActivityFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.order_by("full_name"), required=False)
    action = forms.CharField(max_length=100, required=False)
    entity_type = forms.CharField(max_length=100, required=False)
    entity_id = forms.UUIDField(required=False)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AvailabilityForm(forms.Form):
    availability_status = forms.ChoiceField(choices=Availability.choices)


def permission_grid(table: dict[str, dict[str, bool]], defaults: dict[str, dict[str, bool]]) -> list[dict]:
    """Rows for the permissions editor: one per resource, a cell per action it has."""
    return [
        {
            "resource": resource,
            "cells": [
                {
                    "name": f"{resource}.{action}",
                    "action": action,
                    "checked": table[resource][action],
                    "default": defaults[resource][action],
                }
                for action in actions
            ],
        }
        for resource, actions in RESOURCES.items()
    ]


def wanted_permissions(post) -> dict[str, dict[str, bool]]:
    """The editor's checkboxes: every cell is present in RESOURCES; checked means granted."""
    return {
        resource: {action: f"{resource}.{action}" in post for action in actions}
        for resource, actions in RESOURCES.items()
    }
