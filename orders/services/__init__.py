"""Every write to orders goes through these modules (see docs/orders.md)."""
