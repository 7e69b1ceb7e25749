//! Issue 22, "never a confident wrong headline": reports show what the export says, in the
//! words a person would use. Labels as written (`labels.rs`), open amounts of deals without
//! amounts (`amounts.rs`), and the smaller untruths: a single push, a vanished deal's name
//! and owner, closed deals' data fixes in owner lists, a week of pushes only (`words.rs`).
//! Every test passes `--as-of` and asserts the words.

#[path = "truth_words/amounts.rs"]
mod amounts;
mod common;
#[path = "truth_words/labels.rs"]
mod labels;
#[path = "truth_words/words.rs"]
mod words;
