//! Seeded generator of realistic Salesforce-style opportunity report exports, for the
//! benchmark. Same seed and row count → the same bytes.
//!
//! Usage: gen_export ROWS [SEED] > file.csv
//!
//! Rows look like a Salesforce report export ("Opportunity Name", "Stage", "Close Date" …,
//! US dates, every value quoted), about 200 bytes each (1,000,000 rows ≈ 200 MB). About 3% carry a realistic defect:
//! a missing next step or amount where the stage needs one, an unparseable date or amount,
//! an unknown stage, a placeholder, a duplicated id, the same deal entered twice under a new
//! id, and (rarely) a row with a missing field. Stage, activity and close dates spread over
//! the year before 2026-11-20, so hygiene findings are frequent, as in a real pipeline.
//! Next steps and descriptions contain commas and, now and then, a line break inside quotes.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// SplitMix64: small, fast, and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, per_thousand: u64) -> bool {
        self.below(1000) < per_thousand
    }
}

const STAGES: [(&str, u32, &str); 10] = [
    ("Prospecting", 10, "Pipeline"),
    ("Qualification", 10, "Pipeline"),
    ("Needs Analysis", 20, "Pipeline"),
    ("Value Proposition", 50, "Pipeline"),
    ("Id. Decision Makers", 60, "Best Case"),
    ("Perception Analysis", 70, "Best Case"),
    ("Proposal/Price Quote", 75, "Best Case"),
    ("Negotiation/Review", 90, "Commit"),
    ("Closed Won", 100, "Closed"),
    ("Closed Lost", 0, "Omitted"),
];

const FIRST: [&str; 16] = [
    "Dana", "Marcus", "Priya", "Tomás", "Aisha", "Jonas", "Mei", "Rafael", "Sofia", "Kwame",
    "Elena", "Hiro", "Noor", "Liam", "Zara", "Omar",
];
const LAST: [&str; 12] = [
    "Whitfield",
    "Oyelaran",
    "Raman",
    "Ibáñez",
    "Okafor",
    "Lindqvist",
    "Chen",
    "Moreau",
    "Rossi",
    "Mensah",
    "Novak",
    "Tanaka",
];
const COMPANY_A: [&str; 20] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Soylent",
    "Vandelay",
    "Cyberdyne",
    "Tyrell",
    "Massive",
    "Oscorp",
    "Pied Piper",
    "Aperture",
    "Gringotts",
    "Nakatomi",
    "Wonka",
    "Monarch",
    "Dunder",
];
const COMPANY_B: [&str; 10] = [
    "Corp",
    "Industries",
    "Health",
    "Systems",
    "Logistics",
    "Bank",
    "Retail",
    "Energy",
    "Labs",
    "Group",
];
const PRODUCT: [&str; 8] = [
    "Platform Renewal",
    "Analytics Suite",
    "Security Add-on",
    "Data Warehouse",
    "Pilot",
    "Edge Licences",
    "Support Upgrade",
    "Migration Services",
];
const NEXT: [&str; 8] = [
    "Send quote, discount",
    "CFO briefing",
    "Legal redlines",
    "Call, then demo",
    "Tech deep-dive",
    "Procurement, security",
    "Pricing follow-up",
    "Map committee",
];
const SOURCES: [&str; 5] = ["Web", "Partner", "Outbound", "Trade Show", "Referral"];

fn date(days_from_epoch: i64) -> String {
    // Civil-from-days (Howard Hinnant), to avoid a date crate in the generator.
    let z = days_from_epoch + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{m}/{d}/{y}")
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(rows) = args
        .next()
        .and_then(|r| r.replace('_', "").parse::<u64>().ok())
    else {
        eprintln!("usage: gen_export ROWS [SEED] > file.csv");
        return ExitCode::from(2);
    };
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(42);
    match generate(
        rows,
        seed,
        &mut BufWriter::with_capacity(1 << 20, io::stdout().lock()),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_export: {e}");
            ExitCode::from(1)
        }
    }
}

