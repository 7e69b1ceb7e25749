# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pipelint_global_optspecs
    string join \n h/help V/version
end

function __fish_pipelint_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pipelint_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pipelint_using_subcommand
    set -l cmd (__fish_pipelint_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pipelint -n "__fish_pipelint_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipelint -n "__fish_pipelint_needs_command" -s V -l version -d 'Print version'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "audit" -d 'Audit one or more exports (audited as one pipeline)'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "diff" -d 'What changed from one export of a pipeline to a later one: the open-pipeline waterfall, slipped and pushed deals, movements, CHG findings'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "history" -d 'Store weekly snapshots in a SQLite history, list them, and backtest the risk signals'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "act" -d 'Run the playbooks: audit as `audit --history`, route each exception to the person who can act on it, record one digest per recipient in the history\'s outbox and send it, once (--dry-run: show what would go to whom)'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "outbox" -d 'Inspect and manage the outbox of `pipelint act`'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "profile" -d 'Profile an export: encoding, delimiter, records; per column the fill rate, placeholders, distinct and top values, type and date format'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "init" -d 'Print a rules file: drafted from an export\'s values (--from), or a preset to edit'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "rules" -d 'Validate or list rules'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "sql" -d 'Compile the rules to one SQL query over a warehouse table whose columns are the export\'s headers: the findings of every check SQL evaluates (the rest are named in its opening comment)'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "explain" -d 'Explain a check code: what it checks, why, an example, how to fix, configuration'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "man" -d 'Print the manual page, or write every page (one per subcommand) into a directory'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c pipelint -n "__fish_pipelint_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -s r -l rules -d 'Rules file (default: ./pipelint.toml if present, else the detected preset)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l preset -d 'Built-in preset to start from; `auto` picks the one matching the header' -r -f -a "auto\t''
salesforce\t''
hubspot\t''
pipedrive\t''
dynamics365\t''
zoho\t''
generic\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l as-of -d 'The date treated as today for every date check (default: today)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l previous -d 'Compare with this earlier export of the same pipeline (last week\'s): the change checks CHG001-CHG005 and what changed' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l previous-as-of -d 'The date the previous export is audited as of (default: --as-of minus 7 days)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l history -d 'Compare with the latest snapshot stored in this history before --as-of (as --previous), and add serial slippage (HYG009), streaks, owner trends and commit accuracy from the whole stored history' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l quota -d 'Quota file (CSV: owner, period such as FY2027-Q1, amount, currency): coverage of the fiscal quarter that holds --as-of' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l by -d 'Break the win rate, cycle and won size down by this column (a field or any header, e.g. "Lead Source")' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -s f -l format -d 'Output format on stdout (or to --output)' -r -f -a "table\t'The summary and tables, for a terminal (the default on stdout)'
json\t'The full `pipelint.report/1` document (compact unless on a terminal)'
jsonl\t'One finding per line, with its deal\'s name, owner and stage (for jq, DuckDB, a warehouse)'
csv\t'One finding per row, for a spreadsheet (UTF-8 with BOM, formula-safe)'
deals\t'One deal per row with its completeness and risk, for a spreadsheet'
markdown\t'Summary, deals at risk, completeness and findings as GitHub-flavoured Markdown'
html\t'One self-contained page with charts and sortable tables, for the pipeline meeting'
junit\t'JUnit XML: one suite per file, one case per check (for CI test reports)'
sarif\t'SARIF 2.1.0 (for code-scanning dashboards)'
github\t'GitHub Actions workflow-command annotations'
owners\t'A directory of per-owner action lists (`--report owners=DIR`)'
xlsx\t'An Excel workbook: summary, every deal and finding, owners, health, a chart (to a file: `-o FILE.xlsx` or `--report xlsx=FILE.xlsx`)'"
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -s o -l output -d 'Write the report to PATH instead of stdout (atomically)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l report -d 'Also write FORMAT to PATH, e.g. --report json=audit.json (repeatable)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l owner -d 'Limit the deal tables, findings and owner lists to this owner\'s deals, as the export writes the name (repeatable); the summary still describes the whole pipeline' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l fail-on -d 'Lowest severity that fails the gate (default: [gate] fail_on, else error)' -r -f -a "error\t''
warning\t''
never\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l min-completeness -d 'Fail the gate when overall completeness is below PCT (0-100)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l max-high-risk -d 'Fail the gate when more than N open deals are high risk' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l select -d 'Only these check codes or prefixes (comma-separated), e.g. REQ,VAL001' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l ignore -d 'Switch off these check codes or prefixes (comma-separated)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l top -d 'How many findings the table lists' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l threads -d 'Worker threads (0 = one per core; more than the machine runs at once are clamped)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l delimiter -d 'Field delimiter of the export (default: [input] delimiter, else ,): one character or `tab`' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l encoding -d 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l color -d 'When to colour the table' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -l allow-empty -d 'Pass the gate on an export with no deals (by default it fails: a sync that lost its rows)'
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -s q -l quiet -d 'Print nothing on stdout; the exit code (and any -o/--report files) carry the result'
complete -c pipelint -n "__fish_pipelint_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -s r -l rules -d 'Rules file (default: ./pipelint.toml if present, else the preset NEW fits)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l preset -d 'Built-in preset to start from; `auto` picks the one matching NEW\'s header' -r -f -a "auto\t''
salesforce\t''
hubspot\t''
pipedrive\t''
dynamics365\t''
zoho\t''
generic\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l as-of -d 'The date NEW is audited as of (default: today)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l previous-as-of -d 'The date OLD is audited as of (default: --as-of minus 7 days)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -s f -l format -d 'Output format' -r -f -a "table\t'The change view for a terminal'
json\t'`pipelint.diff/1`: the change view\'s figures, every movement, the CHG findings'
markdown\t'The change view as GitHub-flavoured Markdown'"
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -s o -l output -d 'Write the change view to PATH instead of stdout (atomically)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l top -d 'How many deals each list shows' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l threads -d 'Worker threads (0 = one per core)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l color -d 'Colour: auto (a terminal, unless NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -l encoding -d 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and not __fish_seen_subcommand_from add list backtest calibrate help" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and not __fish_seen_subcommand_from add list backtest calibrate help" -f -a "add" -d 'Audit an export and store its snapshot (replacing one stored for the same as-of)'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and not __fish_seen_subcommand_from add list backtest calibrate help" -f -a "list" -d 'List the stored snapshots'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and not __fish_seen_subcommand_from add list backtest calibrate help" -f -a "backtest" -d 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and not __fish_seen_subcommand_from add list backtest calibrate help" -f -a "calibrate" -d 'Fit the risk weights to the stored history\'s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and not __fish_seen_subcommand_from add list backtest calibrate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -l db -d 'The history file (created when missing)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -l as-of -d 'The snapshot\'s date ("today" for its date checks; default: the current date)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -s r -l rules -d 'Rules file (default: ./pipelint.toml, else the detected preset)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -l preset -d 'Built-in preset, overriding the rules file\'s' -r -f -a "auto\t''
salesforce\t''
hubspot\t''
pipedrive\t''
dynamics365\t''
zoho\t''
generic\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -l delimiter -d 'Field delimiter (default: detected): one character or `tab`' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -l encoding -d 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -l threads -d 'Worker threads (0 = one per core)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from list" -l db -d 'The history file' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from list" -s f -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from backtest" -l db -d 'The history file' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from backtest" -s f -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from backtest" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from calibrate" -l db -d 'The history file' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from calibrate" -s f -l format -d 'Output format: the comparison table, pipelint.calibration/1 JSON, or the [risk] block to paste into the rules' -r -f -a "table\t''
json\t''
toml\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from calibrate" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "add" -d 'Audit an export and store its snapshot (replacing one stored for the same as-of)'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the stored snapshots'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "backtest" -d 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "calibrate" -d 'Fit the risk weights to the stored history\'s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt'
complete -c pipelint -n "__fish_pipelint_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l history -d 'The history file: the previous snapshots, and the outbox' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -s r -l rules -d 'Rules file with the [[playbooks]] (default: ./pipelint.toml)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l preset -d 'Built-in preset, overriding the rules file\'s' -r -f -a "auto\t''
salesforce\t''
hubspot\t''
pipedrive\t''
dynamics365\t''
zoho\t''
generic\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l team -d 'The team file (owner, manager, email, slack, teams, team), over [team] file' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l as-of -d 'The date the run is as of (default: the current date)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l quota -d 'Quotas per owner, for coverage_below playbooks' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -s f -l format -d 'Output format: a table, or pipelint.outbox/1 JSON' -r -f -a "table\t''
json\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l tasks -d 'Write a CRM task import file: one row per playbook action with a `task`' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l tasks-format -d 'The CRM the task file is for' -r -f -a "salesforce\t'Salesforce Task import (Data Import Wizard, Data Loader)'
hubspot\t'HubSpot task import'"
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l report -d 'Also write the audit as FORMAT to PATH, e.g. --report html=pipeline.html (repeatable); each digest links to the HTML one, or to --report-url' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l report-url -d 'Where the HTML report is published (an https:// or http:// address): the link each digest carries, instead of the --report html path' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l threads -d 'Worker threads (0 = one per core)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -l dry-run -d 'Show what would be sent to whom; store and send nothing'
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -s q -l quiet -d 'Print nothing but errors and the outcome'
complete -c pipelint -n "__fish_pipelint_using_subcommand act" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and not __fish_seen_subcommand_from list retry purge help" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and not __fish_seen_subcommand_from list retry purge help" -f -a "list" -d 'Every message with its state (pending, sending, sent, failed, uncertain)'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and not __fish_seen_subcommand_from list retry purge help" -f -a "retry" -d 'Send the failed messages again (--uncertain: also those that may have arrived)'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and not __fish_seen_subcommand_from list retry purge help" -f -a "purge" -d 'Remove the messages that were sent'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and not __fish_seen_subcommand_from list retry purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from list" -l db -d 'The history file holding the outbox' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from list" -s f -l format -d 'Output format: a table, or pipelint.outbox/1 JSON' -r -f -a "table\t''
json\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from retry" -l db -d 'The history file holding the outbox' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from retry" -s r -l rules -d 'The rules whose [notify.*] say where messages go (default: ./pipelint.toml)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from retry" -l uncertain -d 'Also send again the messages a crash left uncertain (they may have arrived)'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from purge" -l db -d 'The history file holding the outbox' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every message with its state (pending, sending, sent, failed, uncertain)'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Send the failed messages again (--uncertain: also those that may have arrived)'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Remove the messages that were sent'
complete -c pipelint -n "__fish_pipelint_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand profile" -s f -l format -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand profile" -l top -d 'How many of the most common values to show per column' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand profile" -l delimiter -d 'Field delimiter (default: detected): one character or `tab`' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand profile" -l encoding -d 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand profile" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand init" -l from -d 'Draft the rules from this export\'s values (`-` reads standard input). Several weekly snapshots of one pipeline, oldest first, order the stages by the moves deals made between them; the rules are drafted from the last' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand init" -l stage-history -d 'An opportunity-history export (a row per stage change: OpportunityId, StageName, CreatedDate) to order the stages by the moves deals made' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand init" -l preset -d 'Preset to start from (default with --from: the one that fits, if any; without: generic)' -r -f -a "auto\t''
salesforce\t''
hubspot\t''
pipedrive\t''
dynamics365\t''
zoho\t''
generic\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand init" -l delimiter -d 'Field delimiter of the export (default: detected): one character or `tab`' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand init" -l encoding -d 'Encoding of text that is not UTF-8 (default: detected): windows-1251, iso-8859-7, ...' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand init" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and not __fish_seen_subcommand_from check list help" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and not __fish_seen_subcommand_from check list help" -f -a "check" -d 'Validate a rules file: exit 0 when valid, 2 with every problem listed'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and not __fish_seen_subcommand_from check list help" -f -a "list" -d 'List every check code with its default severity and one-line summary'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and not __fish_seen_subcommand_from check list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate a rules file: exit 0 when valid, 2 with every problem listed'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every check code with its default severity and one-line summary'
complete -c pipelint -n "__fish_pipelint_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -s r -l rules -d 'The rules file to compile (default: ./pipelint.toml if present, else the preset)' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l preset -d 'Preset to compile, overriding the rules file\'s `[input] preset` (`auto` detects it from the --like export)' -r -f -a "auto\t''
salesforce\t''
hubspot\t''
pipedrive\t''
dynamics365\t''
zoho\t''
generic\t''"
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l dialect -d 'The SQL dialect to write' -r -f -a "duckdb\t''
postgres\t''
snowflake\t''
bigquery\t''
spark\t'Spark SQL 3.5+ and 4.x (what Databricks SQL runs), under ANSI mode or not'"
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l table -d 'The table (or `schema.table`) holding one row per deal; a dbt relation such as `{{ ref(\'opportunities\') }}` is kept as written' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l as-of -d '"Today" for the date checks (default: the warehouse\'s CURRENT_DATE when the query runs)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l like -d 'An export whose header the table\'s columns follow, bound to the rules exactly as `pipelint audit` binds it (default: the columns the rules name)' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l line-column -d 'A column holding each record\'s line in its export, returned as `line`' -r
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -l summary -d 'Instead of the findings: each deal\'s completeness and forecast risk (score, band, signals), then the same figures by owner, by stage and for all deals'
complete -c pipelint -n "__fish_pipelint_using_subcommand sql" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipelint -n "__fish_pipelint_using_subcommand explain" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand man" -l dir -d 'Write pipelint.1 and a page per subcommand (pipelint-audit.1, …) into DIR' -r -F
complete -c pipelint -n "__fish_pipelint_using_subcommand man" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand completions" -s h -l help -d 'Print help'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "audit" -d 'Audit one or more exports (audited as one pipeline)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "diff" -d 'What changed from one export of a pipeline to a later one: the open-pipeline waterfall, slipped and pushed deals, movements, CHG findings'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "history" -d 'Store weekly snapshots in a SQLite history, list them, and backtest the risk signals'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "act" -d 'Run the playbooks: audit as `audit --history`, route each exception to the person who can act on it, record one digest per recipient in the history\'s outbox and send it, once (--dry-run: show what would go to whom)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "outbox" -d 'Inspect and manage the outbox of `pipelint act`'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "profile" -d 'Profile an export: encoding, delimiter, records; per column the fill rate, placeholders, distinct and top values, type and date format'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "init" -d 'Print a rules file: drafted from an export\'s values (--from), or a preset to edit'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "rules" -d 'Validate or list rules'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "sql" -d 'Compile the rules to one SQL query over a warehouse table whose columns are the export\'s headers: the findings of every check SQL evaluates (the rest are named in its opening comment)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "explain" -d 'Explain a check code: what it checks, why, an example, how to fix, configuration'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "man" -d 'Print the manual page, or write every page (one per subcommand) into a directory'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and not __fish_seen_subcommand_from audit diff history act outbox profile init rules sql explain man completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "add" -d 'Audit an export and store its snapshot (replacing one stored for the same as-of)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "list" -d 'List the stored snapshots'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "backtest" -d 'Which risk signals predicted losses: for deals that closed within the stored history, the loss rate of deals with each signal against those without (lift), with counts'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "calibrate" -d 'Fit the risk weights to the stored history\'s outcomes: logistic regression on the deals that closed first, tested on those that closed last against the default weights (AUC, Brier); -f toml prints the [risk] block to adopt'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "list" -d 'Every message with its state (pending, sending, sent, failed, uncertain)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "retry" -d 'Send the failed messages again (--uncertain: also those that may have arrived)'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "purge" -d 'Remove the messages that were sent'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "check" -d 'Validate a rules file: exit 0 when valid, 2 with every problem listed'
complete -c pipelint -n "__fish_pipelint_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List every check code with its default severity and one-line summary'
