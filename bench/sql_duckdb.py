#!/usr/bin/env python3
"""The findings query of `pipelint sql` on DuckDB next to `pipelint audit` of the same CSV.

Usage: bench/sql_duckdb.py CSV QUERY AUDIT_JSON [RUNS]   (see bench/sql.sh)
Loads CSV into an in-memory DuckDB table `deals` (every column as text, as an export is, and
`pl_order`, each record's place in the file, for the query's --line-column), times the query
RUNS times (default 3) and prints the median with the load time; then compares its findings,
as (code, record id) pairs, with the audit's for every code the query evaluates.
"""
import collections
import json
import statistics
import sys
import time

import duckdb

csv, query, audit = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
con = duckdb.connect()
t = time.time()
con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [csv])
con.execute("CREATE TABLE deals AS SELECT *, row_number() OVER () AS pl_order FROM raw")
load = time.time() - t
times, rows = [], []
for _ in range(runs):
    t = time.time()
    rows = con.execute(query).fetchall()
    times.append(time.time() - t)
print(f"duckdb {duckdb.__version__}: load {load:.2f} s; findings query {statistics.median(times):.2f} s (median of {runs}), {len(rows)} findings")
evaluated = query.split("\n")[1].split(": ", 1)[1].split()
engine = collections.Counter(
    (f["code"], f["record_id"]) for f in json.load(open(audit))["findings"] if f["code"] in evaluated
)
sql = collections.Counter((r[0], r[2]) for r in rows)
print(f"against the audit: {sum((engine - sql).values())} missing, {sum((sql - engine).values())} extra, of {sum(engine.values())} findings of the codes it evaluates")
