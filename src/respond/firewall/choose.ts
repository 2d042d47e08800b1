/**
 * The firewall the daemon uses: the configured or detected backend, announced
 * in the log (loudly when nothing will really be blocked). Dry-run reports what
 * it would do through the same log.
 */
import type { Logger } from '../../log.js';
import type { ConnectionKiller, Firewall } from './firewall.js';
import { chooseFirewall, createFirewall, hasProgram, type FirewallKind } from './index.js';

export function firewallFor(
  configured: 'auto' | FirewallKind,
  logger: Logger,
): Firewall & Partial<ConnectionKiller> {
  const choice = chooseFirewall({ configured, isRoot: process.getuid?.() === 0, hasProgram });
  if (choice.loud) logger.warn({ event: 'firewall', kind: choice.kind }, choice.reason);
  else logger.info({ event: 'firewall', kind: choice.kind }, choice.reason);
  return createFirewall(choice.kind, {
    log: (action, entries, detail) =>
      logger.warn(
        { event: 'dry_run', action, targets: entries.map((e) => e.target.cidr), detail },
        `dry-run: would ${action} ${entries.map((e) => e.target.cidr).join(', ')}`.trim(),
      ),
  });
}
