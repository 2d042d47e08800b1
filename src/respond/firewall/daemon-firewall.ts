/**
 * The firewall the daemon uses: the configured or detected backend, announced
 * in the log (loudly when nothing will really be blocked). Dry-run reports what
 * it would do through the same log.
 */
import type { Logger } from '../../log.js';
import { currentPrivileges } from './choose-backend.js';
import type { ConnectionKiller, Firewall } from './firewall.js';
import {
  chooseFirewall,
  createFirewall,
  hasProgram,
  type FirewallChoice,
  type FirewallKind,
} from './index.js';

export function firewallFor(
  configured: 'auto' | FirewallKind,
  logger: Logger,
): { firewall: Firewall & Partial<ConnectionKiller>; choice: FirewallChoice } {
  const choice = chooseFirewall({ configured, privileges: currentPrivileges(), hasProgram });
  const fields = { event: 'firewall', kind: choice.kind, enforcing: choice.enforcing };
  if (choice.loud) logger.warn({ ...fields, missing: choice.missing }, choice.reason);
  else logger.info(fields, choice.reason);
  const firewall = createFirewall(choice.kind, {
    log: (action, entries, detail) =>
      logger.warn(
        { event: 'dry_run', action, targets: entries.map((e) => e.target.cidr), detail },
        `dry-run: would ${action} ${entries.map((e) => e.target.cidr).join(', ')}`.trim(),
      ),
  });
  return { firewall, choice };
}
