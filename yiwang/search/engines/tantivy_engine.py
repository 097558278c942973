"""The default engine: Tantivy (PyPI ``tantivy``) with its index on local disk
(``SEARCH_INDEX_DIR``), written by the task worker and reloaded by readers.

Text is segmented by ``search.text`` before it reaches Tantivy: the ``*_terms`` fields hold
the terms separated by spaces and Tantivy's whitespace tokenizer (with lower-casing) reads
them, so index and query agree on Chinese words. Ranking is Tantivy's BM25 with field
weights (title 3, extra 1.5, body 1) and a bonus for the query's words as a phrase; the best
``CANDIDATES`` are then re-ranked by recency for news and notices (``query.py``). Facets
are Tantivy terms aggregations over fast fields.
"""

import datetime
import json
import threading
import time
from pathlib import Path

import tantivy
from django.utils import timezone

from .. import text
from .base import CANDIDATES, FACETS, Hit, SearchEngine, SearchResults

TOKENIZER = "zh_terms"
# Bump when the schema changes: an index of another version is rebuilt, not reused.
SCHEMA_VERSION = 1
FIELD_BOOSTS = {"title_terms": 3.0, "extra_terms": 1.5, "body_terms": 1.0}
PHRASE_BOOST = 2.0
WRITER_HEAP = 64 * 1024 * 1024
WRITER_WAIT_SECONDS = 60
FACET_SIZE = 30


def build_schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("kind", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("doc", stored=True, tokenizer_name="raw", index_option="basic")
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    builder.add_integer_field("site_id", indexed=True, fast=True)
    builder.add_text_field("region_code", tokenizer_name="raw", fast=True)
    builder.add_text_field("region_path", tokenizer_name="raw")
    builder.add_text_field("department", tokenizer_name="raw", fast=True)
    builder.add_text_field("subject", tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_date_field("date", indexed=True, fast=True)
    return builder.build()


def _analyzer():
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.lowercase())
        .build()
    )


