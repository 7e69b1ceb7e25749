//! The record reader's tests: lines, quoting, cut cells and fields, bounded reads, and
//! properties over arbitrary bytes.

use super::*;

fn rows(data: &str) -> Vec<(u64, Vec<String>)> {
    let mut r = RecordReader::new(data.as_bytes(), b',');
    let mut rows = Rows::default();
    while r.read_into(&mut rows).unwrap() {}
    rows.iter()
        .map(|row| {
            let fields = row
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            (row.line, fields)
        })
        .collect()
}

#[test]
fn lines_are_physical_start_lines() {
    let lf = rows("a,b\n1,2\n\n3,4\n\"x\ny\",5\n6,7");
    let lines: Vec<u64> = lf.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![1, 2, 4, 5, 7]);
    assert_eq!(lf[3].1[0], "x\ny");

    let crlf = rows("a,b\r\n1,2\r\n\r\n3,4\r\n\"x\r\ny\",5\r\n6,7\r\n");
    let lines: Vec<u64> = crlf.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![1, 2, 4, 5, 7]);

    // Old Mac line endings (lone CR), and a mix of all three.
    let cr = rows("a,b\r1,2\r\r3,4\r");
    let lines: Vec<u64> = cr.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![1, 2, 4]);
    let mixed = rows("a,b\n1,2\r\n3,4\r5,6\n\"q\rr\",7\n8,9");
    let lines: Vec<u64> = mixed.iter().map(|r| r.0).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5, 7]);
}

/// Each record's quoting, read through a buffer of `capacity` bytes (1: every byte is a
/// chunk of its own, so state carried across chunks is exercised).
fn quoting(data: &str, capacity: usize) -> Vec<(Vec<String>, Quoting)> {
    let input = std::io::BufReader::with_capacity(capacity, data.as_bytes());
    let mut r = RecordReader::new(input, b',');
    let mut rows = Rows::default();
    while r.read_into(&mut rows).unwrap() {}
    rows.iter()
        .map(|row| {
            let fields = row.iter().map(|f| String::from_utf8_lossy(f).into_owned());
            (fields.collect(), row.quoting)
        })
        .collect()
}

#[test]
fn malformed_quotes_are_noted_with_their_field_and_values_kept() {
    let data = "a,b,c\n1,ab\"c,x\n\"abc\"def,2,3\n\"ok\",\"a\"\"b\",\"x,\ny\"\r\n\"\",\"\"\"\",z\n4,5, \"c\"\n";
    for capacity in [1, 2, 3, 7, 4096] {
        let q = quoting(data, capacity);
        let malformed: Vec<Option<u32>> = q.iter().map(|r| r.1.malformed).collect();
        assert_eq!(
            malformed,
            vec![None, Some(1), Some(0), None, None, Some(2)],
            "capacity {capacity}"
        );
        assert_eq!(q[1].0, vec!["1", "ab\"c", "x"]);
        assert_eq!(q[2].0, vec!["abcdef", "2", "3"]);
        assert_eq!(q[3].0, vec!["ok", "a\"b", "x,\ny"]);
        assert_eq!(q[4].0, vec!["", "\"", "z"]);
        assert!(q.iter().all(|r| r.1.unclosed.is_none()));
    }
}

#[test]
fn an_unclosed_quote_is_placed_where_it_opened() {
    let data = "a,b,c\n1,\"two\nlines\",3\n4,5,\"open\n6,7,8\n";
    for capacity in [1, 5, 4096] {
        let q = quoting(data, capacity);
        assert_eq!(q.len(), 3, "capacity {capacity}");
        assert_eq!(q[1].1.unclosed, None);
        assert_eq!(q[2].1.unclosed, Some((4, 5)), "capacity {capacity}");
    }
    // Opened after a multi-line value on the same record, on CRLF lines.
    let q = quoting("a,b\r\n\"x\r\ny\",\"never\r\nz\r\n", 3);
    assert_eq!(q[1].1.unclosed, Some((3, 4)));
    // A quoted last value with no line break after it is closed.
    assert_eq!(quoting("a,b\n1,\"x\"", 1)[1].1.unclosed, None);
}

