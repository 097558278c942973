"""Background tasks of search (``django_tasks``): keeping the index current after commit."""

from django_tasks import task

from . import index


@task()
def update_documents(keys):
    """Re-read ``keys`` (``"<source>:<pk>"``) and add, replace or remove their documents."""
    return index.update(keys)
