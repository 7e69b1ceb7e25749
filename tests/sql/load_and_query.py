#!/usr/bin/env python3
"""Load a CSV export into a real SQL engine as table `deals` and run one query on it.

    python3 tests/sql/load_and_query.py --engine duckdb|postgres|spark --csv FILE --query FILE
        [--delimiter ,] [--encoding utf-8] [--only-lines FILE] [--empty null|text]
        [--dump] [--header-from RULES]
    python3 tests/sql/load_and_query.py --serve

The harness of tests/sql_engines.rs: it proves that the SQL `pipelint sql` writes finds what
`pipelint audit` finds, on the engines themselves rather than on a model of them.

Table `deals` has one TEXT column per header cell, named exactly as the header names it (the
name trimmed of surrounding spaces, as pipelint reads headers; a UTF-8 byte order mark
dropped), plus `pipelint_line` (BIGINT): the 1-based physical line where the record starts.
`\\n`, `\\r\\n` and a lone `\\r` each end a line, as in pipelint's reader, and blank lines
between records are skipped but counted.

--encoding is the encoding pipelint's JSON report names for the file (`inputs[].encoding`):
the text is decoded as pipelint decodes it, so that the table holds the text the engine
audited, as a warehouse holds text already decoded.

--only-lines names a file of line numbers (one a line): only the records starting on those
lines are loaded. The harness passes the lines of the deals `pipelint audit` read, so that rows
the engine sets aside as reading artefacts (a report footer, a totals row, a record with the
wrong number of fields: IN002, IN004) are not in the table, as they would not be in a
warehouse.

--empty says how an empty cell is stored: NULL (what COPY and DuckDB's CSV reader do, and what
a sync tool writes) or the empty string (what a loader that keeps text as text does). A
compiled query must treat both as missing; the harness runs each engine with one of them.

--dump reads a database dump as MySQL's `LOAD DATA ... ESCAPED BY '\\'` loads it: an unquoted
`\\N` cell is NULL and a backslash escapes the character after it. --header-from names the
columns of a file without a header row from a rules file's `[input] header`: its first row is
a record.

Prints each result row as a JSON object (keys = the result's column names; strings, integers or
null) on its own line. Exit status: 0 done, 2 the run failed (message on stderr), 3 the header
cannot be a table (a duplicated or empty column name: the message says which).

DuckDB runs in memory through the `duckdb` Python package (tests/sql/requirements.txt).
PostgreSQL is reached with `psql` alone (no Python driver), from the standard PG* environment
variables; the table is a TEMPORARY one, private to its psql session and gone when it ends, so
parallel runs never see each other's rows.

Spark runs through PySpark in local mode (`local[2]`, ANSI mode on, identifiers
case-sensitive as the others keep them), each export a DataFrame of string columns registered
as the temporary view `deals`. A Spark session takes seconds to start, so the harness starts
one loader with `--serve` for all its Spark cases: it reads one JSON array of the arguments
above per line on standard input and answers each with one JSON line on standard output,
`{"status": N, "stdout": "...", "stderr": "..."}`, what a run with those arguments would have
printed and exited with; the session lives as long as the process.
"""

import argparse
import codecs
import csv
import datetime
import decimal
import json
import os
import re
import subprocess
import sys
import tempfile

# A long note or description is one field; the module's default limit is 128 kB.
csv.field_size_limit(sys.maxsize)

EXIT_FAILED = 2
EXIT_BAD_HEADER = 3

LINE_COLUMN = "pipelint_line"

# Postgres truncates identifiers to NAMEDATALEN - 1 bytes (63 in a default build).
PG_MAX_IDENTIFIER = 63


class Failure(Exception):
    """The run cannot go on; the message says why."""

    def __init__(self, message, status=EXIT_FAILED):
        super().__init__(message)
        self.status = status


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def physical_lines(text):
    """Yield the text's physical lines, each with its line break, as pipelint counts them:
    `\\n`, `\\r\\n` and a lone `\\r` each end one."""
    start = 0
    for m in LINE_BREAK.finditer(text):
        yield text[start : m.end()]
        start = m.end()
    if start < len(text):
        yield text[start:]


class LineCounting:
    """An iterator of physical lines for csv.reader that knows the line being read."""

    def __init__(self, text):
        self._lines = physical_lines(text)
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self._lines)
        self.line += 1
        return line


