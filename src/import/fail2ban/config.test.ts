import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Config, FileCache, InterpolationError } from './config.js';
import { FilterFiles } from './filter.js';
import { IniError, parseIni } from './ini.js';
import { extractOptions, substituteTags } from './tags.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-f2b-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fail2ban directory with these files (paths relative to it). */
function dir(files: Record<string, string>): string {
  const d = join(root, String(++n));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, path)), { recursive: true });
    writeFileSync(join(d, path), text);
  }
  return d;
}

describe('fail2ban configuration files, read as configparser reads them', () => {
  it('joins indented continuation lines, drops comments, and keeps each value’s line', () => {
    const ini = parseIni(
      [
        '# comment',
        '[Definition]',
        'failregex = ^one$ ; inline comment',
        '            ^two;three$',
        '',
        '            ^four$',
        '; a comment line inside the value is left out',
        'Option: value',
        '[DEFAULT]',
        'x = 1',
      ].join('\n'),
      'f.conf',
    );
    const def = ini.sections.get('Definition')!;
    assert.equal(def.get('failregex')?.value, '^one$\n^two;three$\n\n^four$');
    assert.equal(def.get('failregex')?.line, 3);
    assert.equal(def.get('option')?.value, 'value');
    assert.equal(ini.defaults.get('x')?.value, '1');
  });

  it('names the file and line of a duplicate option or a line that is no option', () => {
    assert.throws(
      () => parseIni('[a]\nx = 1\nx = 2\n', 'dup.conf'),
      (e: unknown) => e instanceof IniError && e.line === 3 && /dup\.conf:3/.test(e.message),
    );
    assert.throws(() => parseIni('[a]\njust words\n', 'bad.conf'), /bad\.conf:2/);
    assert.throws(() => parseIni('x = 1\n', 'none.conf'), /none\.conf:1/);
  });

  it('reads .local after .conf, includes before and after, and keeps overridden values as known/', () => {
    const d = dir({
      'filter.d/base.conf': '[DEFAULT]\n_daemon = base\nwho = base\n',
      'filter.d/base.local': '[DEFAULT]\nwho = base-local\n',
      'filter.d/f.conf':
        '[INCLUDES]\nbefore = base.conf\nafter = after.conf\n[Definition]\nfailregex = from %(who)s %(_daemon)s\nnote = conf\n',
      'filter.d/after.conf': '[Definition]\nextra = after\n',
      'filter.d/f.local':
        '[Definition]\nfailregex = %(known/failregex)s\n            local line\nnote = %(known/note)s+local\n',
      'filter.d/f.d/10.conf': '[Definition]\nnote2 = d-conf\n',
    });
    const cfg = new Config(new FileCache());
    assert.equal(cfg.readName(d, 'filter.d/f'), true);
    assert.deepEqual(
      cfg.files.map((f) => f.slice(d.length + 1)),
      [
        'filter.d/base.conf',
        'filter.d/base.local',
        'filter.d/f.conf',
        'filter.d/after.conf',
        'filter.d/f.d/10.conf',
        'filter.d/f.local',
      ],
    );
    assert.equal(cfg.get('Definition', 'failregex'), 'from base-local base\nlocal line');
    assert.equal(cfg.get('Definition', 'note'), 'conf+local');
    assert.equal(cfg.get('Definition', 'extra'), 'after');
    assert.equal(cfg.raw('Definition', 'failregex')?.file, join(d, 'filter.d/f.local'));
  });

  it('interpolates with the caller’s vars first, then the section, then [DEFAULT]', () => {
    const d = dir({
      'jail.conf':
        '[DEFAULT]\nport = 0\nbanaction = x\naction = %(banaction)s[port=%(port)s]\nwhere = %(lt_file/path)s\n[lt_file]\npath = /var/log\n[sshd]\nport = ssh\n[pct]\nv = 100%%\n',
    });
    const cfg = new Config(new FileCache());
    cfg.readName(d, 'jail');
    assert.equal(cfg.get('sshd', 'action'), 'x[port=ssh]');
    assert.equal(cfg.get('sshd', 'action', new Map([['port', '22']])), 'x[port=22]');
    assert.equal(cfg.get('sshd', 'where'), '/var/log');
    assert.equal(cfg.get('pct', 'v'), '100%');
    const bad = dir({ 'jail.conf': '[a]\nx = %(nope)s\n' });
    const c2 = new Config(new FileCache());
    c2.readName(bad, 'jail');
    assert.throws(
      () => c2.get('a', 'x'),
      (e: unknown) => e instanceof InterpolationError && e.at?.line === 2,
    );
  });

  it('substitutes <tags> that build tag names, and leaves fail2ban’s own tags', () => {
    const tags = substituteTags(
      new Map([
        ['failregex', '^<mdre-<mode>> from <HOST>$'],
        ['mode', 'aggressive'],
        ['mdre-aggressive', 'ddos|<mdre-normal>'],
        ['mdre-normal', 'normal'],
      ]),
      new Set(),
      () => undefined,
    );
    assert.equal(tags.get('failregex'), '^ddos|normal from <HOST>$');
  });

  it('reads filter options as a jail writes them', () => {
    const { name, options } = extractOptions('sshd[mode=aggressive, port="22,2222", x=\'a b\']');
    assert.equal(name, 'sshd');
    assert.deepEqual(Object.fromEntries(options), {
      mode: 'aggressive',
      port: '22,2222',
      x: 'a b',
    });
  });

  it('lists a filter’s modes from the options its <…<mode>…> tags can reach', () => {
    const d = dir({
      'filter.d/m.conf':
        '[Definition]\nmode = normal\nfailregex = <re-<mode>>\n  <re-<mode>-x>\nre-normal = a\nre-normal-x = b\nre-ddos = c\nre-ddos-x = d\nre-extra = e\n',
    });
    assert.deepEqual(new FilterFiles('m', d, new FileCache()).modes(), ['normal', 'ddos']);
  });
});
