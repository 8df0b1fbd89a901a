"""The REST API under /api/v1/ (docs/api.md): each app's api/urls.py, the OpenAPI schema and its docs.

URL names live in the "api" namespace ("api:order_list"); core/tests/test_access_matrix.py has a
row for each.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class StampedJWTScheme(OpenApiAuthenticationExtension):
    """Documents common.api.StampedJWTAuthentication as `Authorization: Bearer <access token>`.
    Registered on import; this module is loaded with the URLconf, before any schema is generated."""

    target_class = "common.api.StampedJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - the scheme's name, not a secret
            bearer_format="JWT",
        )


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from local static files (drf-spectacular-sidecar), its start-up script served as a
    separate file (`?script`), and no inline style: it runs under the site's CSP without exception."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


app_name = "api"

urlpatterns = [
    path("", include("accounts.api.urls")),  # auth/token/, auth/token/refresh/, auth/logout/, notifications/
    path("", include("orders.api.urls")),  # orders/
    path("", include("customers.api.urls")),  # customers/
    path("", include("catalog.api.urls")),  # products/
    path("", include("logistics.api.urls")),  # deliveries/
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Staff open the docs with their browser session; anonymous visitors go to the login page.
    path("docs/", login_required(ApiDocsView.as_view()), name="docs"),
]
