"""The search engine of this installation (``SEARCH_ENGINE``; docs/search.md)."""

import threading

from django.conf import settings

_engines = {}
_lock = threading.Lock()


def get_engine():
    """The configured engine, one per process and index location."""
    name = getattr(settings, "SEARCH_ENGINE", "tantivy")
    path = str(settings.SEARCH_INDEX_DIR)
    with _lock:
        engine = _engines.get((name, path))
        if engine is None:
            if name == "tantivy":
                from .tantivy_engine import TantivyEngine

                engine = TantivyEngine(path)
            elif name == "postgres":
                from .postgres_engine import PostgresEngine

                engine = PostgresEngine()
            else:
                raise ValueError(f"unknown search engine {name!r} (SEARCH_ENGINE)")
            _engines[(name, path)] = engine
    return engine


def forget_engines():
    """Drop the engines this process opened (tests point the index elsewhere)."""
    with _lock:
        _engines.clear()
