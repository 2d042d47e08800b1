/**
 * fail2ban's jails (client/jailreader.py): `jail.conf`, `jail.d/*.conf`,
 * `jail.local`, `jail.d/*.local` with their includes; a jail's options read
 * with interpolation (`%(__name__)s`, `%(known/…)s`), its `filter = NAME[…]`
 * resolved with the jail's options as fail2ban passes them, in two passes
 * (the filter's values become the jail's `known/` ones, then the jail's own
 * failregex, ignoreregex, … override the filter's).
 */
import { Config, FileCache, InterpolationError } from './config.js';
import { FILTER_OPTIONS, FilterFiles } from './filter.js';
import type { Located } from './ini.js';
import { extractOptions, TagError } from './tags.js';

/** The jail options fail2ban reads (JailReader._configOpts), besides the filter's. */
export const JAIL_OPTIONS = [
  'enabled',
  'backend',
  'maxretry',
  'maxmatches',
  'findtime',
  'bantime',
  'bantime.increment',
  'bantime.factor',
  'bantime.formula',
  'bantime.multipliers',
  'bantime.maxtime',
  'bantime.rndtime',
  'bantime.overalljails',
  'ignorecommand',
  'ignoreself',
  'ignoreip',
  'ignorecache',
  'filter',
  'logtimezone',
  'logencoding',
  'logpath',
  'action',
  ...FILTER_OPTIONS,
] as const;

export interface Jail {
  name: string;
  /** Each option's interpolated value and where it was written. */
  options: Map<string, { value: string; at: Located | undefined }>;
  filter: { name: string; options: Map<string, string>; files: FilterFiles } | null;
}

export interface JailProblem {
  jail: string;
  at: Located | undefined;
  kind: 'config' | 'filterMissing';
  detail: string;
}

export interface Jails {
  config: Config;
  cache: FileCache;
  enabled: Jail[];
  problems: JailProblem[];
}

/** fail2ban's _as_bool. */
export function asBool(v: string | undefined): boolean {
  return v !== undefined && ['1', 'on', 'true', 'yes'].includes(v.toLowerCase());
}

export class NoJailConfError extends Error {}

export function readJails(dir: string, version = '1.0.2'): Jails {
  const cache = new FileCache();
  const config = new Config(cache);
  if (!config.readName(dir, 'jail')) throw new NoJailConfError(`${dir}/jail.conf`);
  const here = { file: '', line: 0 };
  config.defaults.set('fail2ban_version', { value: version, ...here });
  config.defaults.set('fail2ban_confpath', { value: dir, ...here });
  const filters = new Map<string, FilterFiles>();
  const problems: JailProblem[] = [];
  const enabled: Jail[] = [];
  for (const name of config.sections.keys()) {
    if (name === 'INCLUDES' || name.startsWith('KNOWN/')) continue;
    const place = (o: string) => {
      const at = config.raw(name, o);
      return at?.file === '' ? undefined : at;
    };
    const read = (o: string) => ({ value: config.get(name, o), at: place(o) });
    try {
      if (!asBool(config.get(name, 'enabled'))) continue;
      const backend = config.get(name, 'backend') ?? 'auto';
      const flt = config.get(name, 'filter') ?? '';
      let filter: Jail['filter'] = null;
      if (flt !== '') {
        const { name: fname, options } = extractOptions(flt);
        let files = filters.get(fname);
        if (files === undefined) {
          files = new FilterFiles(fname, dir, cache);
          filters.set(fname, files);
        }
        if (!files.found) {
          problems.push({ jail: name, at: place('filter'), kind: 'filterMissing', detail: fname });
          continue;
        }
        if (!options.has('logtype') && !files.config.options('Definition').includes('logtype'))
          options.set('logtype', backend.startsWith('systemd') ? 'journal' : 'file');
        filter = { name: fname, options, files };
        // First pass: the filter's values become the jail's known/ ones (%(known/failregex)s).
        const first = files.resolve(
          new Map([
            ['enabled', 'true'],
            ['backend', backend],
            ['filter', flt],
          ]),
          options,
        );
        const section = config.sections.get(name)!;
        for (const o of FILTER_OPTIONS) {
          const v = first.values[o];
          if (v !== undefined)
            section.set(`known/${o}`, { value: v.replaceAll('%', '%%'), ...here });
        }
      }
      const options = new Map<string, { value: string; at: Located | undefined }>();
      for (const o of JAIL_OPTIONS) {
        const r = read(o);
        if (r.value !== undefined) options.set(o, { value: r.value, at: r.at });
      }
      enabled.push({ name, options, filter });
    } catch (err) {
      if (!(err instanceof InterpolationError || err instanceof TagError)) throw err;
      const at = err instanceof InterpolationError ? (err.at ?? undefined) : place('filter');
      problems.push({ jail: name, at, kind: 'config', detail: err.message });
    }
  }
  return { config, cache, enabled, problems };
}
