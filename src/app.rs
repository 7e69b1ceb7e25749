//! Orchestration of each command: rules → input → engine → gate → reports → exit code.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::CommandFactory;

use crate::checks::{Code, Policy};
use crate::cli::{
    AuditArgs, Cli, ColorWhen, Command, FailOnArg, Format, InitArgs, PresetArg, ProfileArgs,
    ProfileFormat, RulesCommand,
};
use crate::engine::{self, Audit, AuditOptions};
use crate::gate::{self, GateInput, GateSettings};
use crate::input::{self, Export};
use crate::report::{self, PendingFile, RenderContext};
use crate::rules::validate::PresetRef;
use crate::rules::{self, FailOn, RuleSet, UserRules, presets};

/// Exit codes (DESIGN.md).
pub const EXIT_PASS: u8 = 0;
pub const EXIT_GATE_FAILED: u8 = 1;

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Audit(args) => audit(&args),
        Command::Profile(args) => profile(&args),
        Command::Init(args) => init(&args),
        Command::Rules {
            command: RulesCommand::Check { rules },
        } => rules_check(&rules),
        Command::Rules {
            command: RulesCommand::List,
        } => rules_list(),
        Command::Explain { code } => explain(&code),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "pipelint", &mut io::stdout());
            Ok(EXIT_PASS)
        }
    }
}

/// Whether an error is a closed stdout (`pipelint … | head`), which is not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// An audit as the library runs it: which files, which rules, which date.
#[derive(Clone, Debug)]
pub struct AuditRequest {
    pub files: Vec<String>,
    /// A rules file; `None` looks for `./pipelint.toml`, then uses the detected preset.
    pub rules: Option<PathBuf>,
    /// `auto`, or a preset name, overriding the rules file's `[input] preset`.
    pub preset: Option<String>,
    pub as_of: Option<NaiveDate>,
    pub threads: usize,
    pub delimiter: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// How many of the riskiest open deals to keep for reports.
    pub top: usize,
}

impl Default for AuditRequest {
    fn default() -> Self {
        AuditRequest {
            files: Vec::new(),
            rules: None,
            preset: None,
            as_of: None,
            threads: 0,
            delimiter: None,
            select: Vec::new(),
            ignore: Vec::new(),
            top: 20,
        }
    }
}

/// Resolve the rules, open the inputs and run the engine.
pub fn load_and_audit(req: &AuditRequest) -> Result<Audit> {
    Policy::check_patterns(&req.select).map_err(anyhow::Error::msg)?;
    Policy::check_patterns(&req.ignore).map_err(anyhow::Error::msg)?;
    if req.files.iter().filter(|f| *f == "-").count() > 1 {
        bail!("standard input (-) can be audited only once per run");
    }
    let user = load_user_rules(req.rules.as_deref())?;
    let delimiter = match &req.delimiter {
        Some(d) => Some(parse_delimiter(d)?),
        None => user
            .as_ref()
            .and_then(|u| u.raw.input.delimiter.as_ref())
            .and_then(|d| rules::validate::delimiter_byte(d.get_ref())),
    };
    let exports = req
        .files
        .iter()
        .map(|f| input::open(f, delimiter))
        .collect::<Result<Vec<Export>>>()?;
    let rules = resolve_rules(user.as_ref(), req.preset.as_deref(), &exports)?;
    let options = AuditOptions {
        threads: req.threads,
        policy: Policy::new(&rules.checks, &req.select, &req.ignore),
        as_of: req.as_of.unwrap_or_else(today),
        keep_riskiest: req.top,
    };
    engine::run(rules, exports, &options)
}

