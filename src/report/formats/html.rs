//! `-f html`: one self-contained page for the pipeline meeting. It works offline and with
//! scripts off: no network, no external assets (a Content-Security-Policy forbids them and
//! allows only this page's own style and script, by hash); charts are inline SVG drawn
//! here (completeness by field; open deals and amount by risk band; open and at-risk
//! amount by owner); the tables are the shared sections (`sections.rs`), made sortable and
//! filterable by a small script when scripts run; every finding up to 10,000, then a note.
//! It prints well. Every value is escaped by maud, which escapes by default.

use std::io::{self, Write};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::diag::Severity;
use crate::report::sections::{self, Section, Span, Tone, amounts};
use crate::report::view::Report;
use crate::report::view::rows::{Amount, ChangesRow};
use crate::report::{EmitOptions, Emitter};
use crate::score::Band;
use crate::words::{plural, thousands};

/// Findings (and deals at risk) the page lists at least; `--top` may ask for more.
pub(crate) const LISTED: usize = 10_000;

/// Owners charted (the largest open amounts).
const CHARTED_OWNERS: usize = 12;

pub(crate) struct HtmlEmitter;

impl Emitter for HtmlEmitter {
    fn emit(&self, report: &Report<'_>, o: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        let page = page(report, o.top.max(LISTED));
        out.write_all(page.into_string().as_bytes())?;
        out.write_all(b"\n")
    }
}

/// The page's style sheet. Its SHA-256 is in the Content-Security-Policy: change both
/// together (a test checks them).
const STYLE: &str = r#"
:root{--fg:#1d2430;--muted:#5b6576;--line:#d8dde6;--bg:#fff;--head:#f3f5f8;--high:#c62828;--medium:#ef8f00;--low:#2e7d32;--bar:#3b6fb6;--risk:#c62828;--err:#c62828;--warn:#a15c00;--info:#1f5fa8}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.sub{color:var(--muted);margin:0 0 16px}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.summary dt{font-weight:600;color:var(--muted)}dl.summary dd{margin:0}
.gate{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:700;color:#fff}
.passed{background:var(--low)}.failed{background:var(--high)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:16px;margin-top:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px}
figcaption{font-weight:600;margin-bottom:6px}
svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:var(--fg)}
rect.bar{fill:var(--bar)}rect.risk{fill:var(--risk)}rect.high{fill:var(--high)}rect.medium{fill:var(--medium)}rect.low{fill:var(--low)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--head);white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th[aria-sort]{cursor:pointer}th[aria-sort="ascending"]::after{content:" \25B2"}th[aria-sort="descending"]::after{content:" \25BC"}
.error{color:var(--err);font-weight:600}.warning{color:var(--warn);font-weight:600}.info{color:var(--info)}
.more,.empty{color:var(--muted);font-style:italic}
input.filter{margin:4px 0;padding:4px 8px;width:280px;max-width:100%;border:1px solid var(--line);border-radius:4px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{body{padding:0;max-width:none}input.filter{display:none}h2{break-after:avoid}tr,figure{break-inside:avoid}.table-wrap{overflow:visible}a{color:inherit;text-decoration:none}}
"#;

/// Sorting and filtering, added only when scripts run (the tables work without it). The
/// page's address may carry `#q=TEXT` to start filtered; TEXT that is not valid
/// percent-encoding (`#q=100%`) is taken as written, since a thrown URIError would stop
/// the whole script. Its SHA-256 is in the policy.
const SCRIPT: &str = r##"
(function () {
  "use strict";
  function value(cell, numeric) {
    var t = cell.textContent.trim();
    if (!numeric) return t.toLowerCase();
    var n = parseFloat(t.replace(/[^0-9.\-]/g, ""));
    return isNaN(n) ? -Infinity : n;
  }
  function sort(table, index, th) {
    var numeric = th.classList.contains("num");
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
      c.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a.cells[index], numeric), y = value(b.cells[index], numeric);
      return x < y ? -dir : x > y ? dir : 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function decoded(text) {
    try { return decodeURIComponent(text); } catch (e) { return text; }
  }
  var start = location.hash.indexOf("#q=") === 0 ? decoded(location.hash.slice(3)) : "";
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter rows of this table");
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    table.parentNode.insertBefore(input, table);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sort(table, i, th); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(table, i, th); }
      });
    });
    if (start) { input.value = start; input.dispatchEvent(new Event("input")); }
  });
  document.documentElement.classList.add("js");
})();
"##;

