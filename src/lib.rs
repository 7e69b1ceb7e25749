//! pipelint: an auditor for CRM pipeline exports.
//!
//! Data flows one way: [`input`] reads and maps an export, [`values`] parses cells,
//! [`checks`] find what is wrong, [`score`] measures completeness, [`engine`] runs it all in
//! parallel and aggregates, [`gate`] decides pass or fail, and [`report`] renders. [`rules`]
//! holds the declarative configuration everything above reads; [`app`] wires the commands.

pub mod app;
pub mod checks;
pub mod cli;
pub mod draft;
pub mod engine;
pub mod field;
pub mod gate;
pub mod infer;
pub mod input;
pub mod report;
pub mod rules;
pub mod score;
pub mod suggest;
pub mod values;
