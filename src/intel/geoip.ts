/**
 * Country and ASN from MaxMind-format databases (GeoLite2, DB-IP lite, IPinfo
 * lite), read with the `maxmind` reader. The files are loaded into memory once
 * (a few MB); a reload (SIGHUP) builds a new provider. Works offline.
 */
import { SetupError } from '../config/errors.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Reader, AsnResponse, CountryResponse } from 'maxmind';
import type * as Maxmind from 'maxmind';
import { canonicalIp } from '../net/ip.js';
import type { IntelAnswer, IntelProvider } from './provider.js';

export class GeoIpError extends SetupError {}

/** The reader loads with the first database: a daemon without GeoIP never holds it. */
const maxmind = () => createRequire(import.meta.url)('maxmind') as typeof Maxmind;

export class GeoIpProvider implements IntelProvider {
  readonly id = 'geoip';
  readonly local = true;
  private readonly country: Reader<CountryResponse> | null;
  private readonly asn: Reader<AsnResponse> | null;

  /** Throws a GeoIpError naming the file when one cannot be read or is not a MaxMind DB. */
  constructor(paths: { country?: string; asn?: string }) {
    this.country = paths.country === undefined ? null : open<CountryResponse>(paths.country);
    this.asn = paths.asn === undefined ? null : open<AsnResponse>(paths.asn);
  }

  lookup(ip: string): Promise<IntelAnswer | null> {
    return Promise.resolve(this.lookupSync(ip));
  }

  lookupSync(ip: string): IntelAnswer | null {
    if (canonicalIp(ip) !== ip) return null;
    const answer: IntelAnswer = {};
    try {
      const c = this.country?.get(ip);
      const iso = c?.country?.iso_code ?? c?.registered_country?.iso_code;
      if (typeof iso === 'string') answer.country = iso;
      const a = this.asn?.get(ip);
      if (a != null && typeof a.autonomous_system_number === 'number') {
        answer.asn = a.autonomous_system_number;
        answer.asOrg =
          typeof a.autonomous_system_organization === 'string'
            ? a.autonomous_system_organization
            : null;
      }
    } catch {
      return null; // an address the reader refuses: nothing known
    }
    return Object.keys(answer).length === 0 ? null : answer;
  }
}

function open<T extends CountryResponse | AsnResponse>(path: string): Reader<T> {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new GeoIpError(
      `cannot read the GeoIP database ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    return new (maxmind().Reader)<T>(buf);
  } catch (err) {
    throw new GeoIpError(`${path} is not a MaxMind DB file: ${(err as Error).message}`);
  }
}
