"""{% if user|can:"orders.assign" %}: templates ask the same policy as views (to hide, not to protect)."""

from django import template

from accounts import policy

register = template.Library()


@register.filter
def can(user, permission: str) -> bool:
    return policy.can(user, permission)
