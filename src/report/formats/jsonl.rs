//! `-f jsonl`: one finding per line, ready for `jq`, DuckDB or a warehouse load: the JSON
//! document's finding object plus the name (else the id), owner and stage of its deal (as
//! written, and the rules' stage it is).
//! Rendered in parallel pieces, in order.

use std::io::{self, Write};

use crate::report::formats::jsonw::{self, Object};
use crate::report::view::Report;
use crate::report::{EmitOptions, Emitter, sections::pieces};

pub(crate) struct JsonlEmitter;

impl Emitter for JsonlEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        pieces::write_in_order(out, o.threads, report.finding_count(), |i, buf| {
            let f = report
                .finding(i)
                .ok_or_else(|| io::Error::other("no such finding"))?;
            let mut obj = Object::new(buf);
            jsonw::finding_fields(&mut obj, &f);
            obj.opt_str("deal", f.deal.map(|d| d.label));
            obj.opt_str("owner", f.deal.and_then(|d| d.owner));
            obj.opt_str("stage", f.deal.and_then(|d| d.stage));
            obj.opt_str("stage_canonical", f.deal.and_then(|d| d.stage_canonical));
            obj.end();
            buf.push(b'\n');
            Ok(())
        })
    }
}
