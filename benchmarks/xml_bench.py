"""Streaming XSD validation of a big IATI-like file: throughput and peak memory.

Generates an IATI 2.03 activities file of about ``--mb`` MB by repeating the activities of
IATI's annotated example (every 100th one made invalid), then, each in a fresh process:

* ``govstd``: ``Session.validate(..., record_element="iati-activity")``;
* ``lxml-loop``: the bare lxml idiom govstd builds on (iterparse, validate, clear) as the
  reference a user would otherwise write by hand;

and prints records/s, MB/s and peak RSS (MiB). Whole-document validation is not run: it
needs ~11x the file in memory (DESIGN §6).

    python benchmarks/xml_bench.py --mb 150 --corpus ../shared/corpus
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOVSTD = """
import resource, sys, time
from govstd import Session
t = time.perf_counter()
r = Session(autoload=False).validate(sys.argv[1], schema=sys.argv[2], record_element="iati-activity",
                                     max_findings=100)
dt = time.perf_counter() - t
print(r.stats.records, r.stats.rejected, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

LXML = """
import resource, sys, time
from lxml import etree
schema = etree.XMLSchema(etree.parse(sys.argv[2]))
t = time.perf_counter(); n = bad = 0
for _, el in etree.iterparse(sys.argv[1], tag="iati-activity", huge_tree=False, resolve_entities=False):
    n += 1
    if not schema.validate(el):
        bad += 1
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]
dt = time.perf_counter() - t
print(n, bad, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def generate(example: Path, out: Path, megabytes: int) -> int:
    text = example.read_text("utf-8")
    activities = re.findall(r"<iati-activity[ >].*?</iati-activity>", text, flags=re.S)
    head = text[: text.index("<iati-activity")]
    written = count = 0
    target = megabytes * 1024 * 1024
    with out.open("w", encoding="utf-8") as handle:
        handle.write(head)
        while written < target:
            for activity in activities:
                count += 1
                if count % 100 == 0:  # invalid: an unknown element
                    activity = activity.replace("<title>", "<bogus/><title>", 1)
                handle.write(activity)
                handle.write("\n")
                written += len(activity) + 1
        handle.write("</iati-activities>\n")
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=150)
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    args = parser.parse_args()
    iati = args.corpus / "iati"
    schema = iati / "schema" / "2.03" / "iati-activities-schema.xsd"
    example = iati / "samples" / "examples" / "2.03" / "activity-standard-example-annotated.xml"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "big.xml"
        started = time.perf_counter()
        count = generate(example, data, args.mb)
        size = data.stat().st_size / 2**20
        print(
            f"generated {size:.0f} MiB, {count} activities in {time.perf_counter() - started:.1f}s"
        )
        for name, script in (("govstd", GOVSTD), ("lxml-loop", LXML)):
            out = subprocess.run(
                [sys.executable, "-c", script, str(data), str(schema)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            records, bad, seconds, rss = int(out[0]), int(out[1]), float(out[2]), float(out[3])
            print(
                f"{name:10s} {records} records, {bad} rejected, {seconds:.1f}s: "
                f"{records / seconds:,.0f} records/s, {size / seconds:.1f} MiB/s, peak RSS {rss:.0f} MiB"
            )


if __name__ == "__main__":
    main()