/// csv-spectrum (max-mapper/csv-spectrum, see /work/shared/suites/README.md): every CSV
/// read by this reader gives, record for record, the objects its JSON twin lists.
#[test]
fn csv_spectrum_reads_record_for_record() {
    let suite = std::path::Path::new("/work/shared/suites/csv-spectrum");
    let mut files: Vec<_> = std::fs::read_dir(suite.join("csvs"))
        .expect("the csv-spectrum suite at /work/shared/suites/csv-spectrum")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 12, "{files:?}");
    for csv in files {
        let stem = csv.file_stem().and_then(|s| s.to_str()).expect("name");
        let bytes = std::fs::read(&csv).expect("read csv");
        let mut reader = RecordReader::new(bytes.as_slice(), b',');
        let mut rows = Rows::default();
        while reader.read_into(&mut rows).expect("read") {}
        let mut records = rows.iter().map(|r| {
            (0..r.len())
                .map(|i| r.text(i).into_owned())
                .collect::<Vec<_>>()
        });
        let header = records.next().expect("a header");
        let got: Vec<serde_json::Map<String, serde_json::Value>> = records
            .map(|r| {
                header
                    .iter()
                    .cloned()
                    .zip(r.into_iter().map(serde_json::Value::String))
                    .collect()
            })
            .collect();
        let json = std::fs::read_to_string(suite.join("json").join(format!("{stem}.json")))
            .expect("read json");
        // One file holds a single object rather than a list of them.
        let mut want = match serde_json::from_str(&json).expect("json") {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        if stem == "location_coordinates" {
            // The suite's README: "json/location_coordinates.json holds a phone number
            // that is not the one in its CSV" (upstream's mistake). Check that it is
            // still the mistake, then expect what the CSV says.
            let phone = &mut want[0]["Contact Phone Number"];
            assert_eq!(phone, "1234567890");
            *phone = "2095257564".into();
        }
        let want: Vec<serde_json::Value> = want;
        let got: Vec<serde_json::Value> = got.into_iter().map(Into::into).collect();
        assert_eq!(got, want, "{stem}");
    }
}

#[test]
fn strips_utf8_bom_and_keeps_ragged_rows() {
    let r = rows("\u{feff}a,b\n1\n2,3,4\n");
    assert_eq!(r[0].1, vec!["a", "b"]);
    assert_eq!(r[1].1.len(), 1);
    assert_eq!(r[2].1.len(), 3);
}

#[test]
fn bom_before_blank_lines_keeps_the_header_line() {
    let r = rows("\u{feff}\n\nid,stage\n1,A\n");
    assert_eq!((r[0].0, r[0].1[0].as_str()), (3, "id"));
    assert_eq!(r[1].0, 4);
}

fn stream(data: &str, header_len: usize) -> (Vec<u64>, Option<(u64, u64)>) {
    let reader = RecordReader::new(std::io::Cursor::new(data.as_bytes().to_vec()), b',');
    let stream = BatchStream::spawn(reader, 3, header_len);
    let (mut lines, mut footer) = (Vec::new(), None);
    for batch in stream.batches.iter() {
        let batch = batch.unwrap();
        lines.extend(batch.rows.iter().map(|r| r.line));
        footer = footer.or(batch.footer);
    }
    (lines, footer)
}

#[test]
fn salesforce_footer_is_dropped_and_counted() {
    let data = "1,a\n2,b\n3,c\n4,d\n\n\"Pipeline Report\"\n\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n\"Confidential Information - Do Not Distribute\"\n\"Generated By:  Jane Doe  11/20/2026 9:15 AM\"\n\"Acme Corp\"\n";
    assert_eq!(stream(data, 2), (vec![1, 2, 3, 4], Some((5, 6))));
}

#[test]
fn an_unquoted_comma_in_the_footer_does_not_hide_it() {
    let data = "1,a,x\n2,b,y\n\nPipeline\nCopyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\nAcme, Inc.\n";
    assert_eq!(stream(data, 3), (vec![1, 2], Some((3, 4))));
    // Short rows at the end without a footer marker are rows (IN002 downstream).
    assert_eq!(stream("1,a,x\n2,b\n3\n", 3), (vec![1, 2, 3], None));
}

#[test]
fn single_cell_lines_that_are_not_a_footer_stay_rows() {
    // A stray one-cell line mid-file, and one-cell lines at the end without a marker.
    let (lines, footer) = stream("1,a\nnote\n2,b\n3,c\nx\ny\n", 2);
    assert_eq!((lines, footer), (vec![1, 2, 3, 4, 5, 6], None));
    // A one-column file holds nothing back.
    assert_eq!(
        stream("a\nb\nCopyright (c) salesforce.com\n", 1).0,
        vec![1, 2, 3]
    );
}

