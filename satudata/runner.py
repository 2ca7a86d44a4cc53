"""Run the catalogue flow with a live board of each dataset's stage."""

from __future__ import annotations

from rich.console import Console
from rich.live import Live
from rich.table import Table

from satudata.core.settings import RunSettings


def _board_table(ids: list[str], board: dict[str, tuple[str, str]]) -> Table:
    from satudata.flows.progress import STAGES

    table = Table(title="satudata: tahap / stage", expand=False)
    table.add_column("dataset")
    for stage in STAGES:
        table.add_column(stage, justify="center")
    table.add_column("hasil/result")
    for dataset_id in ids:
        stage, note = board.get(dataset_id, ("waiting", ""))
        reached = STAGES.index(stage) if stage in STAGES else (len(STAGES) if stage == "published" else -1)
        cells = []
        for index, _ in enumerate(STAGES):
            if stage in ("quarantined", "failed") or index > reached:
                cells.append("")
            else:
                cells.append("✓" if index < reached or stage == "published" else "…")
        result = stage if stage in ("published", "unchanged", "quarantined", "failed") else ""
        table.add_row(dataset_id, *cells, f"{result} {note}".strip())
    return table


def run_catalog(ids: list[str], settings: RunSettings, console: Console) -> list[dict]:
    from satudata.flows import progress
    from satudata.flows.publish import with_concurrency

    progress.reset()
    with Live(_board_table(ids, {}), console=console, refresh_per_second=4, transient=True) as live:
        progress.listen(lambda *_: live.update(_board_table(ids, progress.board())))
        outcomes = with_concurrency(settings.concurrency)(ids, settings.to_dict())
    return outcomes
