"""Inbound webhooks: signatures (verify), field mapping (mapping), services (ingest), the endpoint
(views) and the staff pages (staff_views). See docs/webhooks.md."""
