"""Render times of the service guide PDF (``yiwang.catalog.pdf.render_guide_pdf``).

Builds one county with N published implementations with complete guides (each with M
materials) in a throwaway SQLite database, renders each guide's PDF and prints the first
render (which parses the font), then the median and 95th percentile of the others, in
milliseconds per guide, with the page count and size of the last one.

    .venv/bin/python bench/guide_pdf.py [--guides 20] [--materials 8]
"""

import argparse
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guides", type=int, default=20, help="guides to render")
    parser.add_argument("--materials", type=int, default=8, help="materials per guide")
    return parser.parse_args()


def set_up_django(data_dir):
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["YIWANG_DATA_DIR"] = str(data_dir)
    os.environ["YIWANG_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    sys.path.insert(0, str(REPO))
    (data_dir / "static").mkdir()

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)
    call_command("migrate", verbosity=0)


def build_guides(count, material_count):
    from yiwang.catalog.models import Fee, Implementation, LegalBasis, Material, ProcessStep
    from yiwang.catalog.tests.factories import build_implementation, make_department, publish
    from yiwang.orgs.models import Region, level_of, stats_code

    def region(code, name, parent=None):
        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    county = region("990102", "松林县", region("9901", "青山市", region("99", "示范省")))
    department = make_department(county, name="松林县市场监督管理局")
    for n in range(count):
        implementation = build_implementation(
            region=county,
            department=department,
            name=f"食品经营许可（第{n + 1}项）",
            summary="对从事食品销售和餐饮服务活动的经营者实施许可。" * 3,
            charges_fee=True,
        )
        implementation.legal_bases = [
            LegalBasis(
                law_name="中华人民共和国食品安全法",
                law_level="law",
                article=f"第{35 + n % 5}条",
                text="国家对食品生产经营实行许可制度。从事食品生产、食品销售、餐饮服务，"
                "应当依法取得许可。" * 2,
            )
        ]
        implementation.materials = [
            Material(
                name=f"申请材料{m + 1}：食品经营许可申请书及相关证明文件",
                requirements="加盖公章，复印件注明“与原件一致”。" * 2,
                license_type="营业执照" if m % 3 == 0 else "",
            )
            for m in range(material_count)
        ]
        implementation.process_steps = [
            ProcessStep(name=step, description=f"{step}环节的办理标准。" * 2, time_limit_days=1)
            for step in ("申请", "受理", "审查", "决定", "送达")
        ]
        implementation.fees = [Fee(name="工本费", standard="不收取", basis="财政部文件")]
        publish(implementation)
    return list(
        Implementation.objects.prefetch_related(
            "legal_bases", "materials", "process_steps", "fees", "themes"
        ).select_related("catalog_item", "department", "region")
    )


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="yiwang-bench-") as data_dir:
        set_up_django(Path(data_dir))
        from pypdf import PdfReader

        from yiwang.catalog.pdf import render_guide_pdf

        guides = build_guides(args.guides, args.materials)
        times, data = [], b""
        for implementation in guides:
            started = time.perf_counter()
            data = render_guide_pdf(implementation)
            times.append((time.perf_counter() - started) * 1000)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        rest = sorted(times[1:]) or times
        p95 = rest[min(len(rest) - 1, int(len(rest) * 0.95))]
        print(f"guides: {len(guides)}, materials each: {args.materials}")
        print(f"first render (parses the font): {times[0]:8.1f} ms")
        print(f"other renders: median {statistics.median(rest):8.1f} ms, p95 {p95:8.1f} ms")
        print(f"last guide: {pages} pages, {len(data) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