/// The Content-Security-Policy: nothing from the network, and of inline code only this
/// page's own style sheet and script, named by their SHA-256 (computed here, so an edit to
/// either can never leave the policy naming an old one).
fn policy() -> String {
    format!(
        "default-src 'none'; style-src '{}'; script-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    )
}

/// `sha256-<base64>` of an inline element's text, as CSP names it.
fn csp_hash(text: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn page(report: &Report<'_>, top: usize) -> Markup {
    let summary = sections::summary(report);
    let gate = report.gate();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(policy());
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("pipelint ", env!("CARGO_PKG_VERSION")));
                title { (shown(&summary.title)) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "Pipeline audit" }
                    p.sub { (shown(&summary.title)) " · as of " (report.as_of().to_string()) }
                    p {
                        @if gate.passed {
                            span.gate.passed { "Gate passed" }
                        } @else {
                            span.gate.failed { "Gate failed" }
                            " " (shown(&gate.reasons.join("; ")))
                        }
                    }
                    dl.summary {
                        @for (label, spans) in &summary.lines {
                            dt { (label) }
                            dd { (spans_html(spans)) }
                        }
                    }
                }
                section.charts aria-label="Charts" {
                    (completeness_chart(report))
                    @if report.has_stages() {
                        (band_chart(report))
                        (owner_chart(report))
                    }
                    @if let Some(changes) = report.changes() {
                        (waterfall_chart(changes))
                    }
                    @if let Some(history) = report.history() {
                        (crate::report::formats::html_trends::trend_chart(&history.trends, chart_currency(report).flatten().as_deref()))
                    }
                }
                @for section in sections::sections(report, top) {
                    (section_html(&section))
                }
                footer {
                    "Generated by pipelint " (env!("CARGO_PKG_VERSION"))
                    ". Every figure is also in the JSON report (pipelint audit … -f json)."
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// Text from the export as the page shows it: control characters, bidirectional overrides
/// and noncharacters made visible (a right-to-left override could make a deal's name read
/// as another's; a C0 control or a noncharacter is an HTML parse error); maud then escapes
/// it for HTML.
pub(super) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::report::formats::escape::terminal(text)
}

fn tone_class(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Plain | Tone::Passed => None,
        Tone::Failed | Tone::Severity(Severity::Error) => Some("error"),
        Tone::Severity(Severity::Warning) => Some("warning"),
        Tone::Severity(Severity::Info) => Some("info"),
    }
}

/// A cell's classes: `num` for figures (right-aligned), and its tone.
fn cell_class(numeric: bool, tone: Tone) -> Option<String> {
    match (numeric, tone_class(tone)) {
        (false, None) => None,
        (true, None) => Some("num".to_string()),
        (false, Some(t)) => Some(t.to_string()),
        (true, Some(t)) => Some(format!("num {t}")),
    }
}

fn spans_html(spans: &[Span]) -> Markup {
    html! {
        @for s in spans {
            @match tone_class(s.tone) {
                Some(class) => span class=(class) { (shown(&s.text)) },
                None => (shown(&s.text)),
            }
        }
    }
}