fn audit(args: &AuditArgs) -> Result<u8> {
    // Output files are created first, so a bad path fails before the work.
    let mut outputs = Vec::new();
    if let Some(path) = &args.output {
        outputs.push((args.format, prepare_output(path, &args.files)?));
    }
    for (format, path) in &args.reports {
        outputs.push((*format, prepare_output(path, &args.files)?));
    }
    let audit = load_and_audit(&AuditRequest {
        files: args.files.clone(),
        rules: args.rules.clone(),
        preset: args.preset.map(|p| p.name().to_string()),
        as_of: args.as_of,
        threads: args.threads,
        delimiter: args.delimiter.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        top: args.top,
    })?;
    let rules = &audit.rules;
    let settings = GateSettings {
        fail_on: match args.fail_on {
            Some(FailOnArg::Error) => FailOn::Error,
            Some(FailOnArg::Warning) => FailOn::Warning,
            Some(FailOnArg::Never) => FailOn::Never,
            None => rules.gate.fail_on,
        },
        min_completeness: args.min_completeness.or(rules.gate.min_completeness),
        max_high_risk: args.max_high_risk.or(rules.gate.max_high_risk),
    };

    let counts = report::model::severity_counts(&audit);
    let verdict = gate::evaluate(
        &settings,
        &GateInput {
            errors: counts.error,
            warnings: counts.warning,
            infos: counts.info,
            completeness: audit.tallies.overall.completeness.rate(),
            high_risk: audit.tallies.overall.pipeline.high(),
        },
    );
    let code = if verdict.passed {
        EXIT_PASS
    } else {
        EXIT_GATE_FAILED
    };
    let model = report::model::build(&audit, verdict);

    let stdout_tty = io::stdout().is_terminal();
    let color_for = |to_terminal: bool| match args.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    for (format, pending) in outputs {
        let ctx = RenderContext {
            audit: &audit,
            model: &model,
            top: args.top,
            color: false,
            terminal: false,
        };
        let emitter = report::emitter(format);
        pending.write_with(|w| emitter.emit(&ctx, w))?;
    }
    if args.output.is_none() && !args.quiet {
        let ctx = RenderContext {
            audit: &audit,
            model: &model,
            top: args.top,
            color: args.format == Format::Table && color_for(stdout_tty),
            terminal: stdout_tty,
        };
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let written = report::emitter(args.format)
            .emit(&ctx, &mut out)
            .and_then(|_| out.flush());
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(code),
            Err(e) => return Err(e).context("cannot write to standard output"),
        }
    }
    if !args.quiet && args.format != Format::Table {
        if let Some(d) = &audit.rules.detection {
            eprintln!(
                "pipelint: using preset {} ({})",
                d.preset,
                report::table::detection_words(d)
            );
        }
    }
    Ok(code)
}

