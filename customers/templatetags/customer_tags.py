"""Template helpers of the customer pages."""

import re

from django import template

register = template.Library()

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$|^#[0-9a-fA-F]{3}$")
DEFAULT_COLOR = "#667085"


@register.filter
def hex_color(value) -> str:
    """A tag's colour for an SVG fill: only #rgb / #rrggbb pass (tags also arrive from webhooks)."""
    return value if isinstance(value, str) and HEX_COLOR.match(value) else DEFAULT_COLOR
