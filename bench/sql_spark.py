#!/usr/bin/env python3
"""The findings query of `pipelint sql --dialect spark` on PySpark in local mode next to
`pipelint audit` of the same CSV (informational: local mode on this machine's cores is not
a cluster).

Usage: bench/sql_spark.py CSV QUERY AUDIT_JSON [RUNS]   (see bench/sql.sh)
Loads CSV with Spark's CSV reader into a cached view `deals` (every column a string, as an
export is, and `pl_order`, each record's place in the file, for the query's
--line-column), times the query RUNS times (default 3, each a full `count` of its rows
after a `collect` of the first run's) and prints the median with the load time; then
compares its findings, as (code, record id) pairs, with the audit's for every code the
query evaluates.
"""
import collections
import json
import os
import statistics
import sys
import time

from pyspark.sql import SparkSession, functions as F

csv, query, audit = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
t = time.time()
spark = (
    SparkSession.builder.master(f"local[{os.cpu_count() or 2}]")
    .appName("pipelint-bench")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.ansi.enabled", "true")
    .config("spark.sql.caseSensitive", "true")
    .config("spark.sql.codegen.wholeStage", "false")
    .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "6g"))
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
start = time.time() - t
t = time.time()
raw = (
    spark.read.option("header", True)
    .option("multiLine", True)
    .option("escape", '"')
    .option("inferSchema", False)
    .csv(csv)
)
# The file's order: Spark reads a file's splits in order and numbers rows within each.
deals = raw.withColumn("pl_order", F.monotonically_increasing_id())
deals.cache().createOrReplaceTempView("deals")
loaded = deals.count()
load = time.time() - t
times, rows = [], []
for i in range(runs):
    t = time.time()
    if i == 0:
        rows = spark.sql(query).collect()
    else:
        spark.sql(query).count()
    times.append(time.time() - t)
print(
    f"spark {spark.version} local[{os.cpu_count()}]: session {start:.1f} s; load {load:.2f} s "
    f"({loaded} rows); findings query {statistics.median(times):.2f} s (median of {runs}), "
    f"{len(rows)} findings"
)
evaluated = query.split("\n")[1].split(": ", 1)[1].split()
engine = collections.Counter(
    (f["code"], f["record_id"]) for f in json.load(open(audit))["findings"] if f["code"] in evaluated
)
sql = collections.Counter((r["code"], r["record_id"]) for r in rows)
print(
    f"against the audit: {sum((engine - sql).values())} missing, {sum((sql - engine).values())} "
    f"extra, of {sum(engine.values())} findings of the codes it evaluates"
)
