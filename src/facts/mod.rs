//! The per-row model that checks, scoring, SQL and history share: the rules bound to one
//! file's header (`mapping`: fields and columns; `plan`: what to read as what, and which
//! requirements apply), the typed cells a row holds, the requirements they meet, a deal's
//! state and standing, and the keys deals pair by. Nothing here pushes a finding or scores
//! a deal: `checks` turns facts into findings, `score` into figures.

pub(crate) mod cell;
pub(crate) mod mapping;
pub(crate) mod pairing;
pub(crate) mod parse;
pub(crate) mod plan;
pub(crate) mod reading;
pub(crate) mod requirement;
pub(crate) mod row;
pub(crate) mod standing;
pub(crate) mod state;
pub(crate) mod status;