#[test]
fn long_fields_grow_buffers() {
    let long = "x".repeat(60_000);
    let many = vec!["f"; 500].join(",");
    let r = rows(&format!("{long},{many}\n"));
    assert_eq!(r[0].1[0].len(), 60_000);
    assert_eq!(r[0].1.len(), 501);
}

#[test]
fn batches_arrive_in_order() {
    let mut data = String::from("h\n");
    for i in 0..10_000 {
        data.push_str(&format!("{i}\n"));
    }
    let reader = RecordReader::new(std::io::Cursor::new(data.into_bytes()), b',');
    let stream = BatchStream::spawn(reader, 64, 1);
    let mut seen = Vec::new();
    for batch in stream.batches.iter() {
        let batch = batch.unwrap();
        seen.extend(batch.rows.iter().map(|r| r.line));
        let _ = stream.recycle.send(batch);
    }
    assert_eq!(seen.len(), 10_001);
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1));
}

/// A reader handing over `n` bytes of `byte` after `head` and before `tail`, and
/// counting how many it handed over: a cell of any size without holding it.
fn long_cell(head: &str, byte: u8, n: u64, tail: &str) -> impl BufRead {
    let body = io::Read::take(io::repeat(byte), n);
    let all = io::Read::chain(io::Read::chain(head.as_bytes(), body), tail.as_bytes());
    io::BufReader::with_capacity(64 << 10, all)
}

#[test]
fn a_huge_cell_streams_through_the_reader_cut_to_64_kb() {
    // A 1 GiB cell was held whole (twice, while the buffer doubled): 3.2 GB to audit.
    let n = 40_000_000;
    let input = long_cell("a,b,c\n1,", b'x', n, ",3\n4,5,6\n");
    let mut r = RecordReader::new(input, b',');
    let mut rows = Rows::default();
    while r.read_into(&mut rows).expect("read") {}
    assert!(
        rows.data.len() < 1 << 20,
        "the batch grew to {} bytes for one cell",
        rows.data.len()
    );
    let row = rows.get(1).expect("the long row");
    assert_eq!(row.len(), 3);
    let cell = row.get(1).expect("the long cell");
    assert!(cell.len() <= MAX_CELL, "{}", cell.len());
    let text = String::from_utf8(cell.to_vec()).expect("utf-8");
    assert!(text.starts_with("xxxx"));
    assert!(
        text.ends_with(&cut_marker(n)),
        "{}",
        &text[text.len() - 100..]
    );
    assert!(text.contains("40,000,000 bytes"));
    assert_eq!((row.get(0), row.get(2)), (Some(&b"1"[..]), Some(&b"3"[..])));
    assert_eq!(
        row.cut,
        CutCells {
            count: 1,
            first: Some(1)
        }
    );
    let next = rows.get(2).expect("the row after it");
    assert_eq!((next.line, next.text(2).as_ref()), (3, "6"));
    assert_eq!(next.cut, CutCells::default());
}

#[test]
fn cut_cells_keep_whole_characters_and_their_neighbours() {
    // Two long cells in one record, quoted with line breaks and two-byte letters,
    // read through buffers that split them anywhere.
    let long = "é\n".repeat(40_000);
    let data = format!("h1,h2,h3,h4\n\"{long}\",mid,\"{long}\",end\nnext,2,3,4\n");
    for capacity in [7, 4096, 1 << 20] {
        let input = io::BufReader::with_capacity(capacity, data.as_bytes());
        let mut r = RecordReader::new(input, b',');
        let mut rows = Rows::default();
        while r.read_into(&mut rows).expect("read") {}
        let row = rows.get(1).expect("row");
        let cells: Vec<String> = (0..row.len()).map(|i| row.text(i).into_owned()).collect();
        assert_eq!(cells.len(), 4, "capacity {capacity}");
        for i in [0, 2] {
            assert!(std::str::from_utf8(row.get(i).unwrap_or(&[])).is_ok());
            assert!(cells[i].starts_with("é\né\n"));
            assert!(cells[i].ends_with(&cut_marker(long.len() as u64)));
            assert!(cells[i].len() <= MAX_CELL);
        }
        assert_eq!((cells[1].as_str(), cells[3].as_str()), ("mid", "end"));
        assert_eq!(
            row.cut,
            CutCells {
                count: 2,
                first: Some(0)
            }
        );
        let next = rows.get(2).expect("next");
        assert_eq!((next.line, next.text(0).as_ref()), (80_003, "next"));
    }
    // A cell of exactly 64 kB is kept whole and unmarked.
    let exact = "y".repeat(MAX_CELL);
    let r = rows(&format!("a,b\n{exact},1\n"));
    assert_eq!(r[1].1[0], exact);
}

