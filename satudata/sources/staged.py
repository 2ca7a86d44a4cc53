"""What both staging paths count and report beside the rows: the cells each declared transformation changed, the
rows each drop rule dropped, the units taken out of cells, and how each export was read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from satudata.core.catalog import ReadOptions
from satudata.core.problems import Problem
from satudata.core.records import StagedTable
from satudata.sources.export import Export
from satudata.sources.normalise import Chain


class Tally:
    def __init__(self, options: ReadOptions, chains: dict[str, Chain]) -> None:
        self.options, self.chains = options, chains
        self.cells: Counter[tuple[str, int]] = Counter()
        self.rows_dropped: Counter[str] = Counter()

    def changed(self, name: str, steps: tuple[int, ...], cells: int = 1) -> None:
        for step in steps:
            self.cells[name, step] += cells

    def dropped(self, column: str, rows: int = 1) -> None:
        self.rows_dropped[column] += rows

    def transformations(self, present: list[str], labels: dict[str, list[str]]) -> list[dict]:
        """Each declared transformation of a staged field, with the number of cells it changed."""
        options = self.options
        done: list[dict] = []
        if options.header_rows:
            done.append({"field": None, "transform": "header_rows", "cells": None,
                         "how": f"rows {', '.join(map(str, options.header_rows))} joined with "
                                f"{options.header_join!r}"})
        for name in present:
            for index, step in enumerate(self.chains[name].steps if name in self.chains else []):
                if step.transform:
                    done.append({"field": name, "transform": step.transform, "how": step.how,
                                 "cells": self.cells[name, index]})
        if options.unpivot and options.unpivot.value in present:
            for file, columns in labels.items():
                done.append({"field": options.unpivot.value, "transform": "unpivot", "cells": None,
                             "how": f"{file}: {len(columns)} columns to rows ({', '.join(columns)})"})
        return done


def staged_table(path: Path, present: list[str], missing: list[str], count: int, problems: list[Problem],
                 header_rows: dict[str, int], exports: list[Export], tally: Tally,
                 wide: dict[str, list[str]] | None = None) -> StagedTable:
    options = tally.options
    return StagedTable(
        path, present, missing, count, problems, header_rows,
        dialects={e.file: e.dialect() for e in exports},
        units={name: unit for name, unit in options.units.items() if name in present},
        transformations=tally.transformations(present, wide or {}),
        dropped_rows={column: tally.rows_dropped[column] for column in options.drop_rows})
