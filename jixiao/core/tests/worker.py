"""The background-job worker for tests: the loop of ``manage.py db_worker --batch`` (django-tasks-db's
``Worker``), run until the queue is empty — without the command's SIGINT/SIGTERM handlers, which would
stay installed in the test process (and only the main thread may set them)."""

from django_tasks_db.management.commands.db_worker import Worker


def run_worker(worker_id: str = "test") -> None:
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id=worker_id, excluded_queue_names=[]).run()
