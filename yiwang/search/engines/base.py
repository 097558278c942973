"""The interface every search engine gives (docs/search.md): the same documents in, the same
results out, whatever keeps the index. ``query.py`` turns a visitor's search into a
``SearchRequest``; an engine answers it with a ``SearchResults``."""

import datetime
from dataclasses import dataclass, field

# The facets every engine counts, in the order a results page shows them.
FACETS = ("kind", "site_id", "region_code", "department", "subject", "year")
# How many of the best matches are re-ranked (recency, exact phrase) before paging: the
# engines never rank every match of a common term by hand.
CANDIDATES = 200


@dataclass
class SearchRequest:
    terms: list  # [(alternative, ...)], all groups must match (query.query_terms)
    phrase: list = field(default_factory=list)  # the words in order, for the phrase bonus
    kinds: tuple = ()
    site_id: int | None = None  # this site only
    region_code: str = ""  # this region and below
    department: str = ""
    subject: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 10
    facets: bool = True


@dataclass
class Hit:
    key: str
    score: float
    fields: dict  # the stored document (documents.SearchDocument.as_dict)


@dataclass
class SearchResults:
    total: int
    hits: list  # Hit
    facets: dict = field(default_factory=dict)  # name -> [(value, count)] by count


class SearchEngine:
    """What an engine does. Writes come from the task worker; reads from any process."""

    name = ""

    def add(self, documents):  # pragma: no cover - interface
        """Add or replace ``documents`` (by key)."""
        raise NotImplementedError

    def delete(self, keys):  # pragma: no cover - interface
        raise NotImplementedError

    def clear(self):  # pragma: no cover - interface
        raise NotImplementedError

    def count(self):  # pragma: no cover - interface
        raise NotImplementedError

    def search(self, request):  # pragma: no cover - interface
        raise NotImplementedError
