from celery import shared_task

from .cash import warn_managers_about_cash


@shared_task(ignore_result=True)
def warn_about_cash_held_task() -> int:
    """Daily: tell managers which agents hold too much cash, or for too long."""
    return warn_managers_about_cash()
