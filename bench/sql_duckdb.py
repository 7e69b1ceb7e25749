#!/usr/bin/env python3
"""The findings query of `pipelint sql` on DuckDB next to `pipelint audit` of the same CSV.

Usage: bench/sql_duckdb.py CSV QUERY [RUNS]   (see bench/sql.sh)
Loads CSV into an in-memory DuckDB table `deals` (every column as text, as an export is),
then times the query RUNS times (default 3) and prints the median, with the load time.
"""
import statistics
import sys
import time

import duckdb

csv, query = sys.argv[1], open(sys.argv[2]).read()
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
con = duckdb.connect()
t = time.time()
con.execute("CREATE TABLE deals AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [csv])
load = time.time() - t
times, rows = [], 0
for _ in range(runs):
    t = time.time()
    rows = len(con.execute(query).fetchall())
    times.append(time.time() - t)
print(f"duckdb {duckdb.__version__}: load {load:.2f} s; findings query {statistics.median(times):.2f} s (median of {runs}), {rows} findings")
