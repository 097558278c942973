"""``manage.py rebuild_search_index``: empty the search index and read every findable page,
service item and published message into it again, with progress."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from yiwang.search import documents, index
from yiwang.search.engines import get_engine

LABELS = {"page": "网页", "item": "办事事项", "message": "互动留言"}


class Command(BaseCommand):
    help = "重建全网检索索引（网页、办事事项、公开留言），显示进度。"

    def handle(self, *args, **options):
        started = time.monotonic()
        bars = {}
        quiet = options["verbosity"] == 0

        def progress(source, done, total):
            bar = bars.get(source)
            if bar is None:
                label = LABELS.get(source, source)
                bar = bars[source] = tqdm(
                    total=total, desc=f"索引{label}", unit="条", disable=quiet, leave=True
                )
            bar.update(done - bar.n)

        try:
            total = index.rebuild(progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        engine = get_engine()
        seconds = time.monotonic() - started
        sources = "、".join(LABELS.get(name, name) for name in documents.SOURCES)
        self.stdout.write(
            f"已重建索引（{engine.name}）：{total} 条（{sources}），用时 {seconds:.1f} 秒。"
        )
