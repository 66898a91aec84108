#!/usr/bin/env python3
"""Reads a Delta table written by `cxetl run --format delta` with the Python
`deltalake` package (delta-rs), with Polars, and with DuckDB over exactly the
files the version lists, and prints one JSON line per version read: what
each reader saw, for the tests to compare with the simulator's truth.

usage: read_delta.py TABLE_DIR ID_COLUMN [all|latest|VERSION...]
"""
import json
import sys

import duckdb
import polars as pl
from deltalake import DeltaTable


def describe(path, id_column, version):
    dt = DeltaTable(path, version=version)
    table = dt.to_pyarrow_table()
    ids = [str(x) for x in table.column(id_column).to_pylist()]
    frame = pl.read_delta(path, version=version)
    polars_ids = sorted(str(x) for x in frame.get_column(id_column).to_list())
    # A glob would also see files removed but not vacuumed: DuckDB gets the
    # version's own file list, as an engine without a Delta reader must.
    uris = dt.file_uris()
    duckdb_ids = sorted(
        str(row[0])
        for row in duckdb.sql(f"SELECT {id_column} FROM read_parquet(?)", params=[uris]).fetchall()
    ) if uris else []
    out = {
        "version": dt.version(),
        "rows": table.num_rows,
        "ids": sorted(ids),
        "polars_rows": frame.height,
        "polars_ids_equal": polars_ids == sorted(ids),
        "duckdb_ids_equal": duckdb_ids == sorted(ids),
        "protocol": [dt.protocol().min_reader_version, dt.protocol().min_writer_version],
        "partition_columns": dt.metadata().partition_columns,
        "types": {f.name: str(f.type) for f in table.schema},
        "files": len(dt.file_uris()),
    }
    if "duration_ms" in table.column_names:
        out["duration_ms_sum"] = sum(x for x in table.column("duration_ms").to_pylist() if x is not None)
    return out


def main():
    path, id_column = sys.argv[1], sys.argv[2]
    which = sys.argv[3:] or ["latest"]
    latest = DeltaTable(path).version()
    if which == ["all"]:
        versions = list(range(0, latest + 1))
    elif which == ["latest"]:
        versions = [latest]
    else:
        versions = [int(v) for v in which]
    for v in versions:
        print(json.dumps(describe(path, id_column, v)), flush=True)


if __name__ == "__main__":
    main()
