
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'pipelint' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'pipelint'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'pipelint' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Audit one or more exports (audited as one pipeline)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What changed from one export of a pipeline to a later one: the open-pipeline waterfall, slipped and pushed deals, movements, CHG findings')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Store weekly snapshots in a SQLite history, list them, and backtest the risk signals')
            [CompletionResult]::new('act', 'act', [CompletionResultType]::ParameterValue, 'Run the playbooks: audit as `audit --history`, route each exception to the person who can act on it, record one digest per recipient in the history''s outbox and send it, once (--dry-run: show what would go to whom)')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'Inspect and manage the outbox of `pipelint act`')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Profile an export: encoding, delimiter, records; per column the fill rate, placeholders, distinct and top values, type and date format')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Print a rules file: drafted from an export''s values (--from), or a preset to edit')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'Validate or list rules')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'Compile the rules to one SQL query over a warehouse table whose columns are the export''s headers: the findings of every check SQL evaluates (the rest are named in its opening comment)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a check code: what it checks, why, an example, how to fix, configuration')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page, or write every page (one per subcommand) into a directory')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;audit' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Rules file (default: ./pipelint.toml if present, else the detected preset)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Rules file (default: ./pipelint.toml if present, else the detected preset)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Built-in preset to start from; `auto` picks the one matching the header')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The date treated as today for every date check (default: today)')
            [CompletionResult]::new('--previous', '--previous', [CompletionResultType]::ParameterName, 'Compare with this earlier export of the same pipeline (last week''s): the change checks CHG001-CHG005 and what changed')
            [CompletionResult]::new('--previous-as-of', '--previous-as-of', [CompletionResultType]::ParameterName, 'The date the previous export is audited as of (default: --as-of minus 7 days)')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'Compare with the latest snapshot stored in this history before --as-of (as --previous), and add serial slippage (HYG009), streaks, owner trends and commit accuracy from the whole stored history')
            [CompletionResult]::new('--quota', '--quota', [CompletionResultType]::ParameterName, 'Quota file (CSV: owner, period such as FY2027-Q1, amount, currency): coverage of the fiscal quarter that holds --as-of')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Break the win rate, cycle and won size down by this column (a field or any header, e.g. "Lead Source")')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format on stdout (or to --output)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout (or to --output)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to PATH instead of stdout (atomically)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to PATH instead of stdout (atomically)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write FORMAT to PATH, e.g. --report json=audit.json (repeatable)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Limit the deal tables, findings and owner lists to this owner''s deals, as the export writes the name (repeatable); the summary still describes the whole pipeline')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Lowest severity that fails the gate (default: [gate] fail_on, else error)')
            [CompletionResult]::new('--min-completeness', '--min-completeness', [CompletionResultType]::ParameterName, 'Fail the gate when overall completeness is below PCT (0-100)')
            [CompletionResult]::new('--max-high-risk', '--max-high-risk', [CompletionResultType]::ParameterName, 'Fail the gate when more than N open deals are high risk')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only these check codes or prefixes (comma-separated), e.g. REQ,VAL001')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Switch off these check codes or prefixes (comma-separated)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many findings the table lists')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0 = one per core; more than the machine runs at once are clamped)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'Field delimiter of the export (default: [input] delimiter, else ,): one character or `tab`')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'Pass the gate on an export with no deals (by default it fails: a sync that lost its rows)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit code (and any -o/--report files) carry the result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stdout; the exit code (and any -o/--report files) carry the result')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'pipelint;diff' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Rules file (default: ./pipelint.toml if present, else the preset NEW fits)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Rules file (default: ./pipelint.toml if present, else the preset NEW fits)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Built-in preset to start from; `auto` picks the one matching NEW''s header')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The date NEW is audited as of (default: today)')
            [CompletionResult]::new('--previous-as-of', '--previous-as-of', [CompletionResultType]::ParameterName, 'The date OLD is audited as of (default: --as-of minus 7 days)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the change view to PATH instead of stdout (atomically)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the change view to PATH instead of stdout (atomically)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many deals each list shows')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0 = one per core)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (a terminal, unless NO_COLOR), always, never')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'pipelint;history' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Audit an export and store its snapshot (replacing one stored for the same as-of)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the stored snapshots')
            [CompletionResult]::new('backtest', 'backtest', [CompletionResultType]::ParameterValue, 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Fit the risk weights to the stored history''s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;history;add' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file (created when missing)')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The snapshot''s date ("today" for its date checks; default: the current date)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Rules file (default: ./pipelint.toml, else the detected preset)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Rules file (default: ./pipelint.toml, else the detected preset)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Built-in preset, overriding the rules file''s')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'Field delimiter (default: detected): one character or `tab`')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0 = one per core)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;history;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;history;backtest' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;history;calibrate' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format: the comparison table, pipelint.calibration/1 JSON, or the [risk] block to paste into the rules')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: the comparison table, pipelint.calibration/1 JSON, or the [risk] block to paste into the rules')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;history;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Audit an export and store its snapshot (replacing one stored for the same as-of)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the stored snapshots')
            [CompletionResult]::new('backtest', 'backtest', [CompletionResultType]::ParameterValue, 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Fit the risk weights to the stored history''s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;history;help;add' {
            break
        }
        'pipelint;history;help;list' {
            break
        }
        'pipelint;history;help;backtest' {
            break
        }
        'pipelint;history;help;calibrate' {
            break
        }
        'pipelint;history;help;help' {
            break
        }
        'pipelint;act' {
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'The history file: the previous snapshots, and the outbox')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Rules file with the [[playbooks]] (default: ./pipelint.toml)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Rules file with the [[playbooks]] (default: ./pipelint.toml)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Built-in preset, overriding the rules file''s')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'The team file (owner, manager, email, slack, teams, team), over [team] file')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'The date the run is as of (default: the current date)')
            [CompletionResult]::new('--quota', '--quota', [CompletionResultType]::ParameterName, 'Quotas per owner, for coverage_below playbooks')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format: a table, or pipelint.outbox/1 JSON')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: a table, or pipelint.outbox/1 JSON')
            [CompletionResult]::new('--tasks', '--tasks', [CompletionResultType]::ParameterName, 'Write a CRM task import file: one row per playbook action with a `task`')
            [CompletionResult]::new('--tasks-format', '--tasks-format', [CompletionResultType]::ParameterName, 'The CRM the task file is for')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the audit as FORMAT to PATH, e.g. --report html=pipeline.html (repeatable); each digest links to the HTML one, or to --report-url')
            [CompletionResult]::new('--report-url', '--report-url', [CompletionResultType]::ParameterName, 'Where the HTML report is published (an https:// or http:// address): the link each digest carries, instead of the --report html path')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads (0 = one per core)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be sent to whom; store and send nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors and the outcome')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors and the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'pipelint;outbox' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every message with its state (pending, sending, sent, failed, uncertain)')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send the failed messages again (--uncertain: also those that may have arrived)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Remove the messages that were sent')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;outbox;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file holding the outbox')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format: a table, or pipelint.outbox/1 JSON')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: a table, or pipelint.outbox/1 JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;outbox;retry' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file holding the outbox')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The rules whose [notify.*] say where messages go (default: ./pipelint.toml)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'The rules whose [notify.*] say where messages go (default: ./pipelint.toml)')
            [CompletionResult]::new('--uncertain', '--uncertain', [CompletionResultType]::ParameterName, 'Also send again the messages a crash left uncertain (they may have arrived)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;outbox;purge' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The history file holding the outbox')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;outbox;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every message with its state (pending, sending, sent, failed, uncertain)')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send the failed messages again (--uncertain: also those that may have arrived)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Remove the messages that were sent')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;outbox;help;list' {
            break
        }
        'pipelint;outbox;help;retry' {
            break
        }
        'pipelint;outbox;help;purge' {
            break
        }
        'pipelint;outbox;help;help' {
            break
        }
        'pipelint;profile' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many of the most common values to show per column')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'Field delimiter (default: detected): one character or `tab`')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;init' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Draft the rules from this export''s values (`-` reads standard input). Several weekly snapshots of one pipeline, oldest first, order the stages by the moves deals made between them; the rules are drafted from the last')
            [CompletionResult]::new('--stage-history', '--stage-history', [CompletionResultType]::ParameterName, 'An opportunity-history export (a row per stage change: OpportunityId, StageName, CreatedDate) to order the stages by the moves deals made')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset to start from (default with --from: the one that fits, if any; without: generic)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'Field delimiter of the export (default: detected): one character or `tab`')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;rules' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a rules file: exit 0 when valid, 2 with every problem listed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every check code with its default severity and one-line summary')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;rules;check' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;rules;list' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;rules;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a rules file: exit 0 when valid, 2 with every problem listed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every check code with its default severity and one-line summary')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;rules;help;check' {
            break
        }
        'pipelint;rules;help;list' {
            break
        }
        'pipelint;rules;help;help' {
            break
        }
        'pipelint;sql' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The rules file to compile (default: ./pipelint.toml if present, else the preset)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'The rules file to compile (default: ./pipelint.toml if present, else the preset)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset to compile, overriding the rules file''s `[input] preset` (`auto` detects it from the --like export)')
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'The SQL dialect to write')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The table (or `schema.table`) holding one row per deal; a dbt relation such as `{{ ref(''opportunities'') }}` is kept as written')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, '"Today" for the date checks (default: the warehouse''s CURRENT_DATE when the query runs)')
            [CompletionResult]::new('--like', '--like', [CompletionResultType]::ParameterName, 'An export whose header the table''s columns follow, bound to the rules exactly as `pipelint audit` binds it (default: the columns the rules name)')
            [CompletionResult]::new('--line-column', '--line-column', [CompletionResultType]::ParameterName, 'A column holding each record''s line in its export, returned as `line`')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Instead of the findings: each deal''s completeness and forecast risk (score, band, signals), then the same figures by owner, by stage and for all deals')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'pipelint;explain' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write pipelint.1 and a page per subcommand (pipelint-audit.1, …) into DIR')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'pipelint;help' {
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Audit one or more exports (audited as one pipeline)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What changed from one export of a pipeline to a later one: the open-pipeline waterfall, slipped and pushed deals, movements, CHG findings')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Store weekly snapshots in a SQLite history, list them, and backtest the risk signals')
            [CompletionResult]::new('act', 'act', [CompletionResultType]::ParameterValue, 'Run the playbooks: audit as `audit --history`, route each exception to the person who can act on it, record one digest per recipient in the history''s outbox and send it, once (--dry-run: show what would go to whom)')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'Inspect and manage the outbox of `pipelint act`')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Profile an export: encoding, delimiter, records; per column the fill rate, placeholders, distinct and top values, type and date format')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Print a rules file: drafted from an export''s values (--from), or a preset to edit')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'Validate or list rules')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'Compile the rules to one SQL query over a warehouse table whose columns are the export''s headers: the findings of every check SQL evaluates (the rest are named in its opening comment)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a check code: what it checks, why, an example, how to fix, configuration')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page, or write every page (one per subcommand) into a directory')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipelint;help;audit' {
            break
        }
        'pipelint;help;diff' {
            break
        }
        'pipelint;help;history' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Audit an export and store its snapshot (replacing one stored for the same as-of)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the stored snapshots')
            [CompletionResult]::new('backtest', 'backtest', [CompletionResultType]::ParameterValue, 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts')
            [CompletionResult]::new('calibrate', 'calibrate', [CompletionResultType]::ParameterValue, 'Fit the risk weights to the stored history''s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt')
            break
        }
        'pipelint;help;history;add' {
            break
        }
        'pipelint;help;history;list' {
            break
        }
        'pipelint;help;history;backtest' {
            break
        }
        'pipelint;help;history;calibrate' {
            break
        }
        'pipelint;help;act' {
            break
        }
        'pipelint;help;outbox' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every message with its state (pending, sending, sent, failed, uncertain)')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send the failed messages again (--uncertain: also those that may have arrived)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Remove the messages that were sent')
            break
        }
        'pipelint;help;outbox;list' {
            break
        }
        'pipelint;help;outbox;retry' {
            break
        }
        'pipelint;help;outbox;purge' {
            break
        }
        'pipelint;help;profile' {
            break
        }
        'pipelint;help;init' {
            break
        }
        'pipelint;help;rules' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate a rules file: exit 0 when valid, 2 with every problem listed')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every check code with its default severity and one-line summary')
            break
        }
        'pipelint;help;rules;check' {
            break
        }
        'pipelint;help;rules;list' {
            break
        }
        'pipelint;help;sql' {
            break
        }
        'pipelint;help;explain' {
            break
        }
        'pipelint;help;man' {
            break
        }
        'pipelint;help;completions' {
            break
        }
        'pipelint;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
