/** English messages. Every user-facing string has a key here and in ko.ts. */
export const en = {
  'cli.description':
    'Sheriff watches auth logs, detects brute force and break-ins, and bans attackers.',
  'cli.opt.version': 'print the version and exit',
  'cli.opt.lang': 'language of messages: ko or en (default: from LANG)',
  'cli.opt.help': 'show this help',
  'cli.help.command': 'show the help of a command',
  'cli.help.usage': 'Usage:',
  'cli.help.arguments': 'Arguments:',
  'cli.help.options': 'Options:',
  'cli.help.globalOptions': 'Global options:',
  'cli.help.commands': 'Commands:',
  'cli.help.default': '(default: {value})',
  'cli.help.required': '(required)',
  'cli.usage.missingArgument': 'missing the argument {name}',
  'cli.usage.optionValue': 'the option {option} needs a value',
  'cli.usage.requiredOption': 'the option {option} is required',
  'cli.usage.unknownOption': 'unknown option {option}',
  'cli.usage.unknownCommand': 'unknown command {command}',
  'cli.usage.tooMany': 'too many arguments: expected {expected}, got {got}',
  'cli.usage.didYouMean': '(did you mean {suggestion}?)',
  'cli.error.prefix': 'sheriff: {message}',
  'cli.error.now': '--now: expected an ISO time like 2026-11-25T09:00:00+09:00, got "{value}"',
  'cli.error.integer': '{option}: expected a whole number of at least {min}, got "{value}"',
  'cli.error.unknownFilter': 'unknown filter "{name}" (filters: {list})',
  'cli.error.unknownJail': 'unknown jail "{name}" (built-in jails: {list})',
  'cli.error.read': 'cannot read {path}: {reason}',

  'testFilter.description':
    'Classify each line of a log with one filter, like fail2ban-regex (no thresholds, no trusted networks).',
  'testFilter.arg.file': 'log file to read, plain or .gz; - or nothing for standard input',
  'testFilter.opt.filter':
    'installed filter to use (sshd, dropbear, …; sheriff filters lists them)',
  'testFilter.opt.mode':
    "filter mode (sshd: normal, ddos, extra, aggressive; default: the filter's own)",
  'testFilter.opt.json': 'print one JSON object per input line',
  'opt.now': 'reference time for years missing from syslog dates (ISO 8601)',
  'opt.timezone': 'time zone of timestamps that carry none (IANA name, default: this machine’s)',
  'testFilter.summary.title': 'Filter {filter} (mode {mode}) on {source}',
  'testFilter.summary.lines':
    'Lines: {lines} read, {skipped} passed over (too long {tooLong}, invalid UTF-8 {invalidUtf8}, NUL {nul}, malformed {malformed})',
  'testFilter.summary.results':
    'Results: {fail} failures, {success} successes, {nofail} helper lines, {none} not matched',
  'testFilter.summary.rules': 'Rules that matched:',
  'testFilter.summary.rule': '  {count}  {rule}',
  'testFilter.summary.addresses': 'Addresses with the most failures:',
  'testFilter.summary.address': '  {count}  {ip}',
  'testFilter.summary.hosts': 'Failures from host names (no address to act on): {count}',
  'testFilter.summary.ambiguous':
    'Failures whose line names its address in two places (a user name holding "from <address>"), counted without one: {count}',
  'testFilter.summary.misses': 'Lines of {programs} that no rule knows (first {shown} of {total}):',
  'testFilter.summary.miss': '  {n}: {text}',
  'testFilter.summary.none': '  (none)',

  'cli.opt.config': 'configuration file (default: /etc/sheriff/sheriff.yaml, then ./sheriff.yaml)',
  'config.description': 'Check or show the configuration.',
  'config.check.description':
    'Validate the configuration without starting anything (exit status 2 on errors).',
  'config.check.ok': '{path}: valid ({jails} jail(s), {sources} source(s) configured).',
  'config.check.defaults':
    'No configuration file found: the defaults apply ({jails} jail(s), sources chosen automatically).',
  'config.print.description': 'Print the effective configuration, defaults included.',
  'config.print.header': 'Effective configuration from {path}',
  'config.print.nofile': 'defaults (no configuration file)',
  'config.error.title': 'The configuration has errors; nothing was started:',

  'replay.description':
    'Run the whole detector over old logs (plain or .gz, in the order given) as fast as it can.',
  'replay.arg.files': 'log files, oldest first',
  'replay.opt.json': 'print one JSON object per finding and a final summary',
  'replay.opt.jail': 'jails to run, comma separated (default: the enabled jails of sheriff.yaml)',
  'replay.opt.maxretry': 'failures within findtime that make a finding',
  'replay.opt.findtime': 'window for maxretry, like 10m',
  'replay.opt.longHorizon':
    'also search the days-long windows (persistent attackers, credential stuffing): slower on big logs',
  'replay.opt.threads':
    'threads that read several files side by side (default: one per core, and one per 32 MiB of files; 1 reads them one after another)',
  'replay.finding.bruteforce':
    '{time}  brute force      {jail}  {ip}  {count} failures since {first}{users}',
  'replay.finding.slow-bruteforce':
    '{time}  slow brute force {jail}  {ip}  {count} failures since {first}{users}',
  'replay.finding.compromise':
    '{time}  BREAK-IN         {jail}  {ip}  logged in after {count} failures since {first}{users}',
  'replay.finding.internal-bruteforce':
    '{time}  internal failures {jail}  {ip}  {count} failures since {first}{users} (trusted address: not banned)',
  'replay.finding.internal-compromise':
    '{time}  INTERNAL BREAK-IN {jail}  {ip}  logged in after {count} failures since {first}{users} (trusted address: not banned)',
  'replay.finding.persistent':
    '{time}  persistent       {jail}  {ip}  {count} failures over days since {first}{users}',
  'replay.finding.stuffing':
    '{time}  many accounts    {jail}  {ip}  {count} accounts tried since {first}{users}',
  'replay.finding.distributed':
    '{time}  fleet-wide       {jail}  {ip}  {count} failures on several hosts since {first}{users}',
  'replay.finding.users': ' (users: {users})',
  'replay.finding.prefix': '{ip} (the whole prefix)',
  'replay.finding.admin.configured': ' (an admin address of response.admins: never banned)',
  'replay.finding.admin.logged-in':
    ' (someone logged in from this address within the day before: an admin session is never banned)',
  'replay.summary':
    'Replayed {files} file(s): {lines} lines, {fail} failures, {success} logins, {findings} findings ({bruteforce} brute force, {slow} slow brute force, {compromise} break-ins). Passed over: {skipped}.',
  'replay.summary.memory':
    'Tracked addresses: {tracked}, evicted at the cap: {evictions}, lines from trusted networks (watched, never banned): {trusted}.',
  'replay.summary.probes':
    'Connections that never tried to log in (scanners), summed by the daemon, not counted as failures: {count}.',
  'replay.summary.ambiguous':
    'Lines that name their address in two places (a user name holding "from <address>"), counted without one: {count}.',

  'watch.noSource':
    'NOTHING IS READ: no log source found. Sheriff looked for /var/log/auth.log, /var/log/secure and a running systemd journal ({socket}), and found none of them.\nTell Sheriff where sshd logs in /etc/sheriff/sheriff.yaml (or --config FILE), for example:\n\nsources:\n  - type: file\n    path: /var/log/your-auth.log\n\nor receive syslog from rsyslog with: - type: syslog (listens on 127.0.0.1:5514).',
  'watch.journalEmpty':
    'NO SSHD LINE IN THE JOURNAL: with no auth.log or secure file, Sheriff reads the systemd journal, but it holds no line of sshd (units {units}). No login is seen until sshd logs there. If sshd logs elsewhere, name that source in /etc/sheriff/sheriff.yaml, for example:\n\nsources:\n  - type: file\n    path: /var/log/your-auth.log',
  'status.noSource':
    'Sources: NOTHING IS READ: no auth.log, no secure file and no running journal were found (set sources in the configuration; see sheriff watch).',
  'status.journalEmpty':
    'Sources: the journal held no sshd line when Sheriff started: no login is seen until sshd logs there (or set sources in the configuration).',
  'watch.description':
    'Watch the logs and detect attacks, as a daemon in the foreground (what systemd runs).',
  'events.description': 'Show stored events, newest first, to answer forensic questions.',
  'events.opt.ip':
    'only this address, or the addresses in this network (2001:db8:1:2::/64, 203.0.113.0/24)',
  'events.opt.user': 'only this user name',
  'events.opt.since': 'only the last DURATION, like 2h or 7d',
  'events.opt.kind': 'fail, success or nofail',
  'events.opt.jail': 'only this jail',
  'events.opt.limit': 'at most N events (up to 10000)',
  'events.opt.json': 'one JSON object per event',
  'events.error.ip': '--ip: "{value}" is not an IP address or a network like 203.0.113.0/24',
  'events.error.kind': '--kind: expected fail, success or nofail, got "{value}"',
  'events.none': 'No stored event matches.',
  'status.description': "Show the running daemon's sources, counts and store.",
  'status.opt.json': 'print the status as JSON',
  'status.never': 'No daemon has run with this store yet (start one with: sheriff watch).',
  'status.running': 'Sheriff is running (pid {pid}, since {since}).',
  'status.stale': 'Sheriff is NOT running: its last status is from {at}.',
  'status.sources': 'Sources:',
  'status.source':
    '  {id}: at {position}, {lag} behind, last line {last}, {lines} lines read, {errors} errors{lastError}',
  'status.jails': 'Jails (since start):',
  'status.jail': '  {name}: {fail} failures, {success} logins, {findings} findings',
  'status.jail.ambiguous':
    '    lines naming their address in two places (a user name holding "from <address>"), counted without one: {count}',
  'status.store': 'Store: {path} ({mb} MB)',
  'status.firewall.enforcing': 'Firewall: {kind}; bans are enforced.',
  'status.firewall.dryRun':
    'Firewall: DRY-RUN, NOTHING IS BLOCKED: bans are only recorded (set response.firewall: auto to block).',
  'status.firewall.cannot':
    'Firewall: {kind}, NOTHING IS BLOCKED: Sheriff lacks {missing} (run it as root, or with CAP_NET_ADMIN as contrib/sheriff.service does).',
  'status.bans': 'Bans in force: {count}',
  'status.firewall.fleet':
    "Firewall: the fleet's hosts; a ban here is a published decision, in force on the hosts that confirm it.",
  'status.fleetBans':
    'Fleet bans published: {count}; confirmed on every host in scope: {everywhere}; not yet on every host: {partial} (sheriff bans).',
  'status.bansNotEnforced':
    'Bans recorded: {count}, of which {unenforced} NOT ENFORCED (nothing blocked).',
  'requester.jail': 'jail {jail}',
  'requester.auto': 'automatic ban, jail {jail}',
  'requester.admin': '{user}, {channel}',
  'requester.agent': 'the analyst',
  'requester.channel.cli': 'command line',
  'requester.channel.web': 'web console',
  'requester.channel.telegram': 'Telegram',
  'reason.finding': '{kind}: {count} failed logins',
  'reason.kind.bruteforce': 'brute force',
  'reason.kind.slow-bruteforce': 'slow brute force',
  'reason.kind.compromise': 'login after failures',
  'reason.kind.internal-bruteforce': 'brute force from a trusted address',
  'reason.kind.internal-compromise': 'login after failures from a trusted address',
  'reason.kind.persistent': 'failures kept coming for days',
  'reason.kind.stuffing': 'many accounts tried',
  'reason.kind.distributed': 'failures spread over many hosts',
  'reason.lapse.denied': 'still failing after approval {id} was denied',
  'reason.lapse.expired': 'still failing after approval {id} expired',
  'reason.recidive': 'repeat offender: {count} bans within {within} ({reason})',
  'reason.analystUnban': 'analyst proposal: lift ban #{id} ({reason})',
  'reason.analystIsolate': 'analyst proposal: isolate the host (status {level})',
  'reason.isolate': 'isolated by an admin',
  'reason.unban': 'unbanned by an admin',
  'reason.consoleUnban': 'unbanned from the web console',
  'reason.consoleExtend': 'extended from the web console',
  'status.day': 'Last 24 hours: {failures} failed attempts, {findings} findings',
  'status.approvals': 'Approvals waiting for a decision: {count}',
  'ban.notEnforced': '[NOT ENFORCED: dry-run, nothing is blocked]',
  'ban.unconfirmed': '[not confirmed by a firewall yet: the daemon checks when it starts]',
  'ban.fleetPublished':
    '[published to the fleet: in force only on the hosts that confirm it, see sheriff bans]',
  'ban.fleetConfirmed': '[published to the fleet, confirmed on {applied} of {of} hosts]',
  'demo.description':
    'See Sheriff work: a scripted attack is written to a temporary log and the real daemon watches it.',
  'demo.opt.speed': 'run the one-minute scenario N times faster',
  'demo.opt.keep': 'keep the temporary directory (log, store, config) afterwards',
  'demo.intro':
    'Sheriff demo: an attack simulation writes to a log in {dir} for about {seconds} s, and the real daemon watches it.\nExpect: a fast brute force, an IPv6 attacker rotating inside its /64, a break-in after failures, and a slow attacker.\nAn innocent typo and an internal host fail too, and get no alert. No firewall or system file is touched.',
  'demo.done':
    'Demo finished; the temporary directory was removed. To watch this machine: sheriff watch',
  'demo.kept': 'Demo finished. Everything is kept in {dir}: try  sheriff --config {config} events',
  'respond.opt.json': 'one JSON object per line',
  'respond.permanent': 'permanent',
  'respond.error.target': '"{value}" is not an address or network: {reason}',
  'respond.approvals.description': 'List the actions waiting for a decision.',
  'respond.approvals.opt.all': 'also decided, expired and refused ones (the last 100)',
  'respond.approvals.row':
    '{id}  {status}  {action} {target} for {duration}: {reason} (asked by {by}, expires {expires})',
  'respond.approvals.none': 'Nothing is waiting for a decision.',
  'respond.approvals.tampered':
    '{id}  TAMPERED: this approval was changed in the database and does not match its signature. It will never be carried out; see sheriff audit.',
  'respond.approve.description':
    'Approve a pending action; the daemon carries it out within a second.',
  'respond.approve.done':
    'Approved {id} ({target}). The running daemon carries it out within a second.',
  'respond.approve.opt.all': 'approve every pending action (each one checked and audited)',
  'respond.approve.opt.jail': 'with --all: only those a jail asked for',
  'respond.approve.allAndId': 'Give either an approval id or --all, not both.',
  'respond.approve.noId': 'Give the id of the approval (see sheriff approvals), or --all.',
  'respond.approve.jailWithoutAll': '--jail only goes with --all.',
  'respond.approve.notDone': 'Not approved {id}: {reason}',
  'respond.approve.someRefused': '{refused} of {total} could not be approved (see above).',
  'respond.deny.description': 'Deny a pending action.',
  'respond.deny.done': 'Denied {id} ({target}). Nothing will be done.',
  'respond.ban.description':
    'Ban an address or network now (as you, audited; the guardrails still apply).',
  'respond.ban.opt.for': 'how long, like 1h or 7d (default 1h)',
  'respond.ban.opt.permanent': 'until someone unbans it',
  'respond.ban.opt.reason': 'why, for the audit log',
  'respond.ban.done':
    'Ban of {target} approved as {id}; the running daemon applies it within a second (see: sheriff bans).',
  'respond.unban.description': 'Lift the ban of an address or network.',
  'respond.unban.done':
    'Unban of {target} approved as {id}; the running daemon applies it within a second.',
  'respond.bans.description': 'List active bans and bans waiting for the firewall.',
  'respond.bans.row': '{target}  {state} until {until}  jail {jail}  offence {offence}: {reason}',
  'respond.bans.active': 'active',
  'respond.bans.pending': 'waiting for the firewall',
  'respond.bans.none': 'No active bans.',
  'respond.audit.description':
    'Show the append-only audit log: every request, decision, refusal and ban.',
  'demo.dryRunBan':
    '   ↳ dry-run firewall: would block {target} now (policy auto in the demo; approve is the default)',
  'respond.isolate.description':
    'Isolate this host: drop everything but the admin addresses on the management ports. Undoes itself unless confirmed.',
  'respond.isolate.opt.confirm': 'keep the isolation in force (stop the automatic revert)',
  'respond.isolate.opt.release': 'end the isolation',
  'respond.isolate.done':
    'Isolation approved as {id}; the daemon applies it within a second. Check you can still reach the host, then run: sheriff isolate --confirm',
  'respond.release.done':
    'Release approved as {id}; the daemon lifts the isolation within a second.',
  'respond.isolate.confirmed': 'Isolation confirmed: it stays until sheriff isolate --release.',
  'respond.isolate.notIsolated': 'The host is not isolated.',
  'respond.isolate.noAdmins':
    'Set response.admins in sheriff.yaml first: isolating with no admin address would lock everyone out.',
  'alert.bruteforce': '🚨 [{jail}] Brute force from {ip}: {count} failed logins in {span}',
  'alert.slow-bruteforce':
    '⚠️ [{jail}] Slow brute force from {ip}: {count} failed logins in {span}',
  'alert.compromise':
    '🔥 [{jail}] BREAK-IN: {ip} logged in after {count} failed logins in {span}. Check this login now.',
  'alert.internal-bruteforce':
    '⚠️ [{jail}] {count} failed logins in {span} from {ip}, an internal/trusted address. Not banned (trusted); check that host.',
  'alert.internal-compromise':
    '🔥 [{jail}] Possible lateral movement: {ip}, an internal/trusted address, logged in after {count} failed logins in {span}. Not banned (trusted); check that host and this login now.',
  'alert.persistent':
    '⚠️ [{jail}] Persistent attacker {ip}: {count} failed logins spread over {span}, below the faster thresholds',
  'alert.stuffing':
    '⚠️ [{jail}] Credential stuffing from {ip}: {count} different accounts tried in {span}',
  'alert.distributed':
    '⚠️ [{jail}] Distributed brute force from {ip}: {count} failed logins in {span} spread over several hosts, each below its own threshold',
  'alert.prefix': '{ip} (several addresses of one network)',
  'alert.users': ' (users tried: {users})',
  'alert.onHost': ' (on {host})',
  'alert.onHosts': ' (on {count} hosts: {hosts})',
} as const;

export type MessageKey = keyof typeof en;