fn profile(args: &ProfileArgs) -> Result<u8> {
    let delimiter = args.delimiter.as_deref().map(parse_delimiter).transpose()?;
    let export = input::open(&args.file, delimiter)?;
    let preset = presets::detect(&export.header.cells, &export.sample)
        .ok()
        .map(|d| format!("{} ({})", d.preset, report::table::detection_words(&d)));
    let name = export.name.clone();
    let profile =
        crate::infer::FileProfile::scan(export, &crate::values::Placeholders::default(), None)
            .with_context(|| format!("cannot profile {name}"))?;
    let view = report::profile::ProfileView {
        profile: &profile,
        preset,
        top: args.top,
        terminal: io::stdout().is_terminal(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match args.format {
        ProfileFormat::Table => report::profile::write_table(&view, &mut out),
        ProfileFormat::Json => report::profile::write_json(&view, &mut out),
    }
    .and_then(|_| out.flush());
    match written {
        Ok(()) => Ok(EXIT_PASS),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(EXIT_PASS),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

fn init(args: &InitArgs) -> Result<u8> {
    let preset = match args.preset {
        None | Some(PresetArg::Auto) => None,
        Some(p) => presets::find(p.name()),
    };
    let text = match &args.from {
        Some(file) => {
            let delimiter = args.delimiter.as_deref().map(parse_delimiter).transpose()?;
            let export = input::open(file, delimiter)?;
            let mut command = format!("pipelint init --from {file}");
            if let Some(p) = preset {
                command.push_str(&format!(" --preset {}", p.name));
            }
            crate::draft::draft(export, preset, &command)?
        }
        None => {
            let p = preset
                .or_else(|| presets::find("generic"))
                .context("the generic preset is missing from this build")?;
            format!(
                "# pipelint rules: a copy of the built-in {} preset ({}) to edit.
                 # To draft rules from an export's own values instead: pipelint init --from FILE
                 #
{}",
                p.name, p.path, p.text
            )
        }
    };
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(EXIT_PASS),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(EXIT_PASS),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

fn prepare_output(path: &Path, inputs: &[String]) -> Result<PendingFile> {
    if report::is_input(path, inputs) {
        bail!(
            "refusing to write the report to {}: it is one of the inputs",
            path.display()
        );
    }
    PendingFile::create(path)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn parse_delimiter(d: &str) -> Result<u8> {
    rules::validate::delimiter_byte(d).with_context(|| {
        format!("--delimiter must be one ASCII character such as , ; | or `tab`, not {d:?}")
    })
}

/// `-r PATH`, else `./pipelint.toml` if present.
fn load_user_rules(path: Option<&Path>) -> Result<Option<UserRules>> {
    let path: PathBuf = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from("pipelint.toml");
            if !default.is_file() {
                return Ok(None);
            }
            default
        }
    };
    let text = rules::read_rules_text(&path)?;
    Ok(Some(UserRules::parse(text)))
}

/// Decide the preset (flag, else the file's `[input] preset`, else auto when there is no
/// rules file) and build the rule set.
fn resolve_rules(
    user: Option<&UserRules>,
    flag: Option<&str>,
    exports: &[Export],
) -> Result<RuleSet> {
    let wanted = match flag {
        Some("auto") => Some(PresetRef::Auto),
        Some(name) => presets::find(name).map(|p| PresetRef::Named(p.name)),
        None => match user {
            Some(u) => u.preset(),
            None => Some(PresetRef::Auto),
        },
    };
    let (preset, detection) = match wanted {
        None => (None, None),
        Some(PresetRef::Named(name)) => (presets::find(name), None),
        Some(PresetRef::Auto) => {
            let first = exports.first().context("no input files were given")?;
            let detection =
                presets::detect(&first.header.cells, &first.sample).map_err(|e| {
                    let hint = match first.header.delimiter_hint() {
                        Some(hint) => format!("\n  {hint}"),
                        None => String::new(),
                    };
                    let path = if first.name == "<stdin>" {
                        "FILE"
                    } else {
                        &first.name
                    };
                    anyhow::anyhow!(
                        "{}: {e}; draft rules for this export with `pipelint init --from {path} > pipelint.toml`, then audit with `-r pipelint.toml`{hint}",
                        first.name
                    )
                })?;
            (presets::find(detection.preset), Some(detection))
        }
    };
    Ok(rules::build(user, preset, detection)?)
}

fn rules_check(path: &Path) -> Result<u8> {
    let text = rules::read_rules_text(path)?;
    let user = UserRules::parse(text);
    let preset = match user.preset() {
        Some(PresetRef::Named(name)) => presets::find(name),
        _ => None,
    };
    let rules = rules::build(Some(&user), preset, None)?;
    let mut out = io::stdout().lock();
    let base = match rules.preset {
        Some(p) => format!(" on preset:{p}"),
        None => String::new(),
    };
    writeln!(
        out,
        "{}: valid{base} ({} field rule{}, {} stage{}, {} conditional rule{})",
        path.display(),
        rules.fields.len(),
        plural(rules.fields.len()),
        rules.stages.len(),
        plural(rules.stages.len()),
        rules.rules.len(),
        plural(rules.rules.len())
    )?;
    if user.preset() == Some(PresetRef::Auto) {
        writeln!(
            out,
            "note: preset = \"auto\" is chosen per export; stage names in conditions are checked then"
        )?;
    }
    Ok(EXIT_PASS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn rules_list() -> Result<u8> {
    let mut out = io::stdout().lock();
    writeln!(out, "{:<7} {:<8} CHECK", "CODE", "SEVERITY")?;
    for code in Code::ALL {
        writeln!(
            out,
            "{:<7} {:<8} {}",
            code.as_str(),
            code.default_severity().as_str(),
            code.summary()
        )?;
    }
    Ok(EXIT_PASS)
}

fn explain(code: &str) -> Result<u8> {
    let code: Code = code.parse().map_err(anyhow::Error::msg)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{} ({}) — {}\ndefault severity: {}\n",
        code.as_str(),
        code.slug(),
        code.summary(),
        code.default_severity()
    )?;
    writeln!(out, "{}", code.explanation())?;
    Ok(EXIT_PASS)
}
