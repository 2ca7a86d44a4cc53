"""The steward's report as Markdown, short enough for a Prefect artifact: the summary, then each failing check with
its first example row and the fix, in Bahasa Indonesia with the English beside it."""

from __future__ import annotations

from satudata.validators.report import ValidationReport

STATUS = {"passed": "lolos / passed", "passed-with-warnings": "lolos dengan peringatan / passed with warnings",
          "failed": "gagal, tidak diterbitkan / failed, not published"}
MAX_CHECKS = 50


def _cell(text: object) -> str:
    """A table cell: no line breaks, pipes escaped, Markdown and HTML shown as text."""
    value = " ".join(str(text).split())
    for char in "\\|*_`[]<>#":
        value = value.replace(char, f"\\{char}")
    return value


def render_markdown(report: ValidationReport) -> str:
    data = report.as_dict()
    summary = data["summary"]
    lines = [f"# Laporan validasi / validation report: {_cell(report.dataset)}", "",
             f"**{STATUS.get(data['status'], data['status'])}** · {data['row_count']} baris dibaca / rows read · "
             f"{summary['errors']} kesalahan / errors · {summary['warnings']} peringatan / warnings · "
             f"{summary['checks_failed']} / {summary['checks']} pemeriksaan gagal / checks failed", ""]
    if report.fatal:
        fatal = report.fatal
        lines += [f"**{_cell(fatal['file'])}**: {_cell(fatal['message']['id'])}", "",
                  f"_{_cell(fatal['message']['en'])}_", ""]
    dropped = (data.get("reading") or {}).get("dropped_rows") or {}
    if dropped:
        rules = ", ".join(f"{_cell(column)}: {rows}" for column, rows in dropped.items())
        lines += [f"Baris dibuang oleh options.drop_rows / rows dropped by options.drop_rows: {rules}", ""]
    failing = sorted((r for r in data["results"] if r["count"]), key=lambda r: (r["severity"] != "error", -r["count"]))
    if failing:
        lines += ["| tingkat / severity | kolom / column | pemeriksaan / check | baris / rows | contoh / first example "
                  "| perbaikan / how to fix |", "|---|---|---|---|---|---|"]
        for result in failing[:MAX_CHECKS]:
            example = result["examples"][0] if result["examples"] else None
            where = (f"{example['file'] or ''} baris/row {example['row']}: {example['value']!r}" if example else "")
            lines.append(f"| {result['severity']} | {_cell(result['field'] or '(tabel / table)')} | "
                         f"{_cell(result['check'])} | {result['count']} | {_cell(where)} | "
                         f"{_cell(result['message']['id'])} / {_cell(result['message']['en'])} |")
        if len(failing) > MAX_CHECKS:
            lines.append(f"\n… {len(failing) - MAX_CHECKS} pemeriksaan lagi / more checks: validation.html")
    lines += ["", "Nomor baris menghitung setiap baris ekspor asli, termasuk judul dan nama kolom. / Row numbers count "
              "every row of the original export, title rows and the header included."]
    return "\n".join(lines) + "\n"
