/**
 * Services that write their own log files (no syslog header): the filter's
 * lineFormat gives each line its time, read in the jail's zone unless the line
 * names an offset. Before, these lines had no time at all, and Home
 * Assistant's read as coming from a host "WARNING".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter } from './engine.js';
import { findFilter } from './registry.js';

const times = { zone: new TimeZone('Europe/Berlin'), reference: () => Date.UTC(2026, 11, 7) };

/** [filter, line as the service writes it, the failure's address, its time (UTC)]. */
const CASES: [string, string, string, string][] = [
  [
    'vsftpd',
    'Sun Dec  6 10:00:01 2026 [pid 4243] [alice] FAIL LOGIN: Client "192.0.2.8"',
    '192.0.2.8',
    '2026-12-06T09:00:01.000Z',
  ],
  [
    'apache-auth',
    '[Sun Dec 06 10:00:02.250000 2026] [auth_basic:error] [pid 4242:tid 1] [client 192.0.2.9:51380] AH01618: user x not found: /private/',
    '192.0.2.9',
    '2026-12-06T09:00:02.250Z',
  ],
  [
    'apache-botsearch',
    '[Sun Dec 06 10:00:03 2026] [error] [client 192.0.2.10] File does not exist: /var/www/pma',
    '192.0.2.10',
    '2026-12-06T09:00:03.000Z',
  ],
  [
    'roundcube',
    '[06-Dec-2026 10:00:04 +0000]: <4z506z6r> Failed login for a@example.org from 192.0.2.11 in session 4z506z6rvddstv (error: 0)',
    '192.0.2.11',
    '2026-12-06T10:00:04.000Z',
  ],
  [
    'grafana',
    'logger=context userId=0 orgId=0 uname=a t=2026-12-06T10:00:05.5+02:00 level=error msg="Invalid username or password" error="invalid username or password" remote_addr=192.0.2.12',
    '192.0.2.12',
    '2026-12-06T08:00:05.500Z',
  ],
  [
    'home-assistant',
    "2026-12-06 10:00:06.125 WARNING (MainThread) [homeassistant.components.http.ban] Login attempt or request with invalid authentication from h.example (192.0.2.13). Requested URL: '/auth/token'. (curl/8.5.0)",
    '192.0.2.13',
    '2026-12-06T09:00:06.125Z',
  ],
  [
    'gitea',
    "2026/12/06 10:00:07 ...rs/web/auth/auth.go:205:SignInPost() [I] Failed authentication attempt for a from 192.0.2.14:54321: user's password is invalid [uid: 3, name: a]",
    '192.0.2.14',
    '2026-12-06T09:00:07.000Z',
  ],
  [
    'vaultwarden',
    '[2026-12-06 10:00:08.375][vaultwarden::api::identity][ERROR] Username or password is incorrect. Try again. IP: 192.0.2.15. Username: a@example.org.',
    '192.0.2.15',
    '2026-12-06T09:00:08.375Z',
  ],
];

describe("own log files: a failure's time comes from the service's line format", () => {
  for (const [name, line, ip, time] of CASES)
    it(name, () => {
      const spec = findFilter(name);
      assert.ok(spec !== undefined, `no filter ${name}`);
      const record = new LineParser(times).parse(line);
      assert.ok(record !== null);
      const event = compileFilter(spec, spec.defaultMode, { times }).classify(record, line);
      assert.deepEqual(
        [
          event?.result,
          event?.ip,
          event?.time === null ? null : new Date(event!.time).toISOString(),
        ],
        ['fail', ip, time],
      );
    });
});
