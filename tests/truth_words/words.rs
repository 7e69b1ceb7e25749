//! The smaller untruths of issue 22, each asserted in its exact words.

use serde_json::Value;

use super::common::{AS_OF, pipelint, run};

/// The week of pushes only: Acme Renewal's close date moved once, 67 days out.
const PUSHES_BEFORE: &str = "fixtures/truth/pushes_2026-11-13.csv";
const PUSHES_NOW: &str = "fixtures/truth/pushes_2026-11-20.csv";

fn json(args: &[&str]) -> Value {
    let r = run(pipelint().args(args).args(["--as-of", AS_OF, "-f", "json"]));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn a_single_long_push_reads_pushed_once_by_its_days() {
    let doc = json(&["audit", PUSHES_NOW, "--previous", PUSHES_BEFORE]);
    let hyg009: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "HYG009")
        .map(|f| f["message"].as_str().expect("message"))
        .collect();
    assert_eq!(
        hyg009,
        [
            "close date pushed once, by 67 days (serial slippage: 2 pushes or 30 days); ask what would make this date hold, or take the deal out of the forecast"
        ]
    );
    let acme = &doc["deals"][0];
    assert_eq!(acme["name"], "Acme Renewal");
    let details: Vec<&str> = acme["risk"]["signals"]
        .as_array()
        .expect("signals")
        .iter()
        .map(|s| s["detail"].as_str().expect("detail"))
        .collect();
    assert_eq!(
        details,
        ["pushed once", "slipping: pushed once, by 67 days"]
    );
}
