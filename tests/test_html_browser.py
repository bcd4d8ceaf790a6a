"""The HTML report in a real headless browser (Debian's chromium): it renders, loads nothing,
raises no console errors, and a screenshot is taken.

``.ci/run`` installs chromium when it is missing; outside CI the test is skipped without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from govstd.reporters.html import HtmlReporter
from govstd.session import Session
from report_checks import sample_report

#: runs before the page's own Content-Security-Policy applies; records errors, console errors
#: and CSP violations (any attempt to load something), and writes them into the DOM on load
PROBE = """<script>
window.__probe = {errors: [], console: [], blocked: []};
window.addEventListener('error', e => window.__probe.errors.push(String(e.message || e.type)), true);
document.addEventListener('securitypolicyviolation', e => window.__probe.blocked.push(e.blockedURI + ' ' + e.violatedDirective));
const original = console.error;
console.error = (...args) => { window.__probe.console.push(args.map(String).join(' ')); original(...args); };
window.addEventListener('load', () => {
  const groups = document.querySelectorAll('details.group').length;
  const verdict = document.getElementById('verdict');
  const box = verdict ? verdict.getBoundingClientRect() : {width: 0, height: 0};
  document.documentElement.setAttribute('data-probe', JSON.stringify(
    Object.assign({groups, verdictWidth: box.width, verdictHeight: box.height}, window.__probe)));
});
</script>"""

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=1280,2000",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return found


def run(binary: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_report_renders_without_errors(tmp_path: Path, lang: str) -> None:
    binary = chromium()
    session = Session()
    report = sample_report(session)
    page = HtmlReporter().render(report, catalogue=session.catalogue, lang=lang)
    report_file = tmp_path / "report.html"
    report_file.write_text(page, "utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1), "utf-8")

    dom = run(binary, tmp_path, "--dump-dom", probed.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    match = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert match, "the probe did not run: " + dom.stdout[:500]
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["errors"] == [] and probe["console"] == [], probe
    assert probe["blocked"] == [], f"the page tried to load: {probe['blocked']}"
    assert probe["groups"] == len(report.counts)
    assert probe["verdictWidth"] > 300 and probe["verdictHeight"] > 20
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console

    screenshot = tmp_path / "report.png"
    shot = run(binary, tmp_path, f"--screenshot={screenshot}", report_file.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    assert len(data) > 20_000  # a rendered page, not a blank image


def test_the_probe_catches_errors_and_loads(tmp_path: Path) -> None:
    """Control: the same probe reports a script error and a blocked external image."""
    binary = chromium()
    broken = (
        "<!DOCTYPE html><html><head>"
        + PROBE
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'\">"
        + '</head><body><img src="https://example.invalid/x.png"><script>undefinedFunction()</script></body></html>'
    )
    page = tmp_path / "broken.html"
    page.write_text(broken, "utf-8")
    dom = run(binary, tmp_path, "--dump-dom", page.as_uri())
    match = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert match
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["errors"] and probe["blocked"]
