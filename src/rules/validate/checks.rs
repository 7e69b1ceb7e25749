//! `[checks]`: a code's severity, or `off`.

use toml::Spanned;

use super::Checker;
use crate::diag::{CheckSetting, Code};

pub(super) fn check(
    c: &mut Checker<'_>,
    checks: &[(Spanned<String>, Spanned<String>)],
) -> Vec<(Code, CheckSetting)> {
    let mut out = Vec::new();
    for (key, value) in checks {
        let code = match key.get_ref().parse::<Code>() {
            Ok(code) => code,
            Err(e) => {
                c.problem(key.span(), e);
                continue;
            }
        };
        match value.get_ref().parse::<CheckSetting>() {
            Ok(CheckSetting::Off) if !code.can_disable() => {
                c.problem(value.span(), format!("{code} cannot be switched off"));
            }
            Ok(setting) => out.push((code, setting)),
            Err(e) => c.problem(value.span(), format!("[checks] {code}: {e}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;

    #[test]
    fn codes_and_settings_are_checked() {
        let p = problems(
            "[checks]\nHYG01 = \"off\"\nIN001 = \"off\"\nVAL003 = \"of\"\nreq001 = \"info\"\n",
        );
        assert_eq!(
            p,
            vec![
                "r.toml:2:1: unknown check code `HYG01`; did you mean `HYG001`? `pipelint rules list` shows them all",
                "r.toml:3:9: IN001 cannot be switched off",
                "r.toml:4:10: [checks] VAL003: unknown setting `of`; use \"error\", \"warning\", \"info\" or \"off\"",
            ]
        );
    }
}
