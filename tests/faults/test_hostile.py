"""Hostile content is shown as text everywhere: in every page of the site (checked in headless Chromium), in the
Prefect markdown artifact and on the terminal.

A copied project whose budget-ceiling export holds ``<script>``, attribute-breaking quotes, ``javascript:`` links,
Markdown and HTML injection in its cells (some beginning with ``=``/``@``/``-``, so they come back as
formula-injection warnings in the reports; cells with terminal escapes go in an export of their own, refused as
control characters, whose terminal report shows them escaped), and whose catalogue texts (dataset title and description,
department name and description, contact, column titles and descriptions) hold the same, is published by the real
CLI. Then every page of the served portal (index, department, theme and tag listings, the dataset page with its
preview table loaded, each version's validation.html and lineage.html) is opened in Chromium: no dialog fires, no
injected element (script, img, iframe, svg, any ``on…`` attribute) exists, no link has a ``javascript:`` href, and
the payloads are there as text. The validation artifact's Markdown (read through the Prefect API and rendered with
markdown-it) holds no HTML element or ``javascript:`` link, and stdout/stderr hold no raw escape character.
Writes hostile.json (tests/faults/figures.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import copy_project, serving
from tests.faults.figures import Figure, assert_met, write_proof
from tests.faults.killing import env_for, run_cli

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.browser]

DATASET = "pagu-anggaran-opd"
EXPORT = "exports/bkad/pagu_anggaran_opd_2024_2025.csv"
PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
            "[x](javascript:alert(1))", "<iframe src=javascript:alert(1)></iframe>",
            "<svg onload=alert(1)>", "'><a href=javascript:alert(1)>klik</a>"]
CELLS = [*PAYLOADS, "-layar dibersihkan",   # the first formula cell
         "=HYPERLINK(\"javascript:alert(1)\",\"<marquee>x</marquee>\")", "@SUM(1)<script>alert(2)</script>"]
# Terminal escapes in cells: a control character is an error (the export is refused, naming row and column), so they
# go in an export of their own, checked with `satudata validate DATASET FILE`: its terminal lines show them escaped.
ESCAPE_CELLS = ["-\x1b[2Jlayar dibersihkan", "+\x1b]8;;javascript:alert(1)\x1b\\tautan\x1b]8;;\x1b\\"]
ESCAPE_EXPORT = "exports/bkad/pagu_anggaran_opd_escapes.csv"
ESCAPES = re.compile(r"[\x1b\x9b\x07]")

FIND_INJECTED = """() => {
  const own = new Set(["papaparse.min.js", "uplot.iife.min.js", "explore.js", "filter.js"]);
  const found = [];
  for (const s of document.querySelectorAll("script")) {
    const name = (s.getAttribute("src") || "").split("/").pop();
    if (!own.has(name) && s.type !== "application/ld+json")
      found.push("script:" + (s.src || s.textContent.slice(0, 40)));
  }
  for (const e of document.querySelectorAll("img, iframe, object, embed, frame, marquee"))
    found.push(e.tagName.toLowerCase());
  for (const e of document.querySelectorAll("*")) {
    for (const a of e.attributes) if (/^on/i.test(a.name)) found.push(e.tagName.toLowerCase() + "@" + a.name);
  }
  for (const a of document.querySelectorAll("[href], [src], [action], [formaction]")) {
    for (const n of ["href", "src", "action", "formaction"]) {
      const v = (a.getAttribute(n) || "").replace(/[\\s\\x00-\\x1f]/g, "").toLowerCase();
      if (v.startsWith("javascript:") || v.startsWith("data:text/html") || v.startsWith("vbscript:"))
        found.push(a.tagName.toLowerCase() + "[" + n + "]=" + v.slice(0, 40));
    }
  }
  return found;
}"""


def csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in '";\r\n') else value


def write_cells(source: Path, target: Path, cells: list[str]) -> None:
    """The export with ``cells`` in nama_opd, one a row from the first data row."""
    lines = source.read_bytes().decode("cp1252").split("\r\n")
    for number, cell in enumerate(cells):
        parts = lines[1 + number].split(";")
        parts[2] = csv_cell(cell)
        lines[1 + number] = ";".join(parts)
    target.write_bytes("\r\n".join(lines).encode("cp1252"))


def make_hostile(project: Path) -> None:
    """Hostile cells in nama_opd (one department's name a row) and hostile catalogue and column texts."""
    path = project / EXPORT
    write_cells(path, project / ESCAPE_EXPORT, ESCAPE_CELLS)
    write_cells(path, path, CELLS)

    catalog = project / "catalog.yaml"
    raw = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    entry = next(d for d in raw["datasets"] if d["id"] == DATASET)
    entry["title"] = {"id": f"Pagu {PAYLOADS[0]} {PAYLOADS[1]}", "en": f"Budget {PAYLOADS[4]} {PAYLOADS[5]}"}
    entry["description"] = {"id": f"Lihat {PAYLOADS[3]} dan {PAYLOADS[6]} {PAYLOADS[2]}",
                            "en": f"See {PAYLOADS[3]} <a href=\"javascript:alert(1)\">here</a> {PAYLOADS[0]}"}
    entry["contact"] = {"name": f"BKAD {PAYLOADS[1]}", "email": "bkad@malangkota.go.id"}
    department = next(d for d in raw["departments"] if d["id"] == "bkad")
    department["name"] = f"Badan Keuangan {PAYLOADS[0]}"
    department["name_en"] = f"Finance {PAYLOADS[1]}"
    department["description"] = {"id": f"{PAYLOADS[3]} {PAYLOADS[4]}", "en": f"{PAYLOADS[5]} {PAYLOADS[6]}"}
    catalog.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")

    schema_path = project / "datasets" / DATASET / "schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    for number, field in enumerate(schema["fields"]):
        field["title"] = f"{field['title']} {PAYLOADS[number % len(PAYLOADS)]}"
        field["description"] = f"{PAYLOADS[(number + 3) % len(PAYLOADS)]} {field.get('description', '')}"
        field["description_en"] = f"{PAYLOADS[(number + 5) % len(PAYLOADS)]} {field.get('description_en', '')}"
    schema_path.write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False), encoding="utf-8")


