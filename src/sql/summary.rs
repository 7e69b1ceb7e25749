//! `pipelint sql --summary`: each deal's completeness and forecast risk (score, band and
//! signals), and the same figures pooled by owner, by stage and over all deals, as
//! `pipelint audit` computes them. The signals are the hygiene checks' own conditions
//! (`hygiene.rs`), not policy-gated, as the engine's `risk::assess` reads them.

use std::fmt::Write as _;

use super::Compiler;
use crate::deal::Signal;
use crate::rules::{Grading, OVERDUE_SCALE_DAYS};
use crate::values::currency::{CURRENCY_NAMES, SYMBOLS};

/// The columns of a deal the summary rows read: all that `banded` keeps, with its band.
const BANDED: &str = "pl_id, pl_line, pl_owner_name, pl_stage_label, pl_stage_name, pl_stage, pl_open, pl_closed_as, pl_filled, pl_applicable, pl_score, pl_signals, pl_amount, pl_currency";

impl Compiler<'_, '_> {
    /// The summary query, or why it cannot be written (a rule that requires fields has a
    /// `when` test the compiler does not write: completeness would be guessed).
    pub(super) fn summary(&self) -> Result<String, String> {
        let (filled, applicable) = self.weights()?;
        let plan = self.plan;
        let risk = &self.target.rules.risk;
        let signals = self.signals();
        let mut q = self.summary_header(&signals);
        q.push_str(&self.steps(&[(plan.owner_col, "pl_owner"), (plan.currency_col, "pl_cur")]));
        let oks: String = (0..plan.slots.len())
            .map(|i| {
                format!(
                    ",\n    CASE WHEN {} THEN TRUE ELSE FALSE END AS ok{i}",
                    self.valid(i)
                )
            })
            .collect();
        let _ = writeln!(q, "judged AS (\n  SELECT stated.*{oks}\n  FROM stated\n),");
        let flags: String = signals
            .iter()
            .map(|(s, when)| {
                format!(
                    ",\n    CASE WHEN {when} THEN TRUE ELSE FALSE END AS s_{}",
                    s.name()
                )
            })
            .collect();
        let (owner, joined) = match self.owner_lookup() {
            Some(cte) => {
                q.push_str(&cte);
                (
                    "COALESCE(pl_owners.pl_owner_mapped, pl_owner)",
                    format!(
                        " LEFT JOIN pl_owners ON pl_owners.pl_owner_key = {}",
                        self.owner_key()
                    ),
                )
            }
            None => ("pl_owner", String::new()),
        };
        let _ = writeln!(
            q,
            "signalled AS (\n  SELECT judged.*, {filled} AS pl_filled, {applicable} AS pl_applicable,\n    {} AS pl_stage_name, {} AS pl_stage_label, CASE WHEN {} THEN NULL ELSE {owner} END AS pl_owner_name,\n    {} AS pl_amount, {} AS pl_currency{flags}\n  FROM judged{joined}\n),",
            self.stage_name(),
            self.stage_label(),
            self.is_missing("pl_owner"),
            self.plan.amount_slot.map_or(
                format!("CAST(NULL AS {})", self.d.decimal_type()),
                |a| format!("CASE WHEN ok{a} THEN v{a} END")
            ),
            self.deal_currency(),
        );
        let terms: Vec<String> = signals
            .iter()
            .filter(|(s, _)| s.weight(&risk.weights) > 0)
            .map(|(s, _)| {
                format!(
                    "CASE WHEN s_{} THEN {} ELSE 0 END",
                    s.name(),
                    self.points(*s)
                )
            })
            .collect();
        // The missing next step as the one unmet exit criterion and as `no_next_step` is
        // one fact: the weaker of the two signals adds nothing (as `risk::points`).
        let has = |s: Signal| signals.iter().any(|(x, _)| *x == s);
        let (exit, next) = (risk.weights.exit_criteria, risk.weights.no_next_step);
        let once = match (
            has(Signal::ExitCriteria),
            has(Signal::NoNextStep),
            self.counted_once(),
        ) {
            (true, true, Some(when)) if exit.min(next) > 0 => format!(
                " - CASE WHEN s_exit_criteria AND s_no_next_step AND {when} THEN {} ELSE 0 END",
                exit.min(next)
            ),
            _ => String::new(),
        };
        let score = if terms.is_empty() {
            "0".to_string()
        } else {
            format!("LEAST(100, {}{once})", terms.join(" + "))
        };
        let names: Vec<String> = signals
            .iter()
            .map(|(s, _)| format!("CASE WHEN s_{0} THEN '{0},' ELSE '' END", s.name()))
            .collect();
        let listed = if names.is_empty() {
            "''".to_string()
        } else {
            self.d.trim_end(&names.join(" || "), ',')
        };
        let _ = writeln!(
            q,
            "scored AS (\n  SELECT signalled.*, {score} AS pl_score, {listed} AS pl_signals\n  FROM signalled\n),"
        );
        let band = format!(
            "CASE WHEN pl_score >= {} THEN 'high' WHEN pl_score >= {} THEN 'medium' ELSE 'low' END",
            risk.high, risk.medium
        );
        // Read by the deal rows, the sole currency and each group: computed once, and only
        // the columns those read, so that what is kept stays narrow.
        let _ = writeln!(
            q,
            "banded AS{} (\n  SELECT {BANDED}, {band} AS pl_band\n  FROM scored\n),",
            self.d.shared()
        );
        q.push_str(&self.summary_rows());
        Ok(q)
    }

