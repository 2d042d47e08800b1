/** The enabled jails of a configuration as the detector's settings. */
import type { JailConfig } from '../detect/config.js';
import type { JailSettings } from '../detect/jail.js';
import type { FilterRegistry } from '../filters/registry.js';
import { trustedNetworks } from '../intel/trusted.js';

/** `filters`: the filters in force, for each jail's default mode. */
export function jailSettings(
  config: {
    jails: Record<string, JailConfig>;
    trusted: readonly string[];
  },
  filters: FilterRegistry,
): JailSettings[] {
  const trusted = trustedNetworks(config.trusted);
  return Object.entries(config.jails)
    .filter(([, j]) => j.enabled)
    .map(([name, j]) => {
      const filter = j.filter ?? name;
      return {
        name,
        filter,
        mode: j.mode ?? filters.spec(filter)!.defaultMode,
        maxretry: j.maxretry,
        findtime: j.findtime,
        slow: j.slow === false ? null : j.slow,
        compromise: j.compromise,
        persistent: j.persistent === false ? null : j.persistent,
        stuffing: j.stuffing === false ? null : j.stuffing,
        ipv6Prefix: j.ipv6Prefix,
        trusted,
        maxTracked: j.maxTracked,
      };
    });
}
