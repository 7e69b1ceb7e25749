#!/usr/bin/env python3
"""The findings query of `pipelint sql` on DuckDB next to `pipelint audit` of the same CSV.

Usage: bench/sql_duckdb.py CSV QUERY AUDIT_JSON [RUNS [SUMMARY_QUERY]]   (see bench/sql.sh)
Loads CSV into an in-memory DuckDB table `deals` (every column as text, as an export is, and
`pl_order`, each record's place in the file, for the query's --line-column), times the query
RUNS times (default 3) and prints the median with the load time; then compares its findings,
as (code, record id) pairs, with the audit's for every code the query evaluates.

With SUMMARY_QUERY (`pipelint sql --summary`), times it the same way and compares its rows
with the audit's: each deal's (record id, completeness, risk score, band, signals) as a
multiset, and every owner's, stage's and the overall records, open deals, completeness and
risk bands.
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

if len(sys.argv) <= 5:
    sys.exit(0)
summary = open(sys.argv[5]).read()
times, rows = [], []
for _ in range(runs):
    t = time.time()
    cur = con.execute(summary)
    rows = cur.fetchall()
    times.append(time.time() - t)
names = [d[0] for d in cur.description]
rows = [dict(zip(names, r)) for r in rows]
print(f"summary query {statistics.median(times):.2f} s (median of {runs}), {len(rows)} rows")
report = json.load(open(audit))


def deal_key(id, completeness, score, band, signals):
    return (id, round(completeness * 10), score, band, ",".join(sorted(signals)) if signals is not None else None)


want = collections.Counter()
for d in report["deals"]:
    r = d["risk"]
    signals = None if r is None else [s["signal"] for s in r["signals"]]
    want[deal_key(d["id"], d["completeness"], r and r["score"], r and r["band"], signals)] += 1
got = collections.Counter()
for r in rows:
    if r["scope"] == "deal":
        signals = None if r["signals"] is None else [s for s in r["signals"].split(",") if s]
        got[deal_key(r["record_id"], r["completeness"], r["risk_score"], r["band"], signals)] += 1
print(f"deals against the audit: {sum((want - got).values())} missing, {sum((got - want).values())} extra, of {sum(want.values())} deals")


def figures(g, open_key):
    return (g["records"], g[open_key], round(g["completeness"] * 10), g["risk"]["high"], g["risk"]["medium"], g["risk"]["low"])


want_groups = {("all", None): figures(report["summary"], "open")}
for scope, key in [("owner", "by_owner"), ("stage", "by_stage")]:
    for g in report["pipeline"][key]:
        want_groups[(scope, g[scope])] = figures(g, "open")
got_groups = {}
for r in rows:
    if r["scope"] != "deal":
        of = r["owner"] if r["scope"] == "owner" else r["stage"]
        got_groups[(r["scope"], of)] = (r["records"], r["open_deals"], round(r["completeness"] * 10), r["high_risk"], r["medium_risk"], r["low_risk"])
differ = [k for k in set(want_groups) | set(got_groups) if want_groups.get(k) != got_groups.get(k)]
print(f"groups against the audit: {len(want_groups)} owners, stages and overall; {len(differ)} differ" + (f": {differ[:5]}" if differ else ""))