fn generate(rows: u64, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng(seed);
    // 2026-11-20 is day 20_777 since 1970-01-01.
    let as_of: i64 = 20_777;
    writeln!(
        out,
        "\"Opportunity ID\",\"Opportunity Name\",\"Account Name\",\"Opportunity Owner\",\"Stage\",\
         \"Amount\",\"Probability (%)\",\"Close Date\",\"Created Date\",\"Last Activity\",\
         \"Last Stage Change Date\",\"Next Step\",\"Forecast Category\",\"Lead Source\",\"Description\""
    )?;
    let mut last_id = String::new();
    let mut last_company = String::new();
    let mut last_name = String::new();
    for i in 0..rows {
        let mut id = format!(
            "0065g{:012X}AAA",
            i.wrapping_mul(2_654_435_761) & 0xFFFF_FFFF_FFFF
        );
        if rng.chance(3) && !last_id.is_empty() {
            id = last_id.clone(); // DUP001
        }
        last_id = id.clone();
        let mut company = format!("{} {}", rng.pick(&COMPANY_A), rng.pick(&COMPANY_B));
        // Names are unique per deal ("… 480 seats"); a few deals are entered twice under a
        // new id (DUP002).
        let mut name = format!(
            "{company} - {} {} seats",
            rng.pick(&PRODUCT),
            10 + (i * 7919) % 99_990
        );
        if rng.chance(3) && !last_name.is_empty() {
            company = last_company.clone();
            name = last_name.clone();
        }
        last_company = company.clone();
        last_name = name.clone();
        let owner = format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST));
        let (stage, probability, forecast) = STAGES[rng.below(STAGES.len() as u64) as usize];
        let closed = stage.starts_with("Closed");
        let mut stage = stage.to_string();
        if rng.chance(5) {
            stage = "Negotiation".into(); // VAL006
        }
        let amount_value = (rng.below(400) + 5) * 1000 + rng.below(100) * 10;
        let mut amount = format!("{}.{:02}", amount_value, rng.below(100));
        if rng.chance(8) {
            amount.clear(); // REQ002 where the stage needs an amount
        } else if rng.chance(3) {
            amount = format!("{}k", amount_value / 1000); // VAL002
        }
        let created = as_of - 30 - rng.below(300) as i64;
        let close = if closed {
            as_of - rng.below(60) as i64
        } else {
            as_of + rng.below(200) as i64 - 20
        };
        let mut close_date = date(close);
        if rng.chance(4) {
            close_date = "Q1 next year".into(); // VAL001
        }
        let last_activity = if rng.chance(60) {
            String::new()
        } else {
            date(as_of - rng.below(40) as i64)
        };
        let stage_changed = date(created + rng.below((as_of - created) as u64 + 1) as i64);
        let mut next_step = if closed {
            String::new()
        } else {
            rng.pick(&NEXT).to_string()
        };
        if !closed && rng.chance(10) {
            next_step.clear(); // REQ002 in later stages
        } else if !closed && rng.chance(5) {
            next_step = "TBD".into(); // placeholder
        }
        // Most report rows carry no description; some carry a comma, a few a line break.
        let description = if rng.chance(20) {
            format!("Champion: {owner}.\nBudget approved for FY27, pending security review")
        } else if rng.chance(80) {
            format!("{company} evaluating, {} users", rng.below(900) + 50)
        } else {
            String::new()
        };
        let source = rng.pick(&SOURCES);
        let fields = [
            id.as_str(),
            &name,
            &company,
            &owner,
            &stage,
            &amount,
            &probability.to_string(),
            &close_date,
            &date(created),
            &last_activity,
            &stage_changed,
            &next_step,
            forecast,
            source,
            &description,
        ];
        let keep = if rng.chance(1) {
            fields.len() - 1
        } else {
            fields.len()
        }; // IN002
        for (j, f) in fields[..keep].iter().enumerate() {
            if j > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"\"")?;
            out.write_all(f.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}
