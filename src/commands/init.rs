//! `pipelint init`: print a rules file — drafted from an export's values (`--from`), or a
//! built-in preset to edit.

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{EXIT_PASS, stdout};
use crate::cli::PresetArg;
use crate::input;
use crate::rules::presets::{self, Preset};

pub(crate) fn run(args: &InitArgs) -> Result<u8> {
    let preset = match args.preset {
        None | Some(PresetArg::Auto) => None,
        Some(p) => presets::find(p.name()),
    };
    let text = match args.from.last() {
        Some(file) => {
            let delimiter = args
                .delimiter
                .as_deref()
                .map(input::parse_delimiter)
                .transpose()?;
            let encoding = args
                .encoding
                .as_deref()
                .map(input::parse_encoding)
                .transpose()?;
            // A file without a header row is drafted with its columns named (IN007).
            let how = input::ReadAs {
                delimiter,
                encoding,
                name_columns: true,
                ..input::ReadAs::default()
            };
            let open = |f: &str| input::open_as(f, &how);
            if args.from.len() > 1 && args.from.iter().any(|f| f == "-") {
                bail!(
                    "init --from reads several snapshots by name: standard input (-) cannot \
                     be one of them"
                );
            }
            let export = open(file)?;
            // Every snapshot is read again for the moves between them, the newest included.
            let snapshots = if args.from.len() > 1 {
                args.from.iter().map(|f| open(f)).collect::<Result<_>>()?
            } else {
                Vec::new()
            };
            let stage_history = args.stage_history.as_deref().map(open).transpose()?;
            let mut command = format!("pipelint init --from {}", args.from.join(" "));
            if let Some(h) = &args.stage_history {
                command.push_str(&format!(" --stage-history {h}"));
            }
            if let Some(p) = preset {
                command.push_str(&format!(" --preset {}", p.name));
            }
            let history = crate::draft::History {
                snapshots,
                stage_history,
            };
            crate::draft::draft(export, preset, &command, history)?
        }
        None => {
            let p = preset
                .or_else(|| presets::find("generic"))
                .context("the generic preset is missing from this build")?;
            printed_preset(p)
        }
    };
    stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(EXIT_PASS)
}

/// A preset as a rules file of one's own: its text, starting from the preset itself
/// (`[input] preset = "…"`), so that everything it repeats of the preset stays what it is
/// in the preset (columns the export lacks are skipped, not missing) while every edit
/// takes effect.
fn printed_preset(p: &Preset) -> String {
    let mut doc: toml_edit::DocumentMut = match p.text.parse() {
        Ok(doc) => doc,
        Err(_) => return p.text.to_string(),
    };
    let input = doc
        .entry("input")
        .or_insert_with(toml_edit::table)
        .as_table_mut();
    if let Some(input) = input {
        input.insert("preset", toml_edit::value(p.name));
        if let Some(mut key) = input.key_mut("preset") {
            key.leaf_decor_mut().set_prefix(
                "# Start from the built-in preset: what this file repeats of it stays optional\n\
                 # (columns the export lacks are skipped); what you change takes effect.\n",
            );
        }
    }
    format!(
        "# pipelint rules: a copy of the built-in {} preset ({}) to edit.\n\
         # To draft rules from an export's own values instead: pipelint init --from FILE\n\
         #\n{doc}",
        p.name, p.path
    )
}

/// `pipelint init`'s flags.
#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// Draft the rules from this export's values (`-` reads standard input). Several
    /// weekly snapshots of one pipeline, oldest first, order the stages by the moves deals
    /// made between them; the rules are drafted from the last
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) from: Vec<String>,

    /// An opportunity-history export (a row per stage change: OpportunityId, StageName,
    /// CreatedDate) to order the stages by the moves deals made
    #[arg(long, value_name = "FILE", requires = "from")]
    pub(crate) stage_history: Option<String>,

    /// Preset to start from (default with --from: the one that fits, if any; without:
    /// generic)
    #[arg(long, value_enum)]
    pub(crate) preset: Option<PresetArg>,

    /// Field delimiter of the export (default: detected): one character or `tab`
    #[arg(long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) encoding: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_preset_starts_from_the_preset() {
        for p in presets::PRESETS {
            let text = printed_preset(p);
            let doc: toml_edit::DocumentMut = text.parse().expect("valid TOML");
            assert_eq!(doc["input"]["preset"].as_str(), Some(p.name), "{}", p.name);
        }
    }
}
