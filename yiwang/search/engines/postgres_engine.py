"""The PostgreSQL engine (``YIWANG_SEARCH_ENGINE=postgres``): the index is a table
(``models.SearchEntry``) in the platform's own database, so any number of app servers share
it with no more infrastructure.

PostgreSQL has no Chinese parser: the segmented terms (``search.text``) go in as words of
the ``simple`` configuration, title weighted A, extra text B, body C, in a GIN-indexed
``tsvector``. A query matches every group of alternatives (``&`` of ``|``). Ranking by
``ts_rank_cd`` is done on a bounded candidate set only — the first ``CANDIDATE_POOL``
matches (newest first, by the date index) — never on every match of a common term; the
phrase bonus and recency re-ranking then follow as with Tantivy (``query.py``).
"""

import json

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from .. import text
from .base import CANDIDATES, FACETS, Hit, SearchEngine, SearchResults

# Matches looked at for ranking (newest first), of which the best CANDIDATES are returned.
CANDIDATE_POOL = 2000
FACET_SIZE = 30
PHRASE_BONUS = 2.0
WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"  # D, C, B, A: body (C) 0.2, extra (B) 0.5, title (A) 1.0

VECTOR_SQL = (
    "setweight(to_tsvector('simple', %s), 'A') || "
    "setweight(to_tsvector('simple', %s), 'B') || "
    "setweight(to_tsvector('simple', %s), 'C')"
)


def _lexeme(term):
    """``term`` as a quoted tsquery lexeme (lower case, quotes and backslashes escaped)."""
    value = term.lower().replace("\\", "\\\\").replace("'", "''")
    return f"'{value}'"


def tsquery(groups):
    """The tsquery text of ``groups`` (every group, any of its alternatives)."""
    parts = []
    for alternatives in groups:
        lexemes = [_lexeme(t) for t in alternatives if t.strip()]
        if lexemes:
            parts.append("(" + " | ".join(lexemes) + ")")
    return " & ".join(parts)


def phrase_tsquery(words):
    """The words in order, at most two terms apart (search mode puts a word's parts between
    two words), as a tsquery; "" for fewer than two words."""
    words = [w for w in words if w.strip()]
    if len(words) < 2:
        return ""
    out = _lexeme(words[0])
    for word in words[1:]:
        near = " | ".join(f"{out} <{n}> {_lexeme(word)}" for n in (1, 2, 3))
        out = f"({near})"
    return out


