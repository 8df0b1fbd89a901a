"""Forms of the dispatch and performance pages."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from .selectors import Period

PERIODS = (("today", "Today"), ("7d", "Last 7 days"), ("30d", "Last 30 days"), ("custom", "Custom dates"))
PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}
MAX_CUSTOM_DAYS = 366


class PeriodForm(forms.Form):
    """?period=today|7d|30d|custom&start=YYYY-MM-DD&end=YYYY-MM-DD (end inclusive, local dates)."""

    period = forms.ChoiceField(choices=PERIODS, required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Give both dates of a custom period.")
            if end < start:
                raise forms.ValidationError("The period ends before it starts.")
            if (end - start).days >= MAX_CUSTOM_DAYS:
                raise forms.ValidationError(f"Choose at most {MAX_CUSTOM_DAYS} days.")
        return data

    def chosen_period(self, today: date | None = None) -> Period:
        """The chosen period; the last 7 days when the form is empty or invalid."""
        today = today or timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        key = data.get("period") or "7d"
        if key == "custom":
            return Period("custom", data["start"], data["end"])
        return Period(key, today - timedelta(days=PERIOD_DAYS[key] - 1), today)