def c1_as_is(error):
    """WHATWG's windows-1252 (what pipelint decodes with) reads the five bytes Python's cp1252
    leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as the C1 controls of the same number."""
    bad = error.object[error.start : error.end]
    return "".join(chr(b) if 0x80 <= b <= 0x9F else "\ufffd" for b in bad), error.end


codecs.register_error("pipelint_c1", c1_as_is)


class Decoding:
    """How the file's text is decoded, as pipelint decodes it (input/encoding.rs).

    UTF-8 (with or without a byte order mark) and UTF-16 are decoded as a whole before the
    CSV is parsed. A legacy single- or multi-byte encoding (windows-1252, ...) is not: the
    bytes are parsed (delimiters, quotes and line breaks are ASCII in all of them), then each
    cell is read as UTF-8 when it is, else in the legacy encoding."""

    def __init__(self, name):
        name = (name or "utf-8").lower()
        self.stream = None
        self.legacy = None
        if name in ("utf-8", "utf-8-bom", "utf8"):
            self.stream = "utf-8"
        elif name in ("utf-16le", "utf-16be"):
            self.stream = name
        else:
            try:
                self.legacy = codecs.lookup(name).name
            except LookupError:
                raise Failure(f"unknown encoding {name!r}")

    def text(self, path, raw):
        """The file as text to parse: decoded, or each byte as the code point of its value."""
        if self.legacy is not None:
            return raw.decode("latin-1")
        if self.stream == "utf-8":
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as e:
                line = raw[: e.start].count(b"\n") + 1
                raise Failure(
                    f"{path}: not UTF-8 (byte 0x{raw[e.start]:02x} on line {line}); "
                    "pass the encoding pipelint reports with --encoding"
                )
        text = raw.decode(self.stream, errors="replace")
        return text[1:] if text.startswith("\ufeff") else text

    def cells(self, cells):
        if self.legacy is None:
            return cells
        # A record that is UTF-8 as a whole has UTF-8 cells (cells split at ASCII bytes), so
        # deciding cell by cell reads it the same.
        return [self.cell(c.encode("latin-1")) for c in cells]

    def cell(self, raw):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            errors = "pipelint_c1" if self.legacy == "cp1252" else "replace"
            return raw.decode(self.legacy, errors=errors)


# An unquoted `\N` cell of a dump: at a line's or a field's start, up to its end.
def dump_nulls(text, delimiter):
    """The text with a dump's NULL cells (`\\N`) emptied, lines kept."""
    d = re.escape(delimiter)
    return re.sub(rf"(?m)(?:(?<=^)|(?<={d}))\\N(?={d}|\r|$)", "", text)


def read_records(path, delimiter, decoding, dump=False, header=None):
    """The header (trimmed cells) and the records, each as (starting line, cells). A dump
    is read with its NULLs empty and backslash escapes; `header` names the columns of a file
    whose first row is a record."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise Failure(f"cannot read {path}: {e.strerror}")
    text = decoding.text(path, raw)
    if decoding.legacy is not None and text.startswith("\xef\xbb\xbf"):
        # A UTF-8 byte order mark before legacy text (read byte for byte here).
        text = text[3:]
    if dump:
        text = dump_nulls(text, delimiter)
    source = LineCounting(text)
    if dump:
        reader = csv.reader(source, delimiter=delimiter, strict=False, escapechar="\\")
    else:
        reader = csv.reader(source, delimiter=delimiter, strict=False)
    records = []
    while True:
        # csv.reader pulls exactly the lines of one record, so the record starts on the line
        # after the last one pulled before it.
        start = source.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise Failure(f"{path}: line {source.line}: {e}")
        if not cells:
            # A blank line: skipped, as pipelint's reader skips it, but counted.
            continue
        cells = decoding.cells(cells)
        if header is None:
            header = [c.strip() for c in cells]
        else:
            records.append((start, cells))
    if header is None:
        raise Failure(f"{path} is empty: there is no header row")
    return header, records


def check_header(path, header, engine):
    """Refuse a header that cannot be a table's columns, naming the cells."""
    seen = {}
    for i, name in enumerate(header, start=1):
        if name == "":
            raise Failure(
                f"{path}: header column {i} is empty; a table column needs a name",
                EXIT_BAD_HEADER,
            )
        if name == LINE_COLUMN:
            raise Failure(
                f"{path}: header column {i} is named {LINE_COLUMN}, the column the loader adds",
                EXIT_BAD_HEADER,
            )
        if engine == "duckdb":
            # DuckDB's identifiers are case-insensitive even when quoted.
            key = name.lower()
        elif engine == "spark":
            # The session is case-sensitive, and a name is as long as it is.
            key = name
        else:
            # PostgreSQL keeps a quoted name's case but cuts it to 63 bytes.
            key = name.encode("utf-8")[:PG_MAX_IDENTIFIER]
        if key in seen:
            raise Failure(
                f"{path}: header columns {seen[key]} and {i} ({header[seen[key] - 1]!r}, "
                f"{name!r}) name the same {engine} column",
                EXIT_BAD_HEADER,
            )
        seen[key] = i