#[test]
fn a_line_of_delimiters_held_an_end_for_every_field() {
    // 20 MB of commas on one line held 21 million field ends: 760 MB to profile.
    let n = 5_000_000;
    for (tail, next_line) in [("", 3), ("x", 3), ("\"quoted\nlong cell\"", 4)] {
        let tail = format!("{tail}\nnext,2\n");
        let input = long_cell("a,b\n1,", b',', n, &tail);
        let mut r = RecordReader::new(input, b',');
        let mut rows = Rows::default();
        while r.read_into(&mut rows).expect("read") {}
        assert!(
            rows.ends.len() < 4 * MAX_FIELDS,
            "{} field ends",
            rows.ends.len()
        );
        let row = rows.get(1).expect("the wide row");
        assert_eq!((row.len(), row.fields()), (MAX_FIELDS, n + 2));
        assert_eq!(row.get(0), Some(&b"1"[..]));
        let next = rows.get(2).expect("the row after it");
        assert_eq!(
            (next.line, next.text(0).as_ref(), next.fields()),
            (next_line, "next", 2)
        );
    }
    // Long cells past the kept fields are dropped, not counted as cut.
    let data = format!("{}{}\n", ",".repeat(MAX_FIELDS + 3), "y".repeat(200_000));
    let r = read_all(data.as_bytes(), 4096);
    assert_eq!((r[0].1.len(), r[0].3), (MAX_FIELDS, CutCells::default()));
}

#[test]
fn a_bounded_read_stops_at_its_bound() {
    // A 300 MiB header was read whole before the 256 kB bound refused it.
    let input = long_cell("", b'h', 10_000_000, "\n1\n");
    let mut r = RecordReader::new(input, b',');
    let mut rows = Rows::default();
    let next = r.read_bounded(&mut rows, 256 << 10).expect("read");
    assert_eq!(
        next,
        Next::TooLong {
            line: 1,
            open_quote: None
        }
    );
    assert!(rows.is_empty());
    let mut probe = [0u8; 1];
    // What is left to read is most of the input: the reader stopped near the bound.
    let mut rest = 0u64;
    while io::Read::read(&mut r.input, &mut probe).expect("read") == 1 {
        rest += 1;
        if rest > 9_000_000 {
            break;
        }
    }
    assert!(
        rest > 9_000_000,
        "the reader read on to byte {}",
        10_000_000 - rest
    );
    // Within its bound a record reads as ever.
    let mut r = RecordReader::new("a,\"b\nc\"\n1,2\n".as_bytes(), b',');
    assert_eq!(r.read_bounded(&mut rows, 8).expect("read"), Next::Row);
    let mut r = RecordReader::new("\"abc,def,ghi\n".as_bytes(), b',');
    assert_eq!(
        r.read_bounded(&mut rows, 4).expect("read"),
        Next::TooLong {
            line: 1,
            open_quote: Some((1, 1))
        }
    );
}

/// Every record of `bytes` read through a buffer of `capacity`: line, fields, quoting,
/// cut cells.
type Read = (u64, Vec<Vec<u8>>, Quoting, CutCells);
fn read_all(bytes: &[u8], capacity: usize) -> Vec<Read> {
    let input = io::BufReader::with_capacity(capacity, bytes);
    let mut reader = RecordReader::new(input, b',');
    let mut rows = Rows::default();
    while reader
        .read_into(&mut rows)
        .expect("reading memory never fails")
    {}
    rows.iter()
        .map(|r| {
            (
                r.line,
                r.iter().map(<[u8]>::to_vec).collect(),
                r.quoting,
                r.cut,
            )
        })
        .collect()
}

/// Physical lines of `bytes`: `\n`, `\r\n` and a lone `\r` each end one.
fn physical_lines(bytes: &[u8]) -> u64 {
    let cr = bytes.iter().filter(|b| **b == b'\r').count();
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    (cr + lf - crlf) as u64 + 1
}

