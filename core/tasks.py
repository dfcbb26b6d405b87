from celery import shared_task


@shared_task
def ping() -> str:
    """Round-trip check for the deploy smoke test: a worker answered through the broker."""
    return "pong"
