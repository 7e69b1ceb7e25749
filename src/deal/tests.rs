//! Tests of the deal store, its interned names and the risk facts a deal keeps.

use super::*;

/// Each flag its own bit: `STATUS_OPEN` and `NEXT_STEP_FILLER` once shared one, and
/// every open deal of a status column (IsClosed = 0) read as having a filler next step
/// ("no next step; next step is filler").
#[test]
fn risk_flags_are_distinct_bits() {
    let flags = [
        RiskFacts::PROBABILITY_OFF,
        RiskFacts::FORECAST_OFF,
        RiskFacts::EXIT_MORE,
        RiskFacts::DAYS_CAPPED,
        RiskFacts::PUSHES_CAPPED,
        RiskFacts::NEXT_STEP_MISSING,
        RiskFacts::NEXT_STEP_EXPIRED,
        RiskFacts::NEXT_STEP_FILLER,
        RiskFacts::STATUS_OPEN,
        RiskFacts::CLOSED_WON,
        RiskFacts::CLOSED_LOST,
        RiskFacts::COUNTED_ONCE,
    ];
    let mut all = 0u16;
    for f in flags {
        assert_eq!(f.count_ones(), 1, "{f:#b}");
        assert_eq!(all & f, 0, "{f:#b} is another flag's bit");
        all |= f;
    }
}

#[test]
fn long_ids_and_names_come_back_whole() {
    let mut buffer = DealBuffer::with_capacity(3, 0);
    let facts = || DealFacts {
        risk: RiskFacts::default(),
        file: 0,
        line: 2,
        owner: None,
        account: None,
        stage: StageKey::Missing,
        amount: None,
        currency: None,
        close_date: None,
        filled: 0,
        applicable: 0,
        created_date: None,
        group: None,
    };
    let long = "é".repeat(40_000);
    let edge = "x".repeat(usize::from(u16::MAX));
    let texts = [
        ("D-1", "short"),
        ("D-2", long.as_str()),
        (edge.as_str(), ""),
    ];
    for (id, name) in texts {
        buffer.push(DealText { id, name }, facts());
    }
    let mut store = DealStore::default();
    store.absorb(buffer);
    let read: Vec<(&str, &str)> = store.iter().map(|d| (store.id(d), store.name(d))).collect();
    assert_eq!(read, texts);
}

#[test]
fn a_text_past_the_arena_is_cut_in_plain_sight() {
    assert_eq!(fitted("Acme", 10), "Acme");
    let long = "é".repeat(100);
    assert_eq!(
        fitted(&long, 60),
        format!("{}… [cut: 180 bytes]", "é".repeat(10))
    );
}

#[test]
fn a_stage_keeps_its_spelling_in_eight_bytes() {
    assert_eq!(std::mem::size_of::<StageKey>(), 8);
    assert_eq!(Label::interned(3), Label(3));
    assert_eq!(Label::interned(65_535), Label::AS_NAMED);
    assert_eq!(Label::interned(u32::MAX), Label::AS_NAMED);
}

#[test]
fn a_deal_summary_stays_compact() {
    // Memory grows with deals, not bytes: keep the per-deal summary under 100 bytes
    // (96 since it keeps the created date and the pushed days).
    assert!(
        std::mem::size_of::<Deal>() <= 96,
        "{}",
        std::mem::size_of::<Deal>()
    );
}

#[test]
fn risk_facts_stay_compact() {
    assert_eq!(std::mem::size_of::<RiskFacts>(), 28);
}
