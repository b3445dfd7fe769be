"""The dashboard in a real browser (issue 16): Debian's Chromium, headless, opens the page from
a file: no console error, no request attempted (its Content-Security-Policy would log one), every
chart present and drawn, no horizontal scroll at 1280 and at a 390-pixel phone width, and printed
to PDF on A4 pages with no chart split across two.

Layout is measured by a copy of the page with a small script added (and the CSP that would
block it taken out), shown in a frame of the width under test (headless Chromium's window is at
least 500 pixels wide), whose findings the script writes into the DOM that --dump-dom prints;
the page itself carries no script. Screenshots and the PDF stay in the test's temp folder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_pictures import dashboard, invoke, sample  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium; .ci/run installs it as root)",
)

# A4 at CSS's 96 pixels an inch, less the page's 12 mm margins: 186 x 273 mm.
A4_CONTENT_WIDTH_PX = round(186 / 25.4 * 96)
A4_CONTENT_HEIGHT_PX = round(273 / 25.4 * 96)

MEASURE = """<script>
window.addEventListener("load", () => {
  const charts = [...document.querySelectorAll("figure.chart")].map((f) => {
    const svg = f.querySelector("svg");
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {id: f.id, height: f.getBoundingClientRect().height, svgWidth: box.width,
            svgHeight: box.height, shapes: svg ? svg.querySelectorAll("rect,polyline,line").length : 0,
            breakInside: getComputedStyle(f).breakInside, tables: f.querySelectorAll("table").length};
  });
  const out = parent.document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({scrollWidth: document.documentElement.scrollWidth,
                                    innerWidth: window.innerWidth, charts});
  parent.document.body.appendChild(out);
});
</script>"""


def chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--hide-scrollbars", *args]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def page_file(dashboard: str, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    path = tmp_path_factory.mktemp("browser") / "dashboard.html"
    path.write_text(dashboard, encoding="utf-8")
    return path


def framed(html: str, width: int, height: int) -> str:
    """A page showing `html` in a frame `width` pixels wide (its own document, same origin)."""
    from html import escape

    return (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;display:block;width:{width}px;height:{height}px" '
        f'srcdoc="{escape(html, quote=True)}"></iframe></body></html>'
    )


def measured(page: Path, width: int, *, print_rules: bool = False) -> dict[str, Any]:
    """The layout of the page at this window width (with its print rules applied on screen, at
    the width of an A4 page's content, when asked)."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    if print_rules:
        html = html.replace("@media print{", "@media all{")
        html = html.replace("</style>", f"body{{width:{A4_CONTENT_WIDTH_PX}px}}</style>")
    html = html.replace("</body>", MEASURE + "</body>")
    copy = page.with_name(f"measure-{width}{'-print' if print_rules else ''}.html")
    copy.write_text(framed(html, width, 900), encoding="utf-8")
    dom = chromium(f"--window-size={max(width, 500)},900", "--dump-dom", copy.as_uri()).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_opens_without_a_console_error_or_a_request(page_file: Path) -> None:
    proc = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", page_file.as_uri())
    assert "<figure" in proc.stdout
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Content Security" in line]
    assert console == []


def test_a_request_would_be_seen(tmp_path: Path) -> None:
    """The check above can fail: the same CSP, one image from the network, is logged as refused."""
    page = tmp_path / "leaky.html"
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    page.write_text(f'<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="{csp}">'
                    '<img src="http://up2k.invalid/x.png">', encoding="utf-8")  # fmt: skip
    proc = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    assert "violates the following Content Security Policy directive" in proc.stderr
    assert "CONSOLE" in proc.stderr


@pytest.mark.parametrize("width", [1280, 390])
def test_every_chart_is_drawn_and_nothing_scrolls_sideways(page_file: Path, width: int) -> None:
    layout = measured(page_file, width)
    assert layout["innerWidth"] == width
    assert layout["scrollWidth"] <= width, "the page scrolls sideways"
    charts = layout["charts"]
    assert len(charts) == 30
    for chart in charts:
        assert chart["svgWidth"] > 100 and chart["svgHeight"] > 60, chart
        assert chart["svgWidth"] <= width, chart
        assert chart["shapes"] > 0, chart
        assert chart["tables"] >= 1, chart


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_screenshots(page_file: Path, width: int, height: int) -> None:
    shot = page_file.with_name(f"dashboard-{width}.png")
    shown = page_file
    if width < 500:  # narrower than headless Chromium's window: the page in a frame that wide
        shown = page_file.with_name(f"phone-{width}.html")
        shown.write_text(framed(page_file.read_text(encoding="utf-8"), width, height), encoding="utf-8")
    chromium(f"--window-size={width},{height}", f"--screenshot={shot}", shown.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (width, height)


def test_prints_on_a4_without_splitting_a_chart(page_file: Path) -> None:
    pdf = page_file.with_name("dashboard.pdf")
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page_file.as_uri())
    raw = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", raw)
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert abs(float(width) - 595.28) < 2 and abs(float(height) - 841.89) < 2, (width, height)
    # With the print rules on screen at an A4 page's width: every chart block is kept whole
    # (break-inside: avoid) and fits one page, so the printer never has to cut it.
    layout = measured(page_file, A4_CONTENT_WIDTH_PX, print_rules=True)
    for chart in layout["charts"]:
        assert chart["breakInside"] == "avoid", chart
        assert chart["height"] < A4_CONTENT_HEIGHT_PX, chart
    assert len(boxes) >= 6  # each area starts a page