def quote_identifier(name):
    """A double-quoted identifier: the same escaping in DuckDB and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def wanted_lines(path):
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return {int(s) for s in f.read().split()}
    except (OSError, ValueError) as e:
        raise Failure(f"cannot read the line list {path}: {e}")


def table_rows(header, records, lines, empty_as_null):
    """The records to load, each fitted to the header's width, with its line last."""
    width = len(header)
    if lines is not None:
        # A line where no record starts: the loader and the engine read the file differently,
        # and loading fewer rows quietly would hide it.
        unknown = sorted(lines - {line for line, _ in records})
        if unknown:
            shown = ", ".join(str(n) for n in unknown[:5])
            raise Failure(f"no record starts on line {shown} (of --only-lines)")
    for line, cells in records:
        if lines is not None and line not in lines:
            continue
        cells = list(cells[:width]) + [""] * (width - len(cells))
        if empty_as_null:
            cells = [None if c == "" else c for c in cells]
        yield cells + [line]


def create_table_sql(header, temporary):
    columns = ", ".join(f"{quote_identifier(h)} TEXT" for h in header)
    kind = "TEMPORARY TABLE" if temporary else "TABLE"
    return f"CREATE {kind} deals ({columns}, {LINE_COLUMN} BIGINT)"


def json_value(v):
    if v is None or isinstance(v, (str, int, bool)):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else str(v)
    if isinstance(v, (datetime.date, datetime.datetime, datetime.time)):
        return v.isoformat()
    return str(v)


_SPARK = None