    /// The deal rows, then one row per owner, per stage and for all deals, in that order
    /// (from the columns of `banded`: [`BANDED`] and `pl_band`).
    fn summary_rows(&self) -> String {
        let d = self.d;
        let text = d.text_type();
        let float = d.float_type();
        let rate = |f: &str, a: &str| {
            format!(
                "CASE WHEN {a} = 0 THEN CAST(100 AS {float}) ELSE FLOOR(CAST({f} AS {float}) * 100 / {a} * 10 + 0.5) / 10 END"
            )
        };
        // A sum over no rows (an empty table) is 0, not NULL.
        let sum = |x: &str| format!("COALESCE(SUM({x}), 0)");
        let open = "CASE WHEN pl_open THEN 1 ELSE 0 END";
        let band = |b: &str| format!("CASE WHEN pl_open AND pl_band = '{b}' THEN 1 ELSE 0 END");
        // A group's open amount, when its open deals' amounts are in one currency (else the
        // deal rows hold them, currency by currency).
        let amounted =
            "CASE WHEN pl_open AND pl_amount IS NOT NULL THEN COALESCE(pl_folded, '') END";
        let one = format!("COUNT(DISTINCT {amounted}) <= 1");
        let group = |scope: &str, owner: &str, stage: &str, rank: &str, key: &str, by: &str| {
            format!(
                "  SELECT '{scope}' AS scope, CAST(NULL AS {text}) AS record_id, CAST(NULL AS BIGINT) AS line, {owner} AS owner, {stage} AS stage, CAST(NULL AS {text}) AS stage_canonical,\n    COUNT(*) AS records, {} AS open_deals, {} AS weight_filled, {} AS weight_applicable,\n    {} AS completeness,\n    CAST(NULL AS INTEGER) AS risk_score, CAST(NULL AS {text}) AS band, CAST(NULL AS {text}) AS signals,\n    {} AS high_risk, {} AS medium_risk, {} AS low_risk,\n    CASE WHEN {one} THEN SUM(CASE WHEN pl_open THEN pl_amount END) END AS amount,\n    CASE WHEN {one} THEN MAX(CASE WHEN pl_open AND pl_amount IS NOT NULL THEN pl_folded END) END AS currency,\n    {rank} AS pl_rank, {key} AS pl_key, CAST(NULL AS BIGINT) AS pl_line_key\n  FROM folded{by}",
                sum(open),
                sum("pl_filled"),
                sum("pl_applicable"),
                rate(&sum("pl_filled"), &sum("pl_applicable")),
                sum(&band("high")),
                sum(&band("medium")),
                sum(&band("low")),
            )
        };
        let deals = format!(
            "  SELECT 'deal' AS scope, NULLIF(pl_id, '') AS record_id, pl_line AS line, pl_owner_name AS owner, pl_stage_label AS stage, CASE WHEN pl_stage >= 0 THEN pl_stage_name END AS stage_canonical,\n    1 AS records, {open} AS open_deals, pl_filled AS weight_filled, pl_applicable AS weight_applicable,\n    {} AS completeness,\n    CASE WHEN pl_open THEN pl_score END AS risk_score, CASE WHEN pl_open THEN pl_band END AS band,\n    CASE WHEN pl_open THEN pl_signals WHEN pl_closed_as IS NULL AND (pl_stage IS NULL OR pl_stage < 0) THEN 'unknown_stage' END AS signals,\n    {} AS high_risk, {} AS medium_risk, {} AS low_risk,\n    pl_amount AS amount, pl_currency AS currency,\n    0 AS pl_rank, pl_id AS pl_key, pl_line AS pl_line_key\n  FROM banded",
            rate("pl_filled", "pl_applicable"),
            band("high"),
            band("medium"),
            band("low"),
        );
        // Stages in the rules' order, then stages the rules lack by name, then none.
        let stage_rank = "1000000 + CASE WHEN MIN(pl_stage) >= 0 THEN MIN(pl_stage) WHEN MIN(pl_stage_name) IS NOT NULL THEN 100000 ELSE 200000 END";
        let arms = [
            deals,
            group(
                "owner",
                "pl_owner_name",
                &format!("CAST(NULL AS {text})"),
                "CASE WHEN pl_owner_name IS NULL THEN 2 ELSE 1 END",
                "pl_owner_name",
                "\n  GROUP BY pl_owner_name",
            ),
            group(
                "stage",
                &format!("CAST(NULL AS {text})"),
                "pl_stage_name",
                stage_rank,
                "pl_stage_name",
                "\n  GROUP BY pl_stage_name",
            ),
            group(
                "all",
                &format!("CAST(NULL AS {text})"),
                &format!("CAST(NULL AS {text})"),
                "3000000",
                &format!("CAST(NULL AS {text})"),
                "",
            ),
        ];
        // Amounts that name no currency count in the one currency the deals name, if
        // exactly one (the audit's `sole_currency`).
        let mut q = String::new();
        let _ = writeln!(
            q,
            "sole AS (\n  SELECT CASE WHEN COUNT(DISTINCT pl_currency) = 1 THEN MIN(pl_currency) END AS pl_sole\n  FROM banded\n),\nfolded AS (\n  SELECT banded.*, COALESCE(pl_currency, pl_sole) AS pl_folded\n  FROM banded CROSS JOIN sole\n),"
        );
        let _ = writeln!(q, "summary AS (\n{}\n)", arms.join("\n  UNION ALL\n"));
        let _ = writeln!(
            q,
            "SELECT scope, record_id, line, owner, stage, stage_canonical, records, open_deals, weight_filled, weight_applicable, completeness, risk_score, band, signals, high_risk, medium_risk, low_risk, amount, currency\nFROM summary\nORDER BY pl_rank, pl_line_key NULLS LAST, pl_key NULLS LAST, record_id NULLS LAST;"
        );
        q
    }