class TantivyEngine(SearchEngine):
    name = "tantivy"

    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        version_file = self.path / "yiwang-schema.json"
        current = None
        if version_file.exists():
            try:
                current = json.loads(version_file.read_text()).get("version")
            except (OSError, ValueError):
                current = None
        if current != SCHEMA_VERSION:
            for child in self.path.iterdir():
                if child.is_file():
                    child.unlink()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self.index.register_tokenizer(TOKENIZER, _analyzer())
        version_file.write_text(json.dumps({"version": SCHEMA_VERSION}))
        self._write_lock = threading.Lock()

    # -- writing --------------------------------------------------------------------------

    def _writer(self):
        """Tantivy's one writer of the index. Another process holding it (a second worker,
        a rebuild) makes this wait, up to ``WRITER_WAIT_SECONDS``."""
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                return self.index.writer(WRITER_HEAP, 1)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _document(self, doc):
        d = doc.as_dict()
        out = tantivy.Document()
        out.add_text("key", doc.key)
        out.add_text("kind", doc.kind)
        out.add_text("doc", json.dumps(d, ensure_ascii=False))
        out.add_text("title_terms", text.index_text(doc.title))
        out.add_text("body_terms", text.index_text(doc.body))
        out.add_text("extra_terms", text.index_text(f"{doc.extra} {doc.department}"))
        out.add_integer("site_id", int(doc.site_id or 0))
        out.add_text("region_code", doc.region_code or "")
        for code in doc.region_path or []:
            out.add_text("region_path", code)
        out.add_text("department", doc.department or "")
        out.add_text("subject", doc.subject or "")
        when = doc.date or timezone.now()
        out.add_integer(
            "year", timezone.localtime(when).year if timezone.is_aware(when) else when.year
        )
        out.add_date("date", when.astimezone(datetime.UTC).replace(tzinfo=None))
        return out

    def add(self, documents):
        documents = list(documents)
        if not documents:
            return 0
        with self._write_lock:
            writer = self._writer()
            try:
                for doc in documents:
                    writer.delete_documents_by_term("key", doc.key)
                    writer.add_document(self._document(doc))
                writer.commit()
            finally:
                writer.wait_merging_threads()
        self.index.reload()
        return len(documents)

    def add_many(self, batches):
        """Add batches of documents with one writer and one commit (a rebuild). Returns the
        number added."""
        added = 0
        with self._write_lock:
            writer = self._writer()
            try:
                for batch in batches:
                    for doc in batch:
                        writer.add_document(self._document(doc))
                        added += 1
                writer.commit()
            finally:
                writer.wait_merging_threads()
        self.index.reload()
        return added

    def delete(self, keys):
        keys = list(keys)
        if not keys:
            return
        with self._write_lock:
            writer = self._writer()
            try:
                for key in keys:
                    writer.delete_documents_by_term("key", key)
                writer.commit()
            finally:
                writer.wait_merging_threads()
        self.index.reload()

    def clear(self):
        with self._write_lock:
            writer = self._writer()
            try:
                writer.delete_all_documents()
                writer.commit()
            finally:
                writer.wait_merging_threads()
        self.index.reload()

    def count(self):
        self.index.reload()
        return self.index.searcher().num_docs

    # -- reading --------------------------------------------------------------------------

    def _text_query(self, request):
        schema = self.schema
        groups = []
        for alternatives in request.terms:
            should = []
            for term in alternatives:
                for name, boost in FIELD_BOOSTS.items():
                    query = tantivy.Query.term_query(schema, name, term.lower())
                    should.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
            groups.append((tantivy.Occur.Must, tantivy.Query.boolean_query(should)))
        if not groups:
            return tantivy.Query.all_query()
        clauses = list(groups)
        words = [w.lower() for w in request.phrase]
        if len(words) > 1:
            for name in ("title_terms", "body_terms"):
                phrase = tantivy.Query.phrase_query(schema, name, words, slop=2)
                clauses.append(
                    (
                        tantivy.Occur.Should,
                        tantivy.Query.boost_query(phrase, PHRASE_BOOST * FIELD_BOOSTS[name]),
                    )
                )
        return tantivy.Query.boolean_query(clauses)

    def _filters(self, request, *, without=None):
        schema = self.schema
        clauses = []
        if request.kinds and without != "kind":
            clauses.append(tantivy.Query.term_set_query(schema, "kind", list(request.kinds)))
        if request.site_id and without != "site_id":
            clauses.append(tantivy.Query.term_query(schema, "site_id", int(request.site_id)))
        if request.region_code and without != "region_code":
            clauses.append(tantivy.Query.term_query(schema, "region_path", request.region_code))
        if request.department and without != "department":
            clauses.append(tantivy.Query.term_query(schema, "department", request.department))
        if request.subject and without != "subject":
            clauses.append(tantivy.Query.term_query(schema, "subject", request.subject))
        if (request.date_from or request.date_to) and without != "year":
            lower = _day_start(request.date_from)
            upper = (
                _day_start(request.date_to + datetime.timedelta(days=1))
                if request.date_to
                else None
            )
            clauses.append(
                tantivy.Query.range_query(
                    schema, "date", tantivy.FieldType.Date, lower, upper, True, upper is None
                )
            )
        return clauses

    def _combined(self, text_query, filters):
        if not filters:
            return text_query
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, text_query), *((tantivy.Occur.Must, f) for f in filters)]
        )

    def search(self, request):
        self.index.reload()
        searcher = self.index.searcher()
        text_query = self._text_query(request)
        query = self._combined(text_query, self._filters(request))
        if request.sort == "date":
            result = searcher.search(
                query,
                limit=request.limit,
                offset=request.offset,
                count=True,
                order_by_field="date",
                order=tantivy.Order.Desc,
            )
            hits = [self._hit(searcher, addr, 0.0) for _, addr in result.hits]
        else:
            # Re-ranking needs the candidates; pages beyond them are BM25 order alone.
            window = max(CANDIDATES, request.offset + request.limit)
            if request.offset + request.limit <= CANDIDATES:
                result = searcher.search(query, limit=window, count=True)
                hits = [self._hit(searcher, addr, score) for score, addr in result.hits]
            else:
                result = searcher.search(
                    query, limit=request.limit, offset=request.offset, count=True
                )
                hits = [self._hit(searcher, addr, score) for score, addr in result.hits]
        facets = self._facets(searcher, text_query, request) if request.facets else {}
        return SearchResults(total=result.count or 0, hits=hits, facets=facets)

    def _hit(self, searcher, address, score):
        stored = searcher.doc(address)
        fields = json.loads(stored.get_first("doc"))
        return Hit(key=fields["key"], score=float(score), fields=fields)

    def _facets(self, searcher, text_query, request):
        """Counts per facet value; each facet counted with the other filters applied but not
        its own (so a visitor sees what choosing another value would give)."""
        out = {}
        for name in FACETS:
            query = self._combined(text_query, self._filters(request, without=_filter_name(name)))
            agg = {name: {"terms": {"field": name, "size": FACET_SIZE}}}
            try:
                result = searcher.aggregate(query, agg)
            except ValueError:
                out[name] = []
                continue
            buckets = result.get(name, {}).get("buckets", [])
            values = []
            for bucket in buckets:
                value = bucket.get("key")
                if value in ("", 0, None):
                    continue
                values.append(
                    (int(value) if name in ("site_id", "year") else value, bucket["doc_count"])
                )
            out[name] = values
        return out


def _filter_name(facet):
    return "kind" if facet == "kind" else facet


def _day_start(day):
    if day is None:
        return None
    local = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return local.astimezone(datetime.UTC).replace(tzinfo=None)