fn section_html(section: &Section) -> Markup {
    html! {
        section {
            h2 { (shown(&section.title)) }
            @if section.rows.is_empty() {
                @if let Some(empty) = &section.empty { p.empty { (shown(empty)) } }
            } @else {
                div.table-wrap {
                    table.data {
                        thead { tr {
                            @for c in &section.columns {
                                th class=[c.numeric.then_some("num")] scope="col" { (c.name) }
                            }
                        } }
                        tbody {
                            @for row in &section.rows {
                                tr {
                                    @for (c, span) in section.columns.iter().zip(row) {
                                        td class=[cell_class(c.numeric, span.tone)] { (shown(&span.text)) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(more) = &section.more { p.more { (shown(more)) } }
            }
        }
    }
}

/// One row of a bar chart: a label, and bars (value, colour class, text shown).
struct Bars {
    label: String,
    bars: Vec<(f64, &'static str, String)>,
}

/// A horizontal bar chart drawn as SVG: labels on the left, bars scaled to `max`.
fn bar_chart(title: &str, rows: &[Bars], max: f64, legend: &[(&'static str, &str)]) -> Markup {
    const WIDTH: f64 = 560.0;
    const LABEL: f64 = 170.0;
    const BAR_AREA: f64 = 250.0;
    const BAR: f64 = 14.0;
    let row_height = |r: &Bars| r.bars.len().max(1) as f64 * (BAR + 2.0) + 8.0;
    let legend_height = if legend.is_empty() { 0.0 } else { 22.0 };
    let height: f64 = rows.iter().map(row_height).sum::<f64>() + legend_height + 4.0;
    let scale = if max > 0.0 { BAR_AREA / max } else { 0.0 };
    let mut y = legend_height;
    html! {
        figure {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {height:.0}"))
                width=(WIDTH) height=(format!("{height:.0}")) font-size="12" role="img" aria-label=(title) {
                @for (i, (var, name)) in legend.iter().enumerate() {
                    rect class=(var) fill=(fill(var)) x=(format!("{:.0}", LABEL + i as f64 * 150.0)) y="4" width="12"
                        height="12" {}
                    text x=(format!("{:.0}", LABEL + 16.0 + i as f64 * 150.0)) y="14" { (name) }
                }
                @for r in rows {
                    @let top = { let t = y; y += row_height(r); t };
                    text x="0" y=(format!("{:.0}", top + BAR)) {
                        title { (shown(&r.label)) }
                        (shown(&clip_label(&r.label)))
                    }
                    @for (j, (value, var, shown)) in r.bars.iter().enumerate() {
                        @let by = top + j as f64 * (BAR + 2.0);
                        @let w = (value.max(0.0) * scale).max(if *value > 0.0 { 1.0 } else { 0.0 });
                        rect class=(var) fill=(fill(var)) x=(format!("{LABEL:.0}")) y=(format!("{by:.0}"))
                            width=(format!("{w:.1}")) height=(format!("{BAR:.0}")) {}
                        text x=(format!("{:.1}", LABEL + w + 4.0)) y=(format!("{:.0}", by + BAR - 3.0)) { (shown) }
                    }
                }
            }
        }
    }
}

/// A bar's colour as an SVG attribute too, so that a chart reads even where the style
/// sheet is not applied (a mail client, a viewer that drops `<style>`).
fn fill(class: &str) -> &'static str {
    match class {
        "high" | "risk" => "#c62828",
        "medium" => "#ef8f00",
        "low" => "#2e7d32",
        _ => "#3b6fb6",
    }
}

/// Chart labels are cut to fit; the full text is the element's SVG title.
pub(super) fn clip_label(label: &str) -> String {
    match label.char_indices().nth(24) {
        Some((end, _)) => format!("{}…", &label[..end]),
        None => label.to_string(),
    }
}

fn completeness_chart(report: &Report<'_>) -> Markup {
    let rows: Vec<Bars> = report
        .by_field()
        .iter()
        .filter_map(|f| {
            let rate = f.rate?;
            Some(Bars {
                label: f.field.clone(),
                bars: vec![(rate, "bar", format!("{rate:.1}%"))],
            })
        })
        .collect();
    bar_chart("Completeness by field", &rows, 100.0, &[])
}

/// An amount as a chart shows it: a length to draw and the exact amount in words.
type Drawn = (f64, String);

/// The amount of `currency` in a list of per-currency amounts: a length to draw (a chart's
/// bar needs no exactness) and the exact amount as the tables show it, with the deals that
/// have no amount (`without`) said rather than drawn as nothing.
fn amount_in(list: &[Amount], currency: Option<&str>, without: u64) -> Drawn {
    let missing = |w: u64| format!("{} without an amount", thousands(w));
    match (
        list.iter().find(|a| a.currency.as_deref() == currency),
        without,
    ) {
        (Some(a), w) => {
            let exact = amounts(std::slice::from_ref(a));
            let shown = if w == 0 {
                exact
            } else {
                format!("{exact} ({})", missing(w))
            };
            (a.amount.parse::<f64>().unwrap_or(0.0), shown)
        }
        (None, 0) => (0.0, "none".to_string()),
        (None, w) if list.is_empty() => (0.0, format!("no amount on {}", thousands(w))),
        (None, w) => (0.0, format!("none; {}", missing(w))),
    }
}

/// The currency charts draw: the one with the largest open amount.
fn chart_currency(report: &Report<'_>) -> Option<Option<String>> {
    report
        .summary()
        .open_amount
        .iter()
        .max_by(|a, b| {
            let x = a.amount.parse::<f64>().unwrap_or(0.0);
            let y = b.amount.parse::<f64>().unwrap_or(0.0);
            x.total_cmp(&y)
        })
        .map(|a| a.currency.clone())
}

fn band_chart(report: &Report<'_>) -> Markup {
    let s = report.summary();
    let currency = chart_currency(report);
    let by_band = report.open_by_band();
    let counts = [s.risk.high, s.risk.medium, s.risk.low];
    let max_count = counts.iter().copied().max().unwrap_or(0) as f64;
    let sums: Vec<(f64, String)> = by_band
        .iter()
        .map(|(_, list, without)| {
            currency.as_ref().map_or((0.0, String::new()), |c| {
                amount_in(list, c.as_deref(), *without)
            })
        })
        .collect();
    let max_amount = sums.iter().map(|s| s.0).fold(0.0, f64::max);
    // Both bars of a band share one scale: each is drawn as a share of its own maximum.
    let rows: Vec<Bars> = by_band
        .iter()
        .zip(counts)
        .zip(sums)
        .map(|(((band, _, _), count), (amount, shown))| {
            let var = match band {
                Band::High => "high",
                Band::Medium => "medium",
                Band::Low => "low",
            };
            let share = |v: f64, m: f64| if m > 0.0 { v / m } else { 0.0 };
            let mut bars = vec![(
                share(count as f64, max_count),
                var,
                format!("{} deal{}", thousands(count), plural(count)),
            )];
            if currency.is_some() {
                bars.push((share(amount, max_amount), var, shown));
            }
            Bars {
                label: format!("{} risk", band.as_str()),
                bars,
            }
        })
        .collect();
    bar_chart("Open deals and amount by risk band", &rows, 1.0, &[])
}

/// The open pipeline from the previous snapshot to this one, term by term: the additions
/// in green, the subtractions in red, begin and end in blue (each currency its own chart
/// row group; the first currency only when there are several, as the other charts do).
fn waterfall_chart(changes: &ChangesRow) -> Markup {
    let Some(w) = changes.waterfall.first() else {
        return html! {};
    };
    // Nothing moved the open amount (a week of pushes only): said, not drawn as two equal
    // bars around seven empty ones.
    if let Some(words) = crate::report::sections::changes::unchanged_words(changes) {
        return html! {
            figure {
                figcaption { "Open pipeline since the previous snapshot" }
                p.empty { (shown(&words)) }
            }
        };
    }
    let c = w.currency.as_deref();
    let value = |v: &str| v.parse::<f64>().unwrap_or(0.0);
    let shown = |v: &str, sign: &str| {
        // Nothing added or taken away is shown as 0.00, not "-0.00".
        let sign = if value(v) == 0.0 { "" } else { sign };
        let amount = amounts(&[Amount {
            currency: c.map(str::to_string),
            amount: v.to_string(),
        }]);
        format!("{sign}{amount}")
    };
    let terms: [(&str, &str, &'static str, &str); 9] = [
        ("begin", &w.begin, "bar", ""),
        ("+ new", &w.new, "low", "+"),
        ("+ reopened", &w.reopened, "low", "+"),
        ("+ increased", &w.increased, "low", "+"),
        ("- decreased", &w.decreased, "risk", "-"),
        ("- won", &w.won, "risk", "-"),
        ("- lost", &w.lost, "risk", "-"),
        ("- vanished", &w.vanished, "risk", "-"),
        ("end", &w.end, "bar", ""),
    ];
    let max = terms.iter().map(|t| value(t.1)).fold(0.0, f64::max);
    let rows: Vec<Bars> = terms
        .iter()
        .map(|(label, v, class, sign)| Bars {
            label: label.to_string(),
            bars: vec![(value(v), *class, shown(v, sign))],
        })
        .collect();
    let title = format!(
        "Open pipeline since the previous snapshot{}",
        c.map_or(String::new(), |c| format!(" ({c})"))
    );
    bar_chart(&title, &rows, max, &[])
}

fn owner_chart(report: &Report<'_>) -> Markup {
    let Some(currency) = chart_currency(report) else {
        return html! {};
    };
    let c = currency.as_deref();
    let mut owners: Vec<(String, Drawn, Drawn)> = report
        .by_owner()
        .iter()
        // An owner whose open deals have no amount is charted with that said, not left out.
        .filter(|r| r.figures.open > 0)
        .map(|r| {
            let f = &r.figures;
            (
                r.owner.clone().unwrap_or_else(|| "(no owner)".to_string()),
                amount_in(&f.open_amount, c, f.open_without_amount),
                amount_in(&f.at_risk_amount, c, f.at_risk_without_amount),
            )
        })
        .collect();
    owners.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let more = owners.len().saturating_sub(CHARTED_OWNERS);
    owners.truncate(CHARTED_OWNERS);
    let max = owners.iter().map(|o| o.1.0).fold(0.0, f64::max);
    let rows: Vec<Bars> = owners
        .into_iter()
        .map(|(owner, open, risk)| Bars {
            label: owner,
            bars: vec![(open.0, "bar", open.1), (risk.0, "risk", risk.1)],
        })
        .collect();
    let title = match (c, more) {
        (Some(c), 0) => format!("Open and at-risk amount by owner ({c})"),
        (Some(c), n) => format!(
            "Open and at-risk amount by owner ({c}; the {CHARTED_OWNERS} largest, {n} more in the table)"
        ),
        (None, 0) => "Open and at-risk amount by owner".to_string(),
        (None, n) => format!(
            "Open and at-risk amount by owner (the {CHARTED_OWNERS} largest, {n} more in the table)"
        ),
    };
    bar_chart(
        &title,
        &rows,
        max,
        &[("bar", "open"), ("risk", "at risk (high band)")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    /// A known vector, so the hash is the one browsers compute (base64 of the raw digest).
    #[test]
    fn csp_hashes_are_base64_sha256() {
        assert_eq!(
            csp_hash("abc"),
            "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        let policy = policy();
        assert!(policy.contains(&csp_hash(STYLE)) && policy.contains(&csp_hash(SCRIPT)));
    }

    #[test]
    fn chart_labels_are_cut_to_fit() {
        assert_eq!(clip_label("short"), "short");
        assert_eq!(clip_label(&"é".repeat(30)).chars().count(), 25);
    }
}
