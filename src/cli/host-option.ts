/** `--host NAME` on the lists (events, incidents, bans): at the fleet's hub, what came from one host. */
import type { Translate } from '../i18n/index.js';
import { UsageError } from './common.js';

/** The host name given, checked (a usage error, exit 2, for anything else); undefined without one. */
export async function hostOption(
  value: string | undefined,
  t: Translate,
): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const { isHostName } = await import('../fleet/host-name.js');
  if (!isHostName(value)) throw new UsageError(t('hosts.error.name', { value }));
  return value;
}