fn csv_bytes(max: usize) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    proptest::collection::vec(
        prop_oneof![
            any::<u8>(),
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r'),
            Just(b'a'),
            Just(0xC3u8),
        ],
        0..max,
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// Arbitrary bytes read without a panic, into the same records however the input
    /// arrives (any buffer size); each record starts on a later line than the last, within
    /// the input's lines; there are no more records than lines, and the fields together
    /// never hold more bytes than the input.
    #[test]
    fn any_bytes_read_the_same_in_any_pieces(bytes in csv_bytes(2048), capacity in 1usize..64) {
        use proptest::prop_assert;
        let whole = read_all(&bytes, 1 << 16);
        proptest::prop_assert_eq!(&whole, &read_all(&bytes, capacity));
        let lines = physical_lines(&bytes);
        prop_assert!(whole.len() as u64 <= lines);
        let mut last = 0;
        for (line, _, _, cut) in &whole {
            prop_assert!(*line > last && *line <= lines, "line {} of {}", line, lines);
            prop_assert!(cut.count == 0);
            last = *line;
        }
        let held: usize = whole.iter().flat_map(|r| r.1.iter().map(Vec::len)).sum();
        prop_assert!(held <= bytes.len(), "{} bytes of fields from {}", held, bytes.len());
    }

    /// A bounded read either gives the record an unbounded one gives, or stops having
    /// read past the bound, appending nothing.
    #[test]
    fn a_bounded_read_is_the_record_or_nothing(bytes in csv_bytes(600), limit in 0u64..700) {
        let mut bounded = RecordReader::new(bytes.as_slice(), b',');
        let mut rows = Rows::default();
        let next = bounded.read_bounded(&mut rows, limit).expect("read");
        let first = read_all(&bytes, 1 << 16).into_iter().next();
        match next {
            Next::Row => {
                let row = rows.get(0).expect("a row");
                let got: Vec<Vec<u8>> = row.iter().map(<[u8]>::to_vec).collect();
                proptest::prop_assert_eq!(Some(got), first.map(|r| r.1));
            }
            Next::End => proptest::prop_assert!(first.is_none()),
            Next::TooLong { line, .. } => {
                proptest::prop_assert!(rows.is_empty() && line >= 1);
                proptest::prop_assert!(bytes.len() as u64 > limit);
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// A cell past 64 kB is cut to it the same way whatever the buffer, with a marker
    /// naming its length, and the cells around it are whole.
    #[test]
    fn long_cells_are_cut_the_same_in_any_pieces(
        len in 60_000usize..140_000,
        quoted in proptest::prelude::any::<bool>(),
        capacity in proptest::prop_oneof![proptest::strategy::Just(1usize << 16), 100usize..5000],
    ) {
        use proptest::prop_assert;
        let body = "é,\n".repeat(len / 4);
        let cell = if quoted { format!("\"{body}\"") } else { "x".repeat(len) };
        let data = format!("a,b,c\nfirst,{cell},last\nnext,2,3\n");
        let got = read_all(data.as_bytes(), capacity);
        proptest::prop_assert_eq!(&got, &read_all(data.as_bytes(), 1 << 20));
        let length = if quoted { body.len() } else { len };
        let row = &got[1];
        prop_assert!(row.1.len() == 3 && row.1[0] == b"first" && row.1[2] == b"last");
        let text = std::str::from_utf8(&row.1[1]).expect("cut on a character boundary");
        if length > MAX_CELL {
            prop_assert!(text.len() <= MAX_CELL && text.ends_with(&cut_marker(length as u64)));
            proptest::prop_assert_eq!(row.3, CutCells { count: 1, first: Some(1) });
        } else {
            prop_assert!(text.len() == length && row.3.count == 0);
        }
        proptest::prop_assert_eq!(&got[2].1[0], b"next");
    }
}

/// Read as a dump, `\N` cells are empty (counted) and `\"` is a quote inside the value (counted),
/// so a comma after it stays in the value; line numbers and the other cells are as read.
#[test]
fn a_dump_reads_nulls_as_empty_and_escaped_quotes_as_quotes() {
    let text = b"1,\\N,\"Beta \\\"19\\\", rack\",\\N\n2,x\\N,\"\\\\\",y\n";
    let mut reader = RecordReader::new(&text[..], b',');
    reader.read_as_dump();
    let mut rows = Rows::default();
    while reader.read_into(&mut rows).expect("reads") {}
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        got,
        vec![
            vec!["1", "", "Beta \"19\", rack", ""],
            vec!["2", "x\\N", "\\", "y"],
        ]
    );
    assert_eq!((rows.nulls, rows.escaped_quotes), (2, 2));
    assert_eq!(rows.get(1).map(|r| r.line), Some(2));
    assert!(rows.iter().all(|r| r.quoting.malformed.is_none()));
}
