/**
 * Valid and invalid sheriff.yaml fixtures: every invalid one carries, on its
 * first line, the exact error a person sees.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { fixture, REPO_ROOT } from '../testing/paths.js';
import { filterRegistry } from '../filters/registry.js';
import { jailSettings } from './jail-settings.js';
import { ConfigError } from './load-config.js';
import { parseConfig } from './parse-config.js';

const dir = (kind: string) => fixture('config', kind);

describe('sheriff.yaml', () => {
  for (const file of readdirSync(dir('valid'))) {
    it(`accepts valid/${file}`, () => {
      const cfg = parseConfig(readFileSync(`${dir('valid')}/${file}`, 'utf8'), 'sheriff.yaml');
      assert.ok(jailSettings(cfg, filterRegistry()).length >= 1);
    });
  }

  for (const file of readdirSync(dir('invalid'))) {
    it(`rejects invalid/${file} with its documented message`, () => {
      const text = readFileSync(`${dir('invalid')}/${file}`, 'utf8');
      const expected = /^# error: (.*)$/m
        .exec(text)![1]!
        .replace('BUILTINS', filterRegistry().names().join(', '));
      assert.throws(
        () => parseConfig(text, 'sheriff.yaml'),
        (err: unknown) => err instanceof ConfigError && err.problems[0] === expected,
      );
    });
  }

  it('loads the defaults from nothing: one sshd jail with documented thresholds', () => {
    const [jail, ...rest] = jailSettings(parseConfig('', 'sheriff.yaml'), filterRegistry());
    assert.deepEqual(rest, []);
    assert.deepEqual(
      { ...jail, trusted: jail!.trusted.list().length },
      {
        name: 'sshd',
        filter: 'sshd',
        mode: 'normal',
        maxretry: 5,
        findtime: 600_000,
        slow: { maxretry: 12, findtime: 43_200_000 },
        compromise: { minFailures: 3, window: 43_200_000 },
        persistent: { window: 604_800_000, minFailures: 20, minDays: 2 },
        stuffing: { window: 604_800_000, minUsers: 20 },
        ipv6Prefix: 64,
        trusted: 11,
        maxTracked: 100_000,
      },
    );
  });

  it('reads the long-horizon rules per jail, and false turns one off', () => {
    const [jail] = jailSettings(
      parseConfig(
        'jails:\n  sshd:\n    persistent: { window: 3d, minFailures: 30 }\n    stuffing: false\n',
        'sheriff.yaml',
      ),
      filterRegistry(),
    );
    assert.deepEqual(
      [jail!.persistent, jail!.stuffing],
      [{ window: 3 * 86_400_000, minFailures: 30, minDays: 2 }, null],
    );
  });

  it('defaults to what a first run may do: a dry-run firewall, no LLM, the console on loopback', () => {
    const c = parseConfig('', 'sheriff.yaml');
    assert.deepEqual(
      [c.response.firewall, c.agent.provider, c.web.host, c.report.schedule],
      ['dry-run', 'none', '127.0.0.1', '0 9 * * *'],
    );
  });

  it('accepts the shipped example, which blocks for real', () => {
    const path = join(REPO_ROOT, 'contrib', 'sheriff.example.yaml');
    const c = parseConfig(readFileSync(path, 'utf8'), path);
    assert.equal(c.response.firewall, 'auto');
  });

  it('lets environment variables override the most used settings', () => {
    const cfg = parseConfig('language: en\n', 'sheriff.yaml', {
      SHERIFF_LANG: 'ko',
      SHERIFF_DB: '/tmp/x.db',
      SHERIFF_TIMEZONE: 'Asia/Seoul',
      SHERIFF_LOG_LEVEL: 'debug',
    });
    assert.deepEqual(
      [cfg.language, cfg.store.path, cfg.timezone, cfg.log.level],
      ['ko', '/tmp/x.db', 'Asia/Seoul', 'debug'],
    );
  });

  it('reports every problem at once, each with its line', () => {
    try {
      parseConfig(
        'jails:\n  sshd:\n    findtime: ten\n    maxretry: 0\ncolour: blue\n',
        'sheriff.yaml',
      );
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual([...err.problems].sort(), [
        'sheriff.yaml:3: jails.sshd.findtime: expected a duration like 10m, got "ten"',
        'sheriff.yaml:4: jails.sshd.maxretry: must be at least 1',
        'sheriff.yaml:5: colour: unknown setting (check the spelling)',
      ]);
    }
  });
});

describe('sheriff.yaml in Korean', () => {
  for (const file of readdirSync(dir('invalid'))) {
    it(`explains invalid/${file} in Korean, at the same place`, () => {
      const text = readFileSync(`${dir('invalid')}/${file}`, 'utf8');
      try {
        parseConfig(text, 'sheriff.yaml');
        assert.fail('expected an error');
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        const [en] = err.problems;
        const [ko] = err.problemsIn('ko');
        // The same "file:line: path: " before the message, and the message in Hangul.
        const place = /^sheriff\.yaml:\d+: (?:[\w.-]+: )?/.exec(en!)![0];
        assert.ok(ko!.startsWith(place), `${ko} does not start with ${place}`);
        assert.match(ko!.slice(place.length), /[가-힣]/);
      }
    });
  }

  it("takes the language from the file's language: key, SHERIFF_LANG over it", () => {
    const text = 'language: ko\njails: { sshd: { maxretry: 0 } }\n';
    const languageOf = (env: NodeJS.ProcessEnv) => {
      try {
        parseConfig(text, 'sheriff.yaml', env);
      } catch (err) {
        return (err as ConfigError).language;
      }
      assert.fail('expected an error');
    };
    assert.deepEqual([languageOf({}), languageOf({ SHERIFF_LANG: 'en' })], ['ko', 'en']);
  });
});