ARTIFACTS = r"""
import asyncio, json, sys
from prefect.client.orchestration import get_client

async def main():
    async with get_client() as client:
        artifacts = await client.read_artifacts(limit=200)
    sys.stdout.write(json.dumps([{"key": a.key, "type": a.type, "data": a.data} for a in artifacts]))

asyncio.run(main())
"""


def markdown_artifacts(env: dict[str, str], cwd: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", ARTIFACTS], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return [a for a in json.loads(out.stdout) if a["type"] == "markdown"]


def html_injections(markdown: str) -> list[str]:
    """What a Markdown renderer (markdown-it, CommonMark with tables, HTML allowed as Prefect's UI does) makes into
    elements or links from the artifact's text."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    found = re.findall(r"<(?:script|img|iframe|svg|a|marquee)\b[^>]*>", html, re.IGNORECASE)
    found += re.findall(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", html, re.IGNORECASE)
    return found


def pages(portal: Path) -> list[str]:
    """Every HTML page of the portal (the site and each version's reports), as paths under it."""
    return sorted(str(p.relative_to(portal)) for p in portal.rglob("*.html")
                  if "latest" not in p.relative_to(portal).parts and not p.name.startswith("."))


def test_hostile_cells_and_catalogue_texts_are_shown_as_text(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    make_hostile(project)
    env = env_for(project, {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    portal = project / "portal"
    check = run_cli(project, ["validate", DATASET], env)
    escapes = run_cli(project, ["validate", DATASET, str(project / ESCAPE_EXPORT)], env)
    published = run_cli(project, ["run", DATASET, "kode-wilayah", "--portal", str(portal)], env)
    assert published.returncode == 0, published.stdout + published.stderr
    assert "formula" in (check.stdout + check.stderr).lower(), check.stdout   # the =/@/-/+ cells are warned about

    # --- the terminal: no raw escape, the escape shown (the cells with escapes are refused as control characters)
    raw_escapes = sum(len(ESCAPES.findall(r.stdout + r.stderr)) for r in (check, escapes, published))
    assert raw_escapes == 0, [line for line in escapes.stdout.splitlines() if ESCAPES.search(line)]
    assert escapes.returncode == 1 and "control-character" in escapes.stdout, escapes.stdout[-3000:]
    assert "\\x1b[2J" in escapes.stdout or "\\x1b" in escapes.stdout, escapes.stdout[-3000:]

    # --- every page in Chromium
    from playwright.sync_api import sync_playwright

    found: dict[str, list[str]] = {}
    dialogs: list[str] = []
    shown = 0
    opened = pages(portal)
    assert any(p.endswith("validation.html") for p in opened) and any(p.endswith("lineage.html") for p in opened)
    with serving(portal) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
            for path in opened:
                page.goto(f"{url}/{path}", wait_until="load")
                if path.endswith(f"{DATASET}/index.html"):   # the preview table, filled from data.csv by explore.js
                    page.wait_for_function("document.querySelectorAll('#explore table tbody tr').length > 0",
                                           timeout=30_000)
                    preview = page.inner_text("#explore")
                    assert PAYLOADS[0] in preview and PAYLOADS[1] in preview, preview[:2000]
                page.wait_for_timeout(200)   # a handler that fires late (onerror of an image) would have by now
                injected = page.evaluate(FIND_INJECTED)
                if injected:
                    found[path] = injected
                text = page.inner_text("body")
                shown += sum(1 for p in PAYLOADS if p in text)
        finally:
            browser.close()

    # --- the Prefect markdown artifact
    artifacts = markdown_artifacts(env, project)
    validation = [a for a in artifacts if a["key"] == f"validation-{DATASET}"]
    assert validation, [a["key"] for a in artifacts]
    in_markdown = [hit for a in validation for hit in html_injections(a["data"])]

    document = write_proof(
        "hostile", "Hostile cells and catalogue texts escaped in every page, report, artifact and terminal line",
        [Figure("pages opened in Chromium", len(opened), ">= 8"),
         Figure("payloads seen as text on the pages", shown, ">= 10"),
         Figure("dialogs fired (alert)", len(dialogs), "= 0"),
         Figure("injected elements, on… attributes or javascript: links", sum(map(len, found.values())), "= 0"),
         Figure("elements or links the artifact's Markdown renders into", len(in_markdown), "= 0"),
         Figure("raw terminal escapes on stdout/stderr", raw_escapes, "= 0")],
        notes=f"{len(CELLS)} hostile cells published, {len(ESCAPE_CELLS)} with terminal escapes refused, "
              f"{len(PAYLOADS)} payloads in the catalogue and column texts",
        injected=found, dialogs=dialogs, markdown=in_markdown)
    assert not dialogs and not found and not in_markdown, (dialogs, found, in_markdown)
    assert any("formula-injection" in a["data"] for a in validation), "the hostile warnings reach the artifact"
    assert_met(document)
