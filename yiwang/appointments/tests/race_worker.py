"""One process of the booking race (``test_race.py``): ``python -m
yiwang.appointments.tests.race_worker <json>`` with ``DATABASE_URL`` set bids for one slot
for each user id given, ``threads`` at a time, all starting at ``start_at`` (epoch seconds),
and prints one JSON line: ``{"ok": n, "full": n, "errors": [...]}``."""

import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from datetime import time as clock


def main(spec):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.db import connection

    from yiwang.accounts.models import User
    from yiwang.appointments import actions
    from yiwang.catalog.models import Implementation
    from yiwang.orgs.models import ServiceCentre

    centre = ServiceCentre.objects.get(pk=spec["centre"])
    item = Implementation.objects.get(pk=spec["item"])
    users = list(User.objects.filter(pk__in=spec["users"]))
    day = date.fromisoformat(spec["day"])
    start = clock.fromisoformat(spec["start"])
    now = datetime.fromisoformat(spec["now"])
    connection.close()
    # The first wave (one bid per thread) starts together; later bids follow as threads free
    # up. A barrier for every bid would wait out its timeout on the last, smaller wave.
    first_wave = min(spec["threads"], len(users))
    barrier = threading.Barrier(first_wave)
    results = []
    lock = threading.Lock()

    def bid(numbered):
        number, user = numbered
        try:
            if number < first_wave:
                try:
                    barrier.wait(timeout=30)
                except threading.BrokenBarrierError:
                    pass
            actions.book(
                user=user, centre=centre, implementation=item, day=day, start=start, now=now
            )
            outcome = "ok"
        except ValidationError as exc:
            codes = [e.code for errors in getattr(exc, "error_dict", {}).values() for e in errors]
            outcome = "full" if "full" in codes else f"refused: {exc.messages}"
        except Exception as exc:
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    delay = spec["start_at"] - time.time()
    if delay > 0:
        time.sleep(delay)
    with ThreadPoolExecutor(max_workers=spec["threads"]) as pool:
        list(pool.map(bid, enumerate(users)))
    print(
        json.dumps(
            {
                "ok": results.count("ok"),
                "full": results.count("full"),
                "errors": [r for r in results if r not in ("ok", "full")],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
