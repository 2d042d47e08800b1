/**
 * Alert wording, shared by every channel. Log-derived values (user names) are
 * attacker-controlled: they go through displayUser before they reach any channel.
 */
import type { Ban, Finding } from '../domain.js';
import type { Translate } from '../i18n/index.js';
import { formatDuration } from '../config/duration.js';
import { displayUser } from '../incidents/format.js';

const MAX_USERS_SHOWN = 5;
const MAX_HOSTS_SHOWN = 5;

/** The finding in words; at the fleet's hub, with the host(s) it was seen on. */
export function findingText(f: Finding, t: Translate): string {
  const users =
    f.users.length === 0
      ? ''
      : t('alert.users', {
          users:
            f.users.slice(0, MAX_USERS_SHOWN).map(displayUser).join(', ') +
            (f.users.length > MAX_USERS_SHOWN ? ` +${f.users.length - MAX_USERS_SHOWN}` : ''),
        });
  const target = f.scope === 'prefix' ? t('alert.prefix', { ip: f.ip }) : f.ip;
  const span = formatDuration(Math.max(1000, Math.round((f.last - f.first) / 1000) * 1000));
  return (
    t(`alert.${f.kind}`, { jail: f.jail, ip: target, count: f.count, span }) + seenOn(f, t) + users
  );
}

/** " (on web-3)", " (on 3 hosts: a, b, c)": where a finding at the fleet's hub was seen; "" elsewhere. */
function seenOn(f: Finding, t: Translate): string {
  const hosts = f.hosts ?? [];
  if (hosts.length === 0) return '';
  if (hosts.length === 1) return t('alert.onHost', { host: hosts[0]! });
  return t('alert.onHosts', {
    count: hosts.length,
    hosts:
      hosts.slice(0, MAX_HOSTS_SHOWN).join(', ') +
      (hosts.length > MAX_HOSTS_SHOWN ? ` +${hosts.length - MAX_HOSTS_SHOWN}` : ''),
  });
}

/**
 * What a list of bans adds after an applied ban that blocks nothing here: " [NOT ENFORCED: dry-run…]",
 * " [not confirmed…]" for one applied before Sheriff recorded its firewall, or at the fleet's hub
 * " [published…, confirmed on N of M hosts]" (`fleet`: the hosts' answers, when read); "" otherwise.
 */
export function notEnforcedNote(
  ban: Pick<Ban, 'appliedAt'> & { firewall: string | null; enforced: boolean },
  t: Translate,
  fleet?: { applied: number; of: number },
): string {
  if (ban.appliedAt === null || ban.enforced) return '';
  if (ban.firewall === 'fleet')
    return ` ${fleet === undefined ? t('ban.fleetPublished') : t('ban.fleetConfirmed', fleet)}`;
  return ` ${t(ban.firewall === null ? 'ban.unconfirmed' : 'ban.notEnforced')}`;
}
