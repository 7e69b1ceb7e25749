
use builtin;
use str;

set edit:completion:arg-completer[pipelint] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'pipelint'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'pipelint'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand audit 'Audit one or more exports (audited as one pipeline)'
            cand diff 'What changed from one export of a pipeline to a later one: the open-pipeline waterfall, slipped and pushed deals, movements, CHG findings'
            cand history 'Store weekly snapshots in a SQLite history, list them, and backtest the risk signals'
            cand act 'Run the playbooks: audit as `audit --history`, route each exception to the person who can act on it, record one digest per recipient in the history''s outbox and send it, once (--dry-run: show what would go to whom)'
            cand outbox 'Inspect and manage the outbox of `pipelint act`'
            cand profile 'Profile an export: encoding, delimiter, records; per column the fill rate, placeholders, distinct and top values, type and date format'
            cand init 'Print a rules file: drafted from an export''s values (--from), or a preset to edit'
            cand rules 'Validate or list rules'
            cand sql 'Compile the rules to one SQL query over a warehouse table whose columns are the export''s headers: the findings of every check SQL evaluates (the rest are named in its opening comment)'
            cand explain 'Explain a check code: what it checks, why, an example, how to fix, configuration'
            cand man 'Print the manual page, or write every page (one per subcommand) into a directory'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;audit'= {
            cand -r 'Rules file (default: ./pipelint.toml if present, else the detected preset)'
            cand --rules 'Rules file (default: ./pipelint.toml if present, else the detected preset)'
            cand --preset 'Built-in preset to start from; `auto` picks the one matching the header'
            cand --as-of 'The date treated as today for every date check (default: today)'
            cand --previous 'Compare with this earlier export of the same pipeline (last week''s): the change checks CHG001-CHG005 and what changed'
            cand --previous-as-of 'The date the previous export is audited as of (default: --as-of minus 7 days)'
            cand --history 'Compare with the latest snapshot stored in this history before --as-of (as --previous), and add serial slippage (HYG009), streaks, owner trends and commit accuracy from the whole stored history'
            cand --quota 'Quota file (CSV: owner, period such as FY2027-Q1, amount, currency): coverage of the fiscal quarter that holds --as-of'
            cand --by 'Break the win rate, cycle and won size down by this column (a field or any header, e.g. "Lead Source")'
            cand -f 'Output format on stdout (or to --output)'
            cand --format 'Output format on stdout (or to --output)'
            cand -o 'Write the report to PATH instead of stdout (atomically)'
            cand --output 'Write the report to PATH instead of stdout (atomically)'
            cand --report 'Also write FORMAT to PATH, e.g. --report json=audit.json (repeatable)'
            cand --owner 'Limit the deal tables, findings and owner lists to this owner''s deals, as the export writes the name (repeatable); the summary still describes the whole pipeline'
            cand --fail-on 'Lowest severity that fails the gate (default: [gate] fail_on, else error)'
            cand --min-completeness 'Fail the gate when overall completeness is below PCT (0-100)'
            cand --max-high-risk 'Fail the gate when more than N open deals are high risk'
            cand --select 'Only these check codes or prefixes (comma-separated), e.g. REQ,VAL001'
            cand --ignore 'Switch off these check codes or prefixes (comma-separated)'
            cand --top 'How many findings the table lists'
            cand --threads 'Worker threads (0 = one per core; more than the machine runs at once are clamped)'
            cand --delimiter 'Field delimiter of the export (default: [input] delimiter, else ,): one character or `tab`'
            cand --encoding 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...'
            cand --color 'When to colour the table'
            cand --allow-empty 'Pass the gate on an export with no deals (by default it fails: a sync that lost its rows)'
            cand -q 'Print nothing on stdout; the exit code (and any -o/--report files) carry the result'
            cand --quiet 'Print nothing on stdout; the exit code (and any -o/--report files) carry the result'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'pipelint;diff'= {
            cand -r 'Rules file (default: ./pipelint.toml if present, else the preset NEW fits)'
            cand --rules 'Rules file (default: ./pipelint.toml if present, else the preset NEW fits)'
            cand --preset 'Built-in preset to start from; `auto` picks the one matching NEW''s header'
            cand --as-of 'The date NEW is audited as of (default: today)'
            cand --previous-as-of 'The date OLD is audited as of (default: --as-of minus 7 days)'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -o 'Write the change view to PATH instead of stdout (atomically)'
            cand --output 'Write the change view to PATH instead of stdout (atomically)'
            cand --top 'How many deals each list shows'
            cand --threads 'Worker threads (0 = one per core)'
            cand --color 'Colour: auto (a terminal, unless NO_COLOR), always, never'
            cand --encoding 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'pipelint;history'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Audit an export and store its snapshot (replacing one stored for the same as-of)'
            cand list 'List the stored snapshots'
            cand backtest 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts'
            cand calibrate 'Fit the risk weights to the stored history''s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;history;add'= {
            cand --db 'The history file (created when missing)'
            cand --as-of 'The snapshot''s date ("today" for its date checks; default: the current date)'
            cand -r 'Rules file (default: ./pipelint.toml, else the detected preset)'
            cand --rules 'Rules file (default: ./pipelint.toml, else the detected preset)'
            cand --preset 'Built-in preset, overriding the rules file''s'
            cand --delimiter 'Field delimiter (default: detected): one character or `tab`'
            cand --encoding 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...'
            cand --threads 'Worker threads (0 = one per core)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;history;list'= {
            cand --db 'The history file'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;history;backtest'= {
            cand --db 'The history file'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;history;calibrate'= {
            cand --db 'The history file'
            cand -f 'Output format: the comparison table, pipelint.calibration/1 JSON, or the [risk] block to paste into the rules'
            cand --format 'Output format: the comparison table, pipelint.calibration/1 JSON, or the [risk] block to paste into the rules'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;history;help'= {
            cand add 'Audit an export and store its snapshot (replacing one stored for the same as-of)'
            cand list 'List the stored snapshots'
            cand backtest 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts'
            cand calibrate 'Fit the risk weights to the stored history''s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;history;help;add'= {
        }
        &'pipelint;history;help;list'= {
        }
        &'pipelint;history;help;backtest'= {
        }
        &'pipelint;history;help;calibrate'= {
        }
        &'pipelint;history;help;help'= {
        }
        &'pipelint;act'= {
            cand --history 'The history file: the previous snapshots, and the outbox'
            cand -r 'Rules file with the [[playbooks]] (default: ./pipelint.toml)'
            cand --rules 'Rules file with the [[playbooks]] (default: ./pipelint.toml)'
            cand --preset 'Built-in preset, overriding the rules file''s'
            cand --team 'The team file (owner, manager, email, slack, teams, team), over [team] file'
            cand --as-of 'The date the run is as of (default: the current date)'
            cand --quota 'Quotas per owner, for coverage_below playbooks'
            cand -f 'Output format: a table, or pipelint.outbox/1 JSON'
            cand --format 'Output format: a table, or pipelint.outbox/1 JSON'
            cand --tasks 'Write a CRM task import file: one row per playbook action with a `task`'
            cand --tasks-format 'The CRM the task file is for'
            cand --report 'Also write the audit as FORMAT to PATH, e.g. --report html=pipeline.html (repeatable); each digest links to the HTML one, or to --report-url'
            cand --report-url 'Where the HTML report is published (an https:// or http:// address): the link each digest carries, instead of the --report html path'
            cand --threads 'Worker threads (0 = one per core)'
            cand --dry-run 'Show what would be sent to whom; store and send nothing'
            cand -q 'Print nothing but errors and the outcome'
            cand --quiet 'Print nothing but errors and the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'pipelint;outbox'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'Every message with its state (pending, sending, sent, failed, uncertain)'
            cand retry 'Send the failed messages again (--uncertain: also those that may have arrived)'
            cand purge 'Remove the messages that were sent'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;outbox;list'= {
            cand --db 'The history file holding the outbox'
            cand -f 'Output format: a table, or pipelint.outbox/1 JSON'
            cand --format 'Output format: a table, or pipelint.outbox/1 JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;outbox;retry'= {
            cand --db 'The history file holding the outbox'
            cand -r 'The rules whose [notify.*] say where messages go (default: ./pipelint.toml)'
            cand --rules 'The rules whose [notify.*] say where messages go (default: ./pipelint.toml)'
            cand --uncertain 'Also send again the messages a crash left uncertain (they may have arrived)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;outbox;purge'= {
            cand --db 'The history file holding the outbox'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;outbox;help'= {
            cand list 'Every message with its state (pending, sending, sent, failed, uncertain)'
            cand retry 'Send the failed messages again (--uncertain: also those that may have arrived)'
            cand purge 'Remove the messages that were sent'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;outbox;help;list'= {
        }
        &'pipelint;outbox;help;retry'= {
        }
        &'pipelint;outbox;help;purge'= {
        }
        &'pipelint;outbox;help;help'= {
        }
        &'pipelint;profile'= {
            cand -f 'Output format'
            cand --format 'Output format'
            cand --top 'How many of the most common values to show per column'
            cand --delimiter 'Field delimiter (default: detected): one character or `tab`'
            cand --encoding 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;init'= {
            cand --from 'Draft the rules from this export''s values (`-` reads standard input). Several weekly snapshots of one pipeline, oldest first, order the stages by the moves deals made between them; the rules are drafted from the last'
            cand --stage-history 'An opportunity-history export (a row per stage change: OpportunityId, StageName, CreatedDate) to order the stages by the moves deals made'
            cand --preset 'Preset to start from (default with --from: the one that fits, if any; without: generic)'
            cand --delimiter 'Field delimiter of the export (default: detected): one character or `tab`'
            cand --encoding 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;rules'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Validate a rules file: exit 0 when valid, 2 with every problem listed'
            cand list 'List every check code with its default severity and one-line summary'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;rules;check'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;rules;list'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;rules;help'= {
            cand check 'Validate a rules file: exit 0 when valid, 2 with every problem listed'
            cand list 'List every check code with its default severity and one-line summary'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;rules;help;check'= {
        }
        &'pipelint;rules;help;list'= {
        }
        &'pipelint;rules;help;help'= {
        }
        &'pipelint;sql'= {
            cand -r 'The rules file to compile (default: ./pipelint.toml if present, else the preset)'
            cand --rules 'The rules file to compile (default: ./pipelint.toml if present, else the preset)'
            cand --preset 'Preset to compile, overriding the rules file''s `[input] preset` (`auto` detects it from the --like export)'
            cand --dialect 'The SQL dialect to write'
            cand --table 'The table (or `schema.table`) holding one row per deal; a dbt relation such as `{{ ref(''opportunities'') }}` is kept as written'
            cand --as-of '"Today" for the date checks (default: the warehouse''s CURRENT_DATE when the query runs)'
            cand --like 'An export whose header the table''s columns follow, bound to the rules exactly as `pipelint audit` binds it (default: the columns the rules name)'
            cand --line-column 'A column holding each record''s line in its export, returned as `line`'
            cand --summary 'Instead of the findings: each deal''s completeness and forecast risk (score, band, signals), then the same figures by owner, by stage and for all deals'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'pipelint;explain'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;man'= {
            cand --dir 'Write pipelint.1 and a page per subcommand (pipelint-audit.1, …) into DIR'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'pipelint;help'= {
            cand audit 'Audit one or more exports (audited as one pipeline)'
            cand diff 'What changed from one export of a pipeline to a later one: the open-pipeline waterfall, slipped and pushed deals, movements, CHG findings'
            cand history 'Store weekly snapshots in a SQLite history, list them, and backtest the risk signals'
            cand act 'Run the playbooks: audit as `audit --history`, route each exception to the person who can act on it, record one digest per recipient in the history''s outbox and send it, once (--dry-run: show what would go to whom)'
            cand outbox 'Inspect and manage the outbox of `pipelint act`'
            cand profile 'Profile an export: encoding, delimiter, records; per column the fill rate, placeholders, distinct and top values, type and date format'
            cand init 'Print a rules file: drafted from an export''s values (--from), or a preset to edit'
            cand rules 'Validate or list rules'
            cand sql 'Compile the rules to one SQL query over a warehouse table whose columns are the export''s headers: the findings of every check SQL evaluates (the rest are named in its opening comment)'
            cand explain 'Explain a check code: what it checks, why, an example, how to fix, configuration'
            cand man 'Print the manual page, or write every page (one per subcommand) into a directory'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipelint;help;audit'= {
        }
        &'pipelint;help;diff'= {
        }
        &'pipelint;help;history'= {
            cand add 'Audit an export and store its snapshot (replacing one stored for the same as-of)'
            cand list 'List the stored snapshots'
            cand backtest 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts'
            cand calibrate 'Fit the risk weights to the stored history''s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt'
        }
        &'pipelint;help;history;add'= {
        }
        &'pipelint;help;history;list'= {
        }
        &'pipelint;help;history;backtest'= {
        }
        &'pipelint;help;history;calibrate'= {
        }
        &'pipelint;help;act'= {
        }
        &'pipelint;help;outbox'= {
            cand list 'Every message with its state (pending, sending, sent, failed, uncertain)'
            cand retry 'Send the failed messages again (--uncertain: also those that may have arrived)'
            cand purge 'Remove the messages that were sent'
        }
        &'pipelint;help;outbox;list'= {
        }
        &'pipelint;help;outbox;retry'= {
        }
        &'pipelint;help;outbox;purge'= {
        }
        &'pipelint;help;profile'= {
        }
        &'pipelint;help;init'= {
        }
        &'pipelint;help;rules'= {
            cand check 'Validate a rules file: exit 0 when valid, 2 with every problem listed'
            cand list 'List every check code with its default severity and one-line summary'
        }
        &'pipelint;help;rules;check'= {
        }
        &'pipelint;help;rules;list'= {
        }
        &'pipelint;help;sql'= {
        }
        &'pipelint;help;explain'= {
        }
        &'pipelint;help;man'= {
        }
        &'pipelint;help;completions'= {
        }
        &'pipelint;help;help'= {
        }
    ]
    $completions[$command]
}
