"""The terminal summary of a failed validation: per problem its column, check, rule, count, first example row and
value, and the fix in Bahasa Indonesia with English beside it; capped to one screen, the rest in the report.

It reads the report as ``validation.json`` holds it (``ValidationReport.as_dict``).
"""

from __future__ import annotations

import re

from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

WIDE = 110               # columns from which the problems are a table
SCREEN_LINES = 20          # the table's height at most; the rest is counted and left to the report
SAME_FIX = "〃 (sama / same)"
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z])")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from an export or a catalogue, fit for a terminal: control characters (an escape sequence in a cell
    would clear the screen or plant a link) shown as ``\\xNN``, as Python shows them in a value's repr."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


ENGINE_ORDER = {"structure": 0, "privacy": 1, "table-schema": 2, "great-expectations": 3}


def problems(report: dict) -> list[dict]:
    """The failing checks: errors first; the file's structure, personal data, then the Table Schema's cell checks
    before the suite's (whose averages and counts often only follow from bad cells); grouped by check, so equal
    fixes follow each other."""
    failing = [r for r in report.get("results", []) if r.get("count")]
    return sorted(failing, key=lambda r: (r["severity"] != "error", ENGINE_ORDER.get(r.get("engine"), 9),
                                          r["check"], r.get("field") or ""))


def fix_of(message: str, value: str | None, field: str | None, detail: str | None) -> str:
    """The fix of a check's message: what follows its first sentence (which restates the problem the table
    already shows), or the whole message when it is one sentence. The value, column and rule are masked while the
    sentence end is looked for, so a dot in them does not count."""
    masks = [m for m in (repr(value) if value is not None else None, detail, field) if m]
    masked = message
    for number, text in enumerate(masks):
        masked = masked.replace(text, f"\x00{number}\x00")
    end = _SENTENCE_END.search(masked)
    fix = masked[end.end():] if end else masked
    for number, text in enumerate(masks):
        fix = fix.replace(f"\x00{number}\x00", text)
    return fix


def first_example(result: dict, many_files: bool) -> str:
    examples = result.get("examples") or []
    if not examples:
        return "-"
    first = examples[0]
    row = f"baris/row {first['row']}" if first.get("row") is not None else "tabel/table"
    value = "(kosong/empty)" if first.get("value") is None else repr(first["value"])
    where = f"{first['file']} " if many_files and first.get("file") else ""
    return f"{where}{row}: {value}"


def problem_rows(report: dict) -> list[tuple[dict, str, str]]:
    """(result, fix in Bahasa Indonesia, fix in English) of every problem, in the order shown. A check with no
    example row (a whole-table expectation) keeps its whole message: its first sentence says what was measured."""
    rows = []
    for result in problems(report):
        examples = result.get("examples") or []
        message = result["message"]
        if not examples:
            rows.append((result, printable(message["id"]), printable(message["en"])))
            continue
        value, field, detail = examples[0].get("value"), result.get("field"), result.get("detail")
        rows.append((result, printable(fix_of(message["id"], value, field, detail)),
                     printable(fix_of(message["en"], value, field, detail))))
    return rows


def _table(title: str, rows: list[tuple[dict, str, str]], many_files: bool) -> Table:
    """One line a problem; a fix is written once for the problems that share it, each group under a rule."""
    table = Table(title=title, title_justify="left")
    table.add_column("kolom/column", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("cek/check", overflow="fold", max_width=24)
    table.add_column("aturan/rule", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("contoh/example", no_wrap=True, max_width=30, overflow="ellipsis")
    table.add_column("perbaiki / fix", ratio=1)
    previous = None
    for result, fix_id, fix_en in rows:
        same = (fix_id, fix_en) == previous
        if previous is not None and not same:
            table.add_section()
        rule = result.get("detail") if result.get("examples") else None   # without examples the message quotes it
        table.add_row(escape(result.get("field") or "(tabel/table)"), escape(result["check"]), escape(rule or "-"),
                      f"{result['count']:,}", escape(first_example(result, many_files)),
                      Text(SAME_FIX, style="dim") if same else Text.assemble(fix_id, "\n", (fix_en, "dim")))
        previous = (fix_id, fix_en)
    return table


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _stack(title: str, rows: list[tuple[dict, str, str]], many_files: bool) -> Group:
    """The same as the table, one problem under another, for a narrow terminal."""
    parts: list[Text | Padding] = [Text(title)]
    previous = None
    for result, fix_id, fix_en in rows:
        rule = f" ({_short(result['detail'], 32)})" if result.get("detail") and result.get("examples") else ""
        parts.append(Text.assemble(("✗ " if result["severity"] == "error" else "! ", "bold"),
                                   (result.get("field") or "(tabel/table)", "bold"),
                                   f" · {result['check']}{rule} · {result['count']:,} · ",
                                   first_example(result, many_files)))
        if (fix_id, fix_en) == previous:
            parts.append(_indented(Text(SAME_FIX, style="dim")))
        else:
            parts += [_indented(Text(fix_id)), _indented(Text(fix_en, style="dim"))]
        previous = (fix_id, fix_en)
    return Group(*parts)


def _indented(text: Text) -> Padding:
    return Padding(text, (0, 0, 0, 2), expand=False)


def summary_table(report: dict, title: str, console: Console,
                  lines: int = SCREEN_LINES) -> tuple[Table | Group, int]:
    """The problems at most ``lines`` high on ``console`` (at least one problem), and how many did not fit: a
    table, or on a terminal narrower than WIDE one problem under another."""
    rows = problem_rows(report)
    many_files = len(report.get("exports") or []) > 1
    layout = _table if console.width >= WIDE else _stack
    shown = 1
    while shown < len(rows) and \
            len(console.render_lines(layout(title, rows[:shown + 1], many_files), pad=False)) <= lines:
        shown += 1
    return layout(title, rows[:shown], many_files), len(rows) - shown


def print_summary(report: dict, report_path: str, console: Console, lines: int = SCREEN_LINES) -> None:
    """A failed (or warned) validation on the terminal: the fatal message, or the capped problems table."""
    fatal = report.get("fatal")
    if fatal:
        console.print(f"[red bold]{escape(printable(fatal['file']))}[/]: tidak dapat dibaca / cannot be read\n"
                      f"  {escape(printable(fatal['message']['id']))}\n"
                      f"  [dim]{escape(printable(fatal['message']['en']))}[/]")
        console.print(f"Laporan / report: {escape(report_path)}", soft_wrap=True)
        return
    summary = report.get("summary", {})
    title = (f"{report['dataset']}: {report['status']} — {summary.get('errors', 0):,} kesalahan/errors, "
             f"{summary.get('warnings', 0):,} peringatan/warnings in {summary.get('checks_failed', 0)} checks, "
             f"{report.get('row_count', 0):,} baris/rows")
    if not problems(report):
        console.print(title)
        return
    table, more = summary_table(report, title, console, lines)
    console.print(table)
    if more:
        console.print(f"… {more} lagi / more: lihat / see {escape(report_path)}", soft_wrap=True)
