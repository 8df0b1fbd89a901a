"""Response headers Django has no setting for."""

from __future__ import annotations

from django.conf import settings

# Powerful features a page could ask the browser for. Permissions-Policy has no "deny everything
# else", so each one not allowed by PERMISSIONS_POLICY is listed as disabled: `feature=()`.
KNOWN_FEATURES = (
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "web-share",
    "xr-spatial-tracking",
)


def permissions_policy_header(allowed: dict[str, list[str]]) -> str:
    """{"camera": ["self"]} -> 'camera=(self), geolocation=(), ...' (every known feature listed)."""
    parts = []
    for feature in sorted(set(KNOWN_FEATURES) | set(allowed)):
        origins = " ".join(o if o in ("self", "*") else f'"{o}"' for o in allowed.get(feature, []))
        parts.append(f"{feature}=({origins})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy from settings.PERMISSIONS_POLICY ({feature: [origins]}) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