    /// A deal's completeness weights, filled and applicable: per field some requirement
    /// demands of it (globally, its stage, a rule whose `when` holds), the field's weight,
    /// counted as filled when the field holds a valid value.
    fn weights(&self) -> Result<(String, String), String> {
        let plan = self.plan;
        let fields = self.required_fields();
        let mut filled = Vec::new();
        let mut applicable = Vec::new();
        for f in fields {
            let mut demanded: Vec<String> = Vec::new();
            if plan.global.iter().any(|r| r.field == f) {
                demanded.push("TRUE".to_string());
            }
            let stages: Vec<String> = plan
                .by_stage
                .iter()
                .enumerate()
                .filter(|(_, reqs)| reqs.iter().any(|r| r.field == f))
                .map(|(i, _)| i.to_string())
                .collect();
            if !stages.is_empty() {
                demanded.push(format!("pl_stage IN ({})", stages.join(", ")));
            }
            for rule in &plan.conditional {
                if rule.requires.iter().any(|r| r.field == f) {
                    let fires = self.fires(rule).ok_or_else(|| {
                        format!(
                            "a `when` of the rules requiring {} has a test the SQL compiler does not write, so completeness cannot be computed in SQL; run pipelint audit for it",
                            plan.table.name(f)
                        )
                    })?;
                    demanded.push(format!("({fires})"));
                }
            }
            let weight = plan.table.entries[f].weight;
            if weight == 0 || demanded.is_empty() {
                continue;
            }
            let demanded = if demanded.iter().any(|d| d == "TRUE") {
                "TRUE".to_string()
            } else {
                demanded.join(" OR ")
            };
            let ok = plan.slot_of[f].map_or("FALSE".to_string(), |s| format!("ok{s}"));
            // A field every deal demands weighs the same on every row: folded.
            if demanded == "TRUE" {
                applicable.push(weight.to_string());
                filled.push(format!("CASE WHEN {ok} THEN {weight} ELSE 0 END"));
            } else {
                applicable.push(format!("CASE WHEN {demanded} THEN {weight} ELSE 0 END"));
                filled.push(format!(
                    "CASE WHEN ({demanded}) AND {ok} THEN {weight} ELSE 0 END"
                ));
            }
        }
        // The weights' sum, its constant terms added up here.
        let sum = |terms: Vec<String>| {
            let fixed: u64 = terms.iter().filter_map(|t| t.parse::<u64>().ok()).sum();
            let mut per: Vec<String> = terms
                .into_iter()
                .filter(|t| t.parse::<u64>().is_err())
                .collect();
            if fixed > 0 {
                per.push(fixed.to_string());
            }
            match per.as_slice() {
                [] => "0".to_string(),
                [one] => format!("({one})"),
                _ => format!("({})", per.join(" + ")),
            }
        };
        Ok((sum(filled), sum(applicable)))
    }

