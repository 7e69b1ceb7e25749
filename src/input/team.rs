//! The team file of `[team] file = "team.csv"` (or `act --team FILE`): who owns whom, and
//! how to reach them, one owner per row, as the export writes the owner:
//!
//! ```text
//! owner,manager,email,slack,teams,team
//! Ann Lee,Dee Park,ann@example.com,U012ABCDEF,ann@example.com,East
//! Dee Park,,dee@example.com,U034GHIJKL,,East
//! ```
//!
//! Columns by name, any order and case; only `owner` is required. An unknown column is an
//! error (a typo would silently drop a way to reach people), with the nearest name; so is a
//! manager who is not an owner of the file, and an owner listed twice. Every problem names
//! the file, line and column, and how to fix it.

use std::path::Path;

/// The columns a team file may have.
pub(crate) const COLUMNS: [&str; 6] = ["owner", "manager", "email", "slack", "teams", "team"];

/// One person of the team file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Member {
    /// The owner as the export writes it.
    pub(crate) owner: String,
    pub(crate) manager: Option<String>,
    pub(crate) email: Option<String>,
    /// A Slack member id (U…), for direct messages with a bot token.
    pub(crate) slack: Option<String>,
    /// A Teams (or other) handle.
    pub(crate) teams: Option<String>,
    pub(crate) team: Option<String>,
    /// The line of the file it is on.
    pub(crate) line: u64,
}

/// The team, read once per run.
#[derive(Clone, Debug, Default)]
pub(crate) struct Team {
    /// In file order.
    pub(crate) members: Vec<Member>,
    /// Folded owner → index into `members`.
    index: std::collections::HashMap<String, usize>,
    /// The owner as the file writes it (trimmed) → index: most lookups, without folding.
    exact: std::collections::HashMap<String, usize>,
}

impl Team {
    /// The member an owner cell names (trimmed; case and inner spaces ignored).
    pub(crate) fn member(&self, owner: &str) -> Option<&Member> {
        let at = match self.exact.get(owner.trim()) {
            Some(&i) => Some(i),
            None => self.index.get(&fold(owner)).copied(),
        };
        at.and_then(|i| self.members.get(i))
    }

    /// Read the team file at `path`; every problem, each naming the file, line and column.
    pub(crate) fn read(path: &Path) -> Result<Team, Vec<String>> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            vec![format!(
                "cannot read the team file {shown}: {e}; write its path relative to the rules file, or as an absolute path"
            )]
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = super::side::not_utf8_line(&e);
            vec![format!(
                "the team file {shown}:{line} is not UTF-8; save it as UTF-8 CSV"
            )]
        })?;
        parse(&text, path)
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parse a team file's text (`path` names it in messages).
pub(crate) fn parse(text: &str, path: &Path) -> Result<Team, Vec<String>> {
    let shown = path.display().to_string();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = super::side::reader(text);
    let mut problems = Vec::new();
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![format!(
                "the team file {shown}:1: {e}; save it as a CSV with a header row such as owner,manager,email,slack,teams,team"
            )]);
        }
    };
    let mut at = [None; 6];
    for (i, h) in header.iter().enumerate() {
        match COLUMNS.iter().position(|c| c == h) {
            Some(c) if at[c].is_some() => problems.push(format!(
                "the team file {shown}:1:{}: column `{h}` appears twice; keep one",
                i + 1
            )),
            Some(c) => at[c] = Some(i),
            None => problems.push(format!(
                "the team file {shown}:1:{}: unknown column `{h}`{}",
                i + 1,
                crate::suggest::hint_then(
                    h,
                    COLUMNS,
                    &format!("the columns are {}", COLUMNS.join(", "))
                )
            )),
        }
    }
    let Some(owner_at) = at[0] else {
        problems.push(format!(
            "the team file {shown}:1: no `owner` column; name the column that holds each owner as the export writes it `owner`"
        ));
        return Err(problems);
    };
    let mut members: Vec<Member> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(format!("the team file {shown}:{line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |c: usize| -> Option<String> {
            at[c]
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let Some(owner) = cell(0) else {
            problems.push(format!(
                "the team file {shown}:{line}:{}: the owner is empty; fill it in as the export writes it, or remove the row",
                owner_at + 1
            ));
            continue;
        };
        if let Some(first) = members.iter().find(|m| fold(&m.owner) == fold(&owner)) {
            problems.push(format!(
                "the team file {shown}:{line}:{}: owner `{owner}` is listed again (first on line {}); keep one row per owner",
                owner_at + 1,
                first.line
            ));
            continue;
        }
        let email = cell(2);
        if let (Some(e), Some(i)) = (&email, at[2]) {
            if !looks_like_email(e) {
                problems.push(format!(
                    "the team file {shown}:{line}:{}: `{e}` is not an email address",
                    i + 1
                ));
            }
        }
        members.push(Member {
            owner,
            manager: cell(1),
            email,
            slack: cell(3),
            teams: cell(4),
            team: cell(5),
            line,
        });
    }
    if let Some(m_at) = at[1] {
        for m in &members {
            if let Some(manager) = &m.manager {
                if !members.iter().any(|o| fold(&o.owner) == fold(manager)) {
                    problems.push(format!(
                        "the team file {shown}:{}:{}: manager `{manager}` of `{}` is not an owner of the file; add a row for them (with how to reach them), or fix the name",
                        m.line,
                        m_at + 1,
                        m.owner
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        let index = members
            .iter()
            .enumerate()
            .map(|(i, m)| (fold(&m.owner), i))
            .collect();
        let exact = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.owner.clone(), i))
            .collect();
        Ok(Team {
            members,
            index,
            exact,
        })
    } else {
        Err(problems)
    }
}

/// One `@`, something on both sides, a dot after it, no spaces.
fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse(text, Path::new("team.csv")).err().unwrap_or_default()
    }

    #[test]
    fn reads_members_by_column_name_in_any_order() {
        let team = parse(
            "\u{feff}Email,OWNER,manager\nann@example.com, Ann  Lee ,Dee Park\ndee@example.com,Dee Park,\n",
            Path::new("team.csv"),
        )
        .expect("valid");
        assert_eq!(team.members.len(), 2);
        let ann = team.member("ann lee").expect("Ann");
        assert_eq!(ann.manager.as_deref(), Some("Dee Park"));
        assert_eq!(ann.email.as_deref(), Some("ann@example.com"));
        assert_eq!(ann.line, 2);
        assert_eq!(
            team.member("Dee Park").and_then(|m| m.manager.clone()),
            None
        );
    }

    #[test]
    fn every_problem_names_the_line_and_column() {
        assert_eq!(
            problems("owner,manger,email\nAnn Lee,Dee Park,ann@example\n,x,\nAnn Lee,,\n"),
            vec![
                "the team file team.csv:1:2: unknown column `manger`; did you mean `manager`? The columns are owner, manager, email, slack, teams, team",
                "the team file team.csv:2:3: `ann@example` is not an email address",
                "the team file team.csv:3:1: the owner is empty; fill it in as the export writes it, or remove the row",
                "the team file team.csv:4:1: owner `Ann Lee` is listed again (first on line 2); keep one row per owner",
            ]
        );
        assert_eq!(
            problems("owner,manager\nAnn Lee,Dee Park\n"),
            vec![
                "the team file team.csv:2:2: manager `Dee Park` of `Ann Lee` is not an owner of the file; add a row for them (with how to reach them), or fix the name"
            ]
        );
        assert_eq!(
            problems("name,email\nAnn,a@b.c\n")[1],
            "the team file team.csv:1: no `owner` column; name the column that holds each owner as the export writes it `owner`"
        );
    }
}
