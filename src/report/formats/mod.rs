//! One emitter per report format, each reading only the [`Report`](super::Report) view, and
//! the escaping each target needs (`escape`).

pub(crate) mod csv;
pub(crate) mod diff;
pub(crate) mod escape;
pub(crate) mod github;
pub(crate) mod html;
pub(crate) mod html_trends;
pub(crate) mod json;
pub(crate) mod jsonl;
pub(crate) mod jsonw;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod owners;
pub(crate) mod profile;
pub(crate) mod sarif;
pub(crate) mod table;
pub(crate) mod xlsx;
