"""The demo business loaded by `manage.py seed_demo`: a cash-on-delivery shop in Casablanca and Rabat.

- `people`: fixed staff logins (DEMO_LOGINS, DEMO_PASSWORD), delivery areas, names and texts
- `catalog`: the product catalog (PROD-001 ... PROD-040)
- `customers`, `lifecycle`: generated customers and orders, pure and seeded for reproducibility
- `reference`: idempotent upserts of users, products, workflows and webhooks, plus small extras
- `bulk`: COPY streaming, trigger handling and reset
- `seed`: the orchestration the management command calls
"""