def spark_session():
    """The one Spark session of this process, started on first use."""
    global _SPARK
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise Failure(
                "the pyspark package is not installed: pip install -r tests/sql/requirements.txt "
                "(and a Java 17 runtime)"
            )
        _SPARK = (
            SparkSession.builder.master("local[2]")
            .appName("pipelint-sql-engines")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.ansi.enabled", "true")
            .config("spark.sql.caseSensitive", "true")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            # The compiled query is one very wide expression: whole-stage code generation
            # exceeds the JVM's method size and falls back after seconds of trying.
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def run_spark(header, rows, query):
    spark = spark_session()
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType(
        [StructField(h, StringType(), True) for h in header]
        + [StructField(LINE_COLUMN, LongType(), False)]
    )
    # One statement, as for the others: Spark's parser takes exactly one.
    try:
        frame = spark.createDataFrame(list(rows), schema)
        frame.createOrReplaceTempView("deals")
        result = spark.sql(query)
        names = result.columns
        collected = result.collect()
    except Exception as e:  # Spark's errors come through py4j as many classes
        first = str(e).strip().splitlines()
        raise Failure(f"spark: {first[0] if first else type(e).__name__}")
    return [{n: json_value(v) for n, v in zip(names, r)} for r in collected]


def run_duckdb(header, rows, query):
    try:
        import duckdb
    except ImportError:
        raise Failure(
            "the duckdb Python package is not installed: pip install -r tests/sql/requirements.txt"
        )
    con = duckdb.connect(":memory:")
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as e:
        raise Failure(f"duckdb cannot parse the query: {e}")
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        kinds = ", ".join(str(s.type) for s in statements) or "none"
        raise Failure(f"the query must be one SELECT statement; it holds: {kinds}")
    con.execute(create_table_sql(header, temporary=False))
    placeholders = ", ".join("?" for _ in range(len(header) + 1))
    insert = f"INSERT INTO deals VALUES ({placeholders})"
    rows = list(rows)
    try:
        if rows:
            con.executemany(insert, rows)
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        result = cur.fetchall()
    except duckdb.Error as e:
        raise Failure(f"duckdb: {e}")
    return [{n: json_value(v) for n, v in zip(names, r)} for r in result]


def copy_value(v):
    """One value of COPY's CSV: quoted, so that no line of the data is ever read as COPY's
    `\\.` end marker and an empty string stays distinct from NULL (an unquoted empty field).

    PostgreSQL's text cannot hold NUL; like the sync tools that land exports in a warehouse,
    the loader drops it (a Salesforce export's rich-text fields start with one)."""
    if v is None:
        return ""
    return '"' + str(v).replace("\0", "").replace('"', '""') + '"'


def run_postgres(header, rows, query):
    body = query.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    if not body:
        raise Failure("the query is empty")
    with tempfile.TemporaryDirectory(prefix="pipelint-sql-") as tmp:
        data = os.path.join(tmp, "deals.csv")
        with open(data, "w", encoding="utf-8", newline="") as f:
            for row in rows:
                f.write(",".join(copy_value(v) for v in row) + "\n")
        script = os.path.join(tmp, "run.sql")
        with open(script, "w", encoding="utf-8") as f:
            f.write(create_table_sql(header, temporary=True) + ";\n")
            f.write(f"\\copy deals FROM '{data}' WITH (FORMAT csv)\n")
            # Each row as one JSON object: keys are the column names and values keep their
            # types (NULL stays null, BIGINT a number), and the wrapping makes anything but
            # one SELECT a syntax error. The newline keeps a trailing `--` comment closed.
            f.write(f"SELECT row_to_json(q)::text FROM (\n{body}\n) AS q;\n")
        env = dict(os.environ, PGCLIENTENCODING="UTF8")
        try:
            done = subprocess.run(
                ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", script],
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=600,
            )
        except FileNotFoundError:
            raise Failure("psql is not on PATH: install PostgreSQL's client")
        except subprocess.TimeoutExpired:
            raise Failure("psql did not finish within 10 minutes")
        if done.returncode != 0:
            raise Failure(f"psql exited with {done.returncode}:\n{done.stderr.strip()}")
    out = []
    for line in done.stdout.splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                raise Failure(f"psql printed a line that is not a JSON row: {line!r}")
    return out


def run(argv, out):
    """One load and query: the rows written to `out`; the exit status."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--engine", required=True, choices=["duckdb", "postgres", "spark"])
    p.add_argument("--csv", required=True, help="the export (UTF-8)")
    p.add_argument("--query", required=True, help="a file holding one SELECT")
    p.add_argument("--delimiter", default=",", help="one character, or `tab`")
    p.add_argument("--only-lines", help="a file of record lines to load (default: all)")
    p.add_argument("--empty", choices=["null", "text"], default="null")
    p.add_argument("--dump", action="store_true", help="a database dump: \\N is NULL")
    p.add_argument("--header-from", help="a rules file whose [input] header names the columns")
    p.add_argument(
        "--encoding",
        default="utf-8",
        help="as pipelint's JSON report names it: utf-8 (default), utf-8-bom, utf-16le, "
        "windows-1252, ...",
    )
    args = p.parse_args(argv)
    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    try:
        if len(delimiter) != 1:
            raise Failure(f"--delimiter must be one character, not {args.delimiter!r}")
        try:
            with open(args.query, encoding="utf-8") as f:
                query = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise Failure(f"cannot read the query {args.query}: {e}")
        header = None
        if args.header_from:
            import tomllib

            with open(args.header_from, "rb") as f:
                header = tomllib.load(f)["input"]["header"]
        header, records = read_records(
            args.csv, delimiter, Decoding(args.encoding), args.dump, header
        )
        check_header(args.csv, header, args.engine)
        rows = table_rows(header, records, wanted_lines(args.only_lines), args.empty == "null")
        if args.engine == "duckdb":
            result = run_duckdb(header, rows, query)
        elif args.engine == "spark":
            result = run_spark(header, rows, query)
        else:
            result = run_postgres(header, list(rows), query)
    except Failure as e:
        print(f"load_and_query: {e}", file=sys.stderr)
        return e.status
    for row in result:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def serve():
    """Answer one request (a JSON array of arguments) per line of standard input."""
    import contextlib
    import io

    answers = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(err), contextlib.redirect_stderr(err):
            try:
                status = run(json.loads(line), out)
            except SystemExit as e:  # argparse's own exit on bad arguments
                status = e.code if isinstance(e.code, int) else EXIT_FAILED
            except Exception as e:
                print(f"load_and_query: {type(e).__name__}: {e}", file=sys.stderr)
                status = EXIT_FAILED
        answers.write(
            json.dumps({"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()})
            + "\n"
        )
        answers.flush()
    return 0


def main(argv):
    if argv == ["--serve"]:
        return serve()
    return run(argv, sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