class PostgresEngine(SearchEngine):
    name = "postgres"

    def __init__(self):
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "YIWANG_SEARCH_ENGINE=postgres 需要 PostgreSQL 数据库（DATABASE_URL）。"
            )

    # -- writing --------------------------------------------------------------------------

    def _row(self, doc):
        d = doc.as_dict()
        when = doc.date
        return [
            doc.key,
            doc.kind,
            doc.site_id,
            doc.region_code or "",
            " " + " ".join(doc.region_path or []) + " " if doc.region_path else "",
            doc.department or "",
            doc.subject or "",
            when.year if when else None,
            when,
            json.dumps(d, ensure_ascii=False),
            text.index_text(doc.title),
            text.index_text(f"{doc.extra} {doc.department}"),
            text.index_text(doc.body),
        ]

    def add(self, documents):
        rows = [self._row(doc) for doc in documents]
        if not rows:
            return 0
        sql = (
            "INSERT INTO search_searchentry (key, kind, site_id, region_code, region_path, "
            "department, subject, year, date, doc, vector) VALUES "
            f"(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, {VECTOR_SQL}) "
            "ON CONFLICT (key) DO UPDATE SET kind = EXCLUDED.kind, site_id = EXCLUDED.site_id, "
            "region_code = EXCLUDED.region_code, region_path = EXCLUDED.region_path, "
            "department = EXCLUDED.department, subject = EXCLUDED.subject, "
            "year = EXCLUDED.year, date = EXCLUDED.date, doc = EXCLUDED.doc, "
            "vector = EXCLUDED.vector"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return len(rows)

    def add_many(self, batches):
        return sum(self.add(batch) for batch in batches)

    def delete(self, keys):
        keys = list(keys)
        if keys:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_searchentry WHERE key = ANY(%s)", [keys])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchentry")

    def count(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchentry")
            return cursor.fetchone()[0]

    # -- reading --------------------------------------------------------------------------

    def _where(self, request, *, without=None):
        clauses, params = [], []
        if request.kinds and without != "kind":
            clauses.append("kind = ANY(%s)")
            params.append(list(request.kinds))
        if request.site_id and without != "site_id":
            clauses.append("site_id = %s")
            params.append(int(request.site_id))
        if request.region_code and without != "region_code":
            clauses.append("region_path LIKE %s")
            params.append(f"% {request.region_code} %")
        if request.department and without != "department":
            clauses.append("department = %s")
            params.append(request.department)
        if request.subject and without != "subject":
            clauses.append("subject = %s")
            params.append(request.subject)
        if request.date_from and without != "year":
            clauses.append("date >= %s")
            params.append(_day_start(request.date_from))
        if request.date_to and without != "year":
            import datetime

            clauses.append("date < %s")
            params.append(_day_start(request.date_to + datetime.timedelta(days=1)))
        return clauses, params

    def search(self, request):
        query_text = tsquery(request.terms)
        if not query_text:
            return SearchResults(total=0, hits=[])
        clauses, params = self._where(request)
        where = " AND ".join(["vector @@ to_tsquery('simple', %s)", *clauses])
        where_params = [query_text, *params]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM search_searchentry WHERE {where}", where_params)
            total = cursor.fetchone()[0]
            if request.sort == "date":
                cursor.execute(
                    f"SELECT key, doc, 0 FROM search_searchentry WHERE {where} "
                    "ORDER BY date DESC NULLS LAST, key LIMIT %s OFFSET %s",
                    [*where_params, request.limit, request.offset],
                )
                rows = cursor.fetchall()
            else:
                phrase = phrase_tsquery(request.phrase)
                bonus = "0"
                bonus_params = []
                if phrase:
                    bonus = (
                        f"CASE WHEN vector @@ to_tsquery('simple', %s) THEN {PHRASE_BONUS} "
                        "ELSE 0 END"
                    )
                    bonus_params = [phrase]
                window = max(CANDIDATES, request.offset + request.limit)
                beyond = request.offset + request.limit > CANDIDATES
                cursor.execute(
                    "SELECT key, doc, ts_rank_cd(%s, vector, to_tsquery('simple', %s)) * 10 + "
                    f"{bonus} AS rank FROM (SELECT key, doc, vector FROM search_searchentry "
                    f"WHERE {where} ORDER BY date DESC NULLS LAST LIMIT %s) AS pool "
                    "ORDER BY rank DESC, key LIMIT %s OFFSET %s",
                    [
                        WEIGHTS,
                        query_text,
                        *bonus_params,
                        *where_params,
                        CANDIDATE_POOL,
                        request.limit if beyond else window,
                        request.offset if beyond else 0,
                    ],
                )
                rows = cursor.fetchall()
            hits = [
                Hit(key=key, score=float(score), fields=_fields(doc)) for key, doc, score in rows
            ]
            facets = self._facets(cursor, query_text, request) if request.facets else {}
        return SearchResults(total=total, hits=hits, facets=facets)

    def _facets(self, cursor, query_text, request):
        out = {}
        for name in FACETS:
            clauses, params = self._where(request, without=name)
            where = " AND ".join(["vector @@ to_tsquery('simple', %s)", *clauses])
            column = name
            cursor.execute(
                f"SELECT {column}, count(*) FROM search_searchentry WHERE {where} "
                f"GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT %s",
                [query_text, *params, FACET_SIZE],
            )
            out[name] = [
                (value, count) for value, count in cursor.fetchall() if value not in ("", 0, None)
            ]
        return out


def _fields(doc):
    return doc if isinstance(doc, dict) else json.loads(doc)


def _day_start(day):
    import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
