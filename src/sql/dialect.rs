//! What differs between the warehouses a rule set compiles for: how identifiers and string
//! literals are quoted, how a cell is trimmed and lower-cased, how a regular expression is
//! matched against a whole value. Everything a rules file or a header supplies reaches the
//! query through [`Dialect::ident`] or [`Dialect::literal`], never spliced in raw.

use clap::ValueEnum;

/// A SQL dialect `pipelint sql` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    Duckdb,
    Postgres,
    Snowflake,
    Bigquery,
    /// Spark SQL 3.5+ and 4.x (what Databricks SQL runs), under ANSI mode or not.
    Spark,
}

/// The characters `trim_cell` takes off a value's edges: Rust's `char::is_whitespace` set
/// and the byte-order mark.
const TRIMMED: &[u32] = &[
    0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
    0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF,
];

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Snowflake => "snowflake",
            Dialect::Bigquery => "bigquery",
            Dialect::Spark => "spark",
        }
    }

    /// An identifier, quoted: any header, however hostile, names one column.
    pub(crate) fn ident(self, name: &str) -> String {
        // NUL cannot appear in an identifier in any of the four; no header holds one after
        // reading, but a rules file could.
        let name = name.replace('\0', "");
        match self {
            Dialect::Bigquery => format!("`{}`", escape_backslashed(&name, '`')),
            // Spark doubles a backtick inside one and reads no escapes there.
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal holding exactly `text`.
    pub(crate) fn literal(self, text: &str) -> String {
        let text = text.replace('\0', "");
        match self {
            // Snowflake, BigQuery and Spark read backslash escapes inside single quotes (and
            // Spark joins two adjacent literals, so a doubled quote would not be one).
            Dialect::Snowflake | Dialect::Bigquery | Dialect::Spark => {
                format!("'{}'", escape_backslashed(&text, '\''))
            }
            // DuckDB and PostgreSQL (standard_conforming_strings) take backslashes as they are.
            Dialect::Duckdb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// A table name as given (`schema.table` is split on dots, each part quoted). A dbt
    /// relation (`{{ ref('opportunities') }}`) is written as it is, for dbt to fill in.
    pub(crate) fn table(self, name: &str) -> String {
        let name = name.trim();
        if name.starts_with("{{") && name.ends_with("}}") && !name.contains(';') {
            return name.to_string();
        }
        name.split('.')
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The set of characters a cell is trimmed of, as an expression.
    pub(crate) fn trim_set(self) -> String {
        match self {
            Dialect::Bigquery => format!(
                "CODE_POINTS_TO_STRING([{}])",
                TRIMMED
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            // Spark's CHR takes its argument modulo 256: the characters as escapes.
            Dialect::Spark => format!(
                "'{}'",
                TRIMMED
                    .iter()
                    .map(|c| format!("\\u{c:04X}"))
                    .collect::<String>()
            ),
            _ => TRIMMED
                .iter()
                .map(|c| format!("CHR({c})"))
                .collect::<Vec<_>>()
                .join(" || "),
        }
    }

    /// `expr` (text, maybe NULL) trimmed as the engine trims a cell; NULL reads as empty.
    /// As in the engine, an empty value, and a value that starts and ends with a printable
    /// ASCII character, is taken as it is: trimming by a set of characters is slow (on
    /// DuckDB, five times the rest of the step), and most cells need none.
    pub(crate) fn trimmed(self, expr: &str, set: &str) -> String {
        let text = format!("COALESCE({}, '')", self.as_text(expr));
        let trim = match self {
            Dialect::Postgres | Dialect::Spark => format!("BTRIM({text}, {set})"),
            _ => format!("TRIM({text}, {set})"),
        };
        let code = |e: String| match self {
            Dialect::Duckdb => format!("UNICODE({e})"),
            // Spark's ASCII is the first character's code point.
            Dialect::Postgres | Dialect::Spark => format!("ASCII({e})"),
            Dialect::Snowflake | Dialect::Bigquery => format!("UNICODE({e})"),
        };
        format!(
            "CASE WHEN {text} = '' THEN '' WHEN {first} BETWEEN 33 AND 126 AND {last} BETWEEN 33 AND 126 THEN {text} ELSE {trim} END",
            first = code(text.clone()),
            last = code(format!("RIGHT({text}, 1)")),
        )
    }

    /// The exact decimal type numbers are read into.
    pub(crate) fn decimal_type(self) -> &'static str {
        match self {
            Dialect::Duckdb => "DECIMAL(38, 10)",
            Dialect::Postgres => "NUMERIC(38, 10)",
            Dialect::Snowflake => "NUMBER(38, 10)",
            Dialect::Bigquery => "BIGNUMERIC",
            Dialect::Spark => "DECIMAL(38, 10)",
        }
    }

    /// The double-precision float type's name (completeness is computed in it, as the
    /// engine computes it in an `f64`).
    pub(crate) fn float_type(self) -> &'static str {
        match self {
            Dialect::Duckdb | Dialect::Snowflake | Dialect::Spark => "DOUBLE",
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Bigquery => "FLOAT64",
        }
    }

    /// What makes a CTE a fence, computed once and read as a table: PostgreSQL (12 and
    /// later) otherwise pulls a CTE read once up into the query that reads it, and a chain
    /// of them into one level whose expressions each repeat the ones below (a `--summary`
    /// query on a five-row table took 20 GB). The other engines keep a CTE's expressions
    /// as computed columns.
    pub(crate) fn fence(self) -> &'static str {
        match self {
            Dialect::Postgres => " MATERIALIZED",
            _ => "",
        }
    }

    /// What makes a CTE that several parts of a query read computed once: DuckDB
    /// otherwise computes it again for each (a `--summary` query on 1M rows took 16–18 s
    /// with its deal rows computed five times, 10–11 s with them computed once); PostgreSQL
    /// does so by default and is told anyway. The other engines have no such syntax.
    pub(crate) fn shared(self) -> &'static str {
        match self {
            Dialect::Duckdb | Dialect::Postgres => " MATERIALIZED",
            _ => "",
        }
    }

    /// The text type's name.
    pub(crate) fn text_type(self) -> &'static str {
        match self {
            Dialect::Bigquery | Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    /// A column as text, whatever the warehouse typed it.
    fn as_text(self, expr: &str) -> String {
        match self {
            Dialect::Bigquery | Dialect::Spark => format!("CAST({expr} AS STRING)"),
            Dialect::Snowflake => format!("TO_VARCHAR({expr})"),
            Dialect::Duckdb | Dialect::Postgres => format!("CAST({expr} AS VARCHAR)"),
        }
    }

    /// A regular expression as this engine's regex library spells it: Spark's (Java's)
    /// reads `[[:alnum:]]` as a set of the letters `:alnum`, so the POSIX classes the
    /// compiled patterns use become Java's (ASCII, as RE2 and the engine read them).
    pub(crate) fn regex(self, pattern: &str) -> String {
        if self != Dialect::Spark {
            return pattern.to_string();
        }
        [
            ("[:alnum:]", "\\p{Alnum}"),
            ("[:alpha:]", "\\p{Alpha}"),
            ("[:digit:]", "\\d"),
            ("[:space:]", "\\s"),
            ("[:punct:]", "\\p{Punct}"),
            ("[:upper:]", "\\p{Upper}"),
            ("[:lower:]", "\\p{Lower}"),
        ]
        .iter()
        .fold(pattern.to_string(), |p, (posix, java)| {
            p.replace(posix, java)
        })
    }

    /// `expr` without the trailing `ch` characters.
    pub(crate) fn trim_end(self, expr: &str, ch: char) -> String {
        let set = self.literal(&ch.to_string());
        match self {
            // Spark's two-argument RTRIM takes the set first (and is deprecated).
            Dialect::Spark => format!("TRIM(TRAILING {set} FROM {expr})"),
            _ => format!("RTRIM({expr}, {set})"),
        }
    }

    /// Whether the whole of `expr` matches the regular expression `pattern` (as the rules
    /// wrote it, without the engine's anchors).
    pub(crate) fn full_match(self, expr: &str, pattern: &str) -> String {
        let pattern = &self.regex(pattern);
        let anchored = format!("^(?:{pattern})$");
        match self {
            Dialect::Duckdb => format!("regexp_full_match({expr}, {})", self.literal(pattern)),
            Dialect::Postgres => format!("({expr} ~ {})", self.literal(&anchored)),
            // REGEXP_LIKE matches the whole subject.
            Dialect::Snowflake => format!("REGEXP_LIKE({expr}, {})", self.literal(pattern)),
            Dialect::Bigquery => format!("REGEXP_CONTAINS({expr}, {})", self.literal(&anchored)),
            // Java's `$` also matches before a last line break: `\z` is the very end.
            Dialect::Spark => format!(
                "({expr} RLIKE {})",
                self.literal(&format!("^(?:{pattern})\\z"))
            ),
        }
    }
}

impl Dialect {
    /// Whole days from `from` to `to` (two DATE expressions).
    pub(crate) fn days_between(self, from: &str, to: &str) -> String {
        match self {
            Dialect::Duckdb => format!("date_diff('day', {from}, {to})"),
            Dialect::Postgres => format!("({to} - {from})"),
            Dialect::Snowflake => format!("DATEDIFF(day, {from}, {to})"),
            Dialect::Bigquery => format!("DATE_DIFF({to}, {from}, DAY)"),
            Dialect::Spark => format!("DATEDIFF({to}, {from})"),
        }
    }

    /// A date literal.
    pub(crate) fn date(self, day: chrono::NaiveDate) -> String {
        format!("DATE '{day}'")
    }

    /// A table of constant text pairs with the columns `names`, as a query: the lookup a
    /// rules file names, compiled in. BigQuery has no `VALUES` table, so it unnests an array
    /// of structs; Snowflake takes at most 16,384 rows in one `VALUES`, so longer lists are
    /// joined from parts.
    pub(crate) fn text_pairs(self, names: [&str; 2], rows: &[(&str, &str)]) -> String {
        let [a, b] = names;
        let row = |(x, y): &(&str, &str)| format!("({}, {})", self.literal(x), self.literal(y));
        match self {
            Dialect::Bigquery => format!(
                "SELECT * FROM UNNEST(ARRAY<STRUCT<{a} STRING, {b} STRING>>[\n    {}\n  ])",
                rows.iter().map(row).collect::<Vec<_>>().join(",\n    ")
            ),
            _ => rows
                .chunks(VALUES_ROWS)
                .map(|part| {
                    format!(
                        "SELECT * FROM (VALUES\n    {}\n  ) AS pl_values ({a}, {b})",
                        part.iter().map(row).collect::<Vec<_>>().join(",\n    ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n  UNION ALL\n  "),
        }
    }

    /// The numbers 1 to `n` as a table `name` of one column `column`, to join with.
    pub(crate) fn numbers(self, name: &str, column: &str, n: usize) -> String {
        match self {
            Dialect::Bigquery => format!("UNNEST(GENERATE_ARRAY(1, {n})) AS {column}"),
            _ => format!(
                "(VALUES {}) AS {name} ({column})",
                (1..=n)
                    .map(|i| format!("({i})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// `expr` with every match of `pattern` replaced by `with`.
    pub(crate) fn replace_all(self, expr: &str, pattern: &str, with: &str) -> String {
        let (p, w) = (self.literal(&self.regex(pattern)), self.literal(with));
        match self {
            Dialect::Duckdb | Dialect::Postgres => {
                format!("regexp_replace({expr}, {p}, {w}, 'g')")
            }
            Dialect::Snowflake | Dialect::Bigquery => format!("REGEXP_REPLACE({expr}, {p}, {w})"),
            // Java reads `$` and `\\` in the replacement as group references and escapes.
            Dialect::Spark => format!(
                "REGEXP_REPLACE({expr}, {p}, {})",
                self.literal(&with.replace('\\', "\\\\").replace('$', "\\$"))
            ),
        }
    }
}

/// Rows per `VALUES` list: under Snowflake's limit of 16,384.
const VALUES_ROWS: usize = 10_000;

fn escape_backslashed(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_closed_in_every_dialect() {
        let hostile = "x\"; DROP TABLE deals; --";
        assert_eq!(
            Dialect::Duckdb.ident(hostile),
            "\"x\"\"; DROP TABLE deals; --\""
        );
        assert_eq!(
            Dialect::Bigquery.ident("a`b\\"),
            "`a\\`b\\\\`",
            "a backtick and a backslash are escaped"
        );
        assert_eq!(Dialect::Postgres.literal("it's \\"), "'it''s \\'");
        assert_eq!(Dialect::Snowflake.literal("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Dialect::Bigquery.literal("a\nb"), "'a\\nb'");
        assert_eq!(Dialect::Duckdb.table("crm.deals"), "\"crm\".\"deals\"");
        assert_eq!(Dialect::Spark.ident("a`b\\"), "`a``b\\`");
        assert_eq!(Dialect::Spark.literal("it's \\\n"), "'it\\'s \\\\\\n'");
        assert_eq!(
            Dialect::Spark.table("main.sales.opportunities"),
            "`main`.`sales`.`opportunities`"
        );
    }

    #[test]
    fn a_table_of_text_pairs_is_written_for_each_dialect() {
        let rows = [("005A", "Ann O'Hara"), ("7", "Bo")];
        assert_eq!(
            Dialect::Postgres.text_pairs(["k", "v"], &rows),
            "SELECT * FROM (VALUES\n    ('005A', 'Ann O''Hara'),\n    ('7', 'Bo')\n  ) AS pl_values (k, v)"
        );
        assert_eq!(
            Dialect::Bigquery.text_pairs(["k", "v"], &rows),
            "SELECT * FROM UNNEST(ARRAY<STRUCT<k STRING, v STRING>>[\n    ('005A', 'Ann O\\'Hara'),\n    ('7', 'Bo')\n  ])"
        );
        let many: Vec<(String, String)> = (0..VALUES_ROWS + 1)
            .map(|i| (i.to_string(), format!("n{i}")))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let q = Dialect::Snowflake.text_pairs(["k", "v"], &many);
        assert_eq!(q.matches("UNION ALL").count(), 1);
        assert!(
            q.ends_with("('10000', 'n10000')\n  ) AS pl_values (k, v)"),
            "{}",
            &q[q.len() - 80..]
        );
    }
}