    /// When a deal's missing next step is its one unmet exit criterion (the stage requires
    /// the next step, and every other field it requires is valid): the engine's
    /// `RiskInputs::exit_only_next_step` with the next step missing.
    fn counted_once(&self) -> Option<String> {
        let plan = self.plan;
        let h = &plan.hygiene;
        let next = h.next_step.or(h.next_step_date)?;
        let stages = self.per_stage(
            |i, _| {
                let slots: Vec<usize> = plan
                    .by_stage
                    .get(i)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| plan.slot_of[r.field])
                    .collect();
                if !slots.contains(&next) {
                    return None;
                }
                let others: Vec<String> = slots
                    .iter()
                    .filter(|s| **s != next)
                    .map(|s| format!("ok{s}"))
                    .collect();
                Some(if others.is_empty() {
                    "TRUE".to_string()
                } else {
                    others.join(" AND ")
                })
            },
            Some("FALSE"),
        )?;
        Some(format!("(m{next} AND {stages})"))
    }

    /// Each risk signal SQL can judge, with its condition (over the `judged` rows).
    fn signals(&self) -> Vec<(Signal, String)> {
        let plan = self.plan;
        let h = &plan.hygiene;
        let any = |parts: Vec<String>| -> Option<String> {
            (!parts.is_empty()).then(|| format!("({})", parts.join(" OR ")))
        };
        let mut out = Vec::new();
        let mut add = |s: Signal, when: Option<String>| {
            if let Some(when) = when {
                out.push((s, when));
            }
        };
        add(Signal::Overdue, self.overdue());
        add(Signal::Stale, self.stale());
        let mut aged: Vec<String> = self.stage_aged().into_iter().map(|(_, w)| w).collect();
        aged.extend(self.aged_by_age());
        add(Signal::StageAged, any(aged));
        // Exit criteria: one of the deal's stage's requirements (that the export has) unmet.
        let exit = self.per_stage(
            |i, _| {
                let unmet: Vec<String> = plan
                    .by_stage
                    .get(i)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| plan.slot_of[r.field])
                    .map(|s| format!("NOT ok{s}"))
                    .collect();
                (!unmet.is_empty()).then(|| unmet.join(" OR "))
            },
            Some("FALSE"),
        );
        add(
            Signal::ExitCriteria,
            exit.map(|e| format!("pl_open AND {e}")),
        );
        add(
            Signal::ForecastMismatch,
            any([self.probability_off(), self.forecast_off()]
                .into_iter()
                .flatten()
                .collect())
            .map(|w| format!("pl_open AND {w}")),
        );
        let missing = h.next_step.or(h.next_step_date).map(|s| format!("m{s}"));
        add(
            Signal::NoNextStep,
            any([missing, self.next_step_late(), self.next_step_filler()]
                .into_iter()
                .flatten()
                .collect())
            .map(|w| format!("pl_open AND {w}")),
        );
        add(Signal::Pushed, self.pushed());
        add(Signal::Slipping, self.slipping());
        add(
            Signal::NoCloseDate,
            plan.close_date_slot.map(|c| format!("pl_open AND m{c}")),
        );
        out
    }

    /// The points a fired signal scores, graded as `score::grade` grades it: its weight,
    /// plus `FLOOR(weight × LEAST(beyond, 3 × scale) / (3 × scale))` past its threshold.
    fn points(&self, signal: Signal) -> String {
        let risk = &self.target.rules.risk;
        let weight = signal.weight(&risk.weights);
        let plain = weight.to_string();
        if risk.grading == Grading::Off {
            return plain;
        }
        // `beyond` and `scale` are SQL numbers; graded where `when` holds and the scale is
        // above 0.
        let graded = |when: String, beyond: String, scale: String| {
            let mut tests = Vec::new();
            if when != "TRUE" {
                tests.push(when);
            }
            match scale.parse::<f64>() {
                Ok(literal) if literal <= 0.0 => return weight.to_string(),
                Ok(_) => {}
                Err(_) => tests.push(format!("{scale} > 0")),
            }
            tests.push(format!("{beyond} > 0"));
            format!(
                "CASE WHEN {} THEN {weight} + CAST(FLOOR({weight} * LEAST({beyond}, 3 * {scale}) / (3.0 * {scale})) AS BIGINT) ELSE {weight} END",
                tests.join(" AND ")
            )
        };
        let plan = self.plan;
        let h = &plan.hygiene;
        let as_of = self.as_of_sql();
        let days_to = |slot: usize| self.d.days_between(&format!("d{slot}"), &as_of);
        match signal {
            Signal::Overdue => match plan.close_date_slot {
                Some(c) => graded(self.holds(c), days_to(c), OVERDUE_SCALE_DAYS.to_string()),
                None => plain,
            },
            Signal::Stale => match h.last_activity {
                Some(a) => {
                    let limit = self
                        .per_stage(
                            |_, s| s.stale_days.map(|d| d.to_string()),
                            Some(&risk.stale_days.to_string()),
                        )
                        .unwrap_or_else(|| risk.stale_days.to_string());
                    graded(self.holds(a), format!("({} - {limit})", days_to(a)), limit)
                }
                None => plain,
            },
            Signal::StageAged => match (
                self.stage_days(),
                self.per_stage(|_, s| s.max_days.map(|d| d.to_string()), None),
            ) {
                (Some(days), Some(max)) => {
                    graded("TRUE".to_string(), format!("({days} - {max})"), max)
                }
                _ => plain,
            },
            Signal::ExitCriteria => match self.exit_count() {
                Some(n) => graded("TRUE".to_string(), format!("({n} - 1)"), "1".to_string()),
                None => plain,
            },
            Signal::ForecastMismatch => match (h.probability, self.probability_off()) {
                (Some(p), Some(off)) => {
                    let expected = self
                        .per_stage(|_, s| s.probability.map(|p| p.to_string()), None)
                        .unwrap_or_else(|| "0".to_string());
                    let tolerance = risk.probability_tolerance;
                    graded(
                        off,
                        format!("(ABS(v{p} - {expected}) - {tolerance})"),
                        tolerance.to_string(),
                    )
                }
                _ => plain,
            },
            Signal::Pushed => match self.push_slot() {
                Some(p) => graded(
                    "TRUE".to_string(),
                    format!("(GREATEST({}, 1) - 1)", self.pushes(Some(p))),
                    "1".to_string(),
                ),
                None => plain,
            },
            Signal::Slipping => {
                let t = self.target.rules.changes.serial_pushes;
                match self.push_slot() {
                    Some(p) if t > 0 => {
                        let n = self.pushes(Some(p));
                        graded(format!("{n} >= {t}"), format!("({n} - {t})"), t.to_string())
                    }
                    _ => plain,
                }
            }
            Signal::NoNextStep | Signal::NoCloseDate => plain,
        }
    }

    /// The days `stage_aged` reads, as the engine's `DealState::stage_days`: since the
    /// stage-changed date, else a days-in-stage number (rounded up), else the deal's age
    /// since its created date; NULL when none holds.
    fn stage_days(&self) -> Option<String> {
        let h = &self.plan.hygiene;
        let as_of = self.as_of_sql();
        let mut arms = Vec::new();
        if let Some(s) = h.stage_changed {
            arms.push(format!(
                "WHEN {} THEN {}",
                self.holds(s),
                self.d.days_between(&format!("d{s}"), &as_of)
            ));
        }
        if let Some(a) = h.stage_age.filter(|&a| self.reads_a_number(a)) {
            arms.push(format!("WHEN {} THEN CEIL(v{a})", self.holds(a)));
        }
        if let Some(c) = h.created_date {
            arms.push(format!(
                "WHEN {} THEN {}",
                self.holds(c),
                self.d.days_between(&format!("d{c}"), &as_of)
            ));
        }
        (!arms.is_empty()).then(|| format!("(CASE {} END)", arms.join(" ")))
    }

    /// How many of the deal's stage's exit criteria are unmet, as `RiskFacts::exit_count`
    /// counts them: each of the first 16 requirements, and any past them as one.
    fn exit_count(&self) -> Option<String> {
        let plan = self.plan;
        self.per_stage(
            |i, _| {
                let mut first = Vec::new();
                let mut later = Vec::new();
                for r in plan.by_stage.get(i).into_iter().flatten() {
                    if let Some(slot) = plan.slot_of[r.field] {
                        if r.pos < 16 {
                            first.push(format!("CASE WHEN ok{slot} THEN 0 ELSE 1 END"));
                        } else {
                            later.push(format!("NOT ok{slot}"));
                        }
                    }
                }
                if !later.is_empty() {
                    first.push(format!(
                        "CASE WHEN {} THEN 1 ELSE 0 END",
                        later.join(" OR ")
                    ));
                }
                (!first.is_empty()).then(|| format!("({})", first.join(" + ")))
            },
            Some("0"),
        )
    }

    /// `stage_aged` from the deal's age, when nothing says when it entered its stage (no
    /// stage-changed date, no days-in-stage number): open longer than the stage's
    /// `max_days` since its created date.
    fn aged_by_age(&self) -> Option<String> {
        let h = &self.plan.hygiene;
        let c = h.created_date?;
        let max = self.per_stage(|_, s| s.max_days.map(|d| d.to_string()), None)?;
        let mut none = Vec::new();
        if let Some(s) = h.stage_changed {
            none.push(format!("NOT {} AND ", self.holds(s)));
        }
        if let Some(a) = h.stage_age.filter(|&a| self.reads_a_number(a)) {
            none.push(format!("NOT {} AND ", self.holds(a)));
        }
        Some(format!(
            "pl_open AND {}{} AND {} > {max}",
            none.concat(),
            self.holds(c),
            self.d.days_between(&format!("d{c}"), &self.as_of_sql())
        ))
    }

    /// The deal's stage as the rules name it, or as written when the rules lack it; NULL
    /// when it has none.
    fn stage_name(&self) -> String {
        let plan = self.plan;
        let Some(s) = plan.stage_slot else {
            return format!("CAST(NULL AS {})", self.d.text_type());
        };
        let known: Vec<String> = self
            .target
            .rules
            .stages
            .iter()
            .enumerate()
            .map(|(i, st)| format!("WHEN {i} THEN {}", self.lit(&st.name)))
            .collect();
        let known = if known.is_empty() {
            String::new()
        } else {
            format!(
                " WHEN pl_stage >= 0 THEN CASE pl_stage {} END",
                known.join(" ")
            )
        };
        format!("CASE WHEN m{s} THEN NULL{known} ELSE c{s} END")
    }

    /// The deal's stage as the export writes it (the label reports show); NULL when it has
    /// none.
    fn stage_label(&self) -> String {
        match self.plan.stage_slot {
            Some(s) => format!("CASE WHEN m{s} THEN NULL ELSE c{s} END"),
            None => format!("CAST(NULL AS {})", self.d.text_type()),
        }
    }

    /// The deal's currency as the engine takes it: the currency column's, else the
    /// amount's symbol, code or name, else the rules' `[input] currency`.
    fn deal_currency(&self) -> String {
        let plan = self.plan;
        let mut options = Vec::new();
        if plan.currency_col.is_some() {
            options.push(format!(
                "CASE WHEN NOT {} THEN {} END",
                self.is_missing("pl_cur"),
                self.column_currency("pl_cur")
            ));
        }
        // The amount slot is read as money: its currency prefix and suffix are captured.
        if let Some(a) = plan.amount_slot {
            options.push(format!(
                "CASE WHEN ok{a} THEN COALESCE({}, {}) END",
                self.amount_currency(&format!("pd{a}_pre")),
                self.amount_currency(&format!("pd{a}_suf"))
            ));
        }
        if let Some(c) = self.target.rules.input.currency {
            options.push(self.lit(&c.to_string()));
        }
        match options.len() {
            0 => format!("CAST(NULL AS {})", self.d.text_type()),
            1 => options.remove(0),
            _ => format!("COALESCE({})", options.join(", ")),
        }
    }

    /// A currency column's cell read as `Currency::parse` reads it: three letters in any
    /// case that are an ISO 4217 code, a symbol that names one currency, a currency's name.
    fn column_currency(&self, t: &str) -> String {
        let [iso, _, _] = super::numbers::currency_lists(self.d, false);
        let three =
            super::pattern::Compiled::<()>::new(self.d, &[super::pattern::raw("^[A-Za-z]{3}$")])
                .matches(t);
        format!(
            "CASE WHEN {three} THEN CASE WHEN UPPER({t}) IN ({iso}) THEN UPPER({t}) END ELSE COALESCE({}, {}) END",
            self.symbol_code(t, None),
            self.name_code(t)
        )
    }

    /// An amount's captured prefix or suffix as the engine names its currency: a symbol
    /// (a bare `$` is the rules' dollar, else USD), a code in capitals, a name.
    fn amount_currency(&self, t: &str) -> String {
        let dollar = self
            .plan
            .values
            .dollar
            .map_or("USD".to_string(), |c| c.to_string());
        let three =
            super::pattern::Compiled::<()>::new(self.d, &[super::pattern::raw("^[A-Z]{3}$")])
                .matches(t);
        format!(
            "CASE WHEN {t} = '' THEN NULL WHEN {three} THEN {t} ELSE COALESCE({}, {}) END",
            self.symbol_code(t, Some(&dollar)),
            self.name_code(t)
        )
    }

    /// The code a symbol names (`$` only with `dollar`).
    fn symbol_code(&self, t: &str, dollar: Option<&str>) -> String {
        let arms: Vec<String> = SYMBOLS
            .iter()
            .filter_map(|(s, code)| {
                let code = if code.is_empty() { dollar? } else { code };
                Some(format!("WHEN {} THEN {}", self.lit(s), self.lit(code)))
            })
            .collect();
        format!("CASE {t} {} END", arms.join(" "))
    }

    /// The code a currency's name (any case) names.
    fn name_code(&self, t: &str) -> String {
        let arms: Vec<String> = CURRENCY_NAMES
            .iter()
            .map(|(n, code)| {
                format!(
                    "WHEN {} THEN {}",
                    self.lit(&n.to_lowercase()),
                    self.lit(code)
                )
            })
            .collect();
        format!("CASE LOWER({t}) {} END", arms.join(" "))
    }

    /// `[input] owners` compiled in, as a CTE of id keys and names (`pl_owners`), when the
    /// rules name a lookup and the table an owner column: the audit shows owners by name,
    /// and so must the figures by owner here.
    fn owner_lookup(&self) -> Option<String> {
        self.plan.owner_col?;
        let lookup = self.target.rules.input.owners.as_deref()?;
        let pairs = self
            .d
            .text_pairs(["pl_owner_key", "pl_owner_mapped"], &lookup.pairs());
        Some(format!("pl_owners AS (\n  {pairs}\n),\n"))
    }

    /// The key the lookup knows an owner cell by, as `id_key` makes it: a Salesforce
    /// 18-character id (letters and digits, not all digits) by its first 15 characters.
    fn owner_key(&self) -> String {
        let d = self.d;
        format!(
            "CASE WHEN LENGTH(pl_owner) = 18 AND {} AND NOT {} THEN SUBSTR(pl_owner, 1, 15) ELSE pl_owner END",
            d.full_match("pl_owner", "[A-Za-z0-9]{18}"),
            d.full_match("pl_owner", "[0-9]{18}")
        )
    }

    /// The summary's opening comment: the rules, dialect and as-of, the signals judged and
    /// those left to the audit.
    fn summary_header(&self, signals: &[(Signal, String)]) -> String {
        let mut q = self.title("pipelint sql --summary");
        let judged: Vec<&str> = signals.iter().map(|(s, _)| s.name()).collect();
        let _ = writeln!(
            q,
            "-- rows: one per deal, then per owner, per stage and for all deals (scope); signals judged: {}",
            if judged.is_empty() {
                "none".to_string()
            } else {
                judged.join(" ")
            }
        );
        let _ = writeln!(
            q,
            "-- not judged: pushes seen across snapshots (pushed, slipping) and their days need pipelint audit --history; a signal whose columns the export lacks never fires"
        );
        if let (Some(_), Some(lookup)) = (
            self.plan.owner_col,
            self.target.rules.input.owners.as_deref(),
        ) {
            let _ = writeln!(
                q,
                "-- owners: ids named by the owners lookup {} ([input] owners) are shown by name, as in pipelint audit; other owners as written",
                lookup.shown().replace(['\n', '\r'], " ")
            );
        }
        q
    }
}
