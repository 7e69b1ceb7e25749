//! `-f json`: the `pipelint.report/1` document, which is the report view serialised
//! (see [`Report`]'s `Serialize`): deals and findings are streamed from the view one at a
//! time, so the output is byte-identical for the same input, rules and as-of.

use std::io::{self, Write};

use serde::Serialize;

use super::view::Report;
use super::{EmitOptions, Emitter};

pub(crate) struct JsonEmitter;

impl Emitter for JsonEmitter {
    fn emit(&self, report: &Report<'_>, _: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut ser = serde_json::Serializer::with_formatter(
            &mut *out,
            serde_json::ser::PrettyFormatter::with_indent(b"  "),
        );
        // `io::Error::from` keeps an underlying I/O error's kind (a closed pipe stays one).
        report.serialize(&mut ser).map_err(io::Error::from)?;
        out.write_all(b"\n")
    }
}
