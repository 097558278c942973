"""Keeping the index current (docs/search.md): what changed in a transaction is collected,
and after commit one task re-reads those objects and adds, replaces or removes their
documents; ``rebuild`` reads everything again.
"""

import threading

from django.db import transaction

from . import documents, text
from .engines import get_engine

_pending = threading.local()
BATCH = 500


def _keys():
    keys = getattr(_pending, "keys", None)
    if keys is None:
        keys = _pending.keys = set()
    return keys


def _flush():
    keys = sorted(_keys())
    _pending.keys = set()
    if keys:
        from .tasks import update_documents

        update_documents.enqueue(keys)


def changed(key):
    """``key`` was published, changed, unpublished or deleted: update it after commit. The
    first callback to run after a commit takes every key noted so far in one task; the
    others find nothing left (keys of a transaction rolled back wait for the next commit,
    which re-reads them: harmless)."""
    _keys().add(key)
    transaction.on_commit(_flush)


def discard_pending():
    """Forget the keys noted so far (a bulk load that rebuilds the index afterwards)."""
    _pending.keys = set()


def changed_object(obj):
    source = documents.source_for(obj)
    if source is not None:
        changed(source.key(obj))


def update(keys):
    """Add or replace the documents of ``keys`` that are findable, remove the others.
    Returns ``{"added": n, "removed": n}``."""
    sites = documents.Sites()
    found, gone = [], []
    for key in keys:
        document = documents.document_for_key(key, sites)
        if document is None:
            gone.append(key)
        else:
            found.append(document)
    engine = get_engine()
    engine.delete(gone)
    engine.add(found)
    from . import suggest

    suggest.learn([document.title for document in found])
    return {"added": len(found), "removed": len(gone)}


def rebuild(progress=None):
    """Empty the index and add every findable document of every source, in batches, with
    progress (``progress(source_label, done, total)``). Returns the number indexed."""
    text.reset()
    engine = get_engine()
    engine.clear()
    sites = documents.Sites()
    total, titles = 0, []
    for source in documents.SOURCES.values():
        total += engine.add_many(_batches(source, sites, progress, titles))
    from . import suggest

    suggest.rebuild_vocabulary(titles)
    return total


def _batches(source, sites, progress, titles):
    """``source``'s documents in lists of ``BATCH``, telling ``progress`` as they go (and
    noting their titles in ``titles``)."""
    expected, done, batch = source.count(), 0, []
    for document in source.documents(sites):
        batch.append(document)
        titles.append(document.title)
        if len(batch) >= BATCH:
            yield batch
            done += len(batch)
            batch = []
            if progress:
                progress(source.name, done, expected)
    if batch:
        yield batch
        done += len(batch)
    if progress:
        progress(source.name, done, expected)
