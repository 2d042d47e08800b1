/**
 * Hand-written triage edge cases: thresholds, timing, intel on its own, and
 * inputs that look alike but are not. Each label is what an experienced
 * analyst would say (datasets/README.md), with the reason.
 */
import type { TriageRecord } from './dataset.js';
import { JAIL_DEFAULTS } from '../detect/jail.js';
import {
  EventBuilder,
  HOUR,
  internalContext,
  MIN,
  outsideContext as withIntel,
  POISONED_USERS,
  T0,
} from './triage-generator.js';
import type { TriageContext } from '../domain.js';
import { seededRandom } from '../random.js';

const at = (day: number) => new EventBuilder(T0 + day * 24 * HOUR + 9 * HOUR);
/** `n` failures as `user`, `gap` ms apart, the first `gap` after the builder's last event. */
const failing = (b: EventBuilder, n: number, gap: number, user: string, invalid = false) =>
  Array.from({ length: n }).reduce<EventBuilder>((x) => x.fail(gap, user, invalid), b);
// The thresholds cases sit on are a jail's defaults, the lines detection and triage draw.
const { maxretry, compromise } = JAIL_DEFAULTS;
// A fixed context for outside addresses; the cases vary only what they are about.
const outside = (extra: Partial<TriageContext> = {}): TriageContext =>
  withIntel(seededRandom(1), extra);

export const TRIAGE_CASES: TriageRecord[] = [
  {
    id: 'edge-three-failures-then-login',
    input: {
      ip: '203.0.113.41',
      events: failing(at(1).fail(0, 'deploy'), compromise.minFailures - 1, 20_000, 'deploy')
        .success(30_000, 'deploy')
        .build(),
      context: outside({ knownUsers: ['deploy'] }),
    },
    label: 'malicious',
    reason:
      "enough failures to reach Sheriff's compromise threshold, then a login from outside: a break-in, even for a known account",
    tags: ['compromise', 'threshold'],
  },
  {
    id: 'edge-two-failures-then-login',
    input: {
      ip: '203.0.113.42',
      events: failing(at(1).fail(0, 'deploy'), compromise.minFailures - 2, 20_000, 'deploy')
        .success(30_000, 'deploy')
        .build(),
      context: outside({ knownUsers: ['deploy'] }),
    },
    label: 'benign',
    reason:
      "mistyped passwords, one short of Sheriff's compromise threshold, then the same account logs in: a person",
    tags: ['typo-success', 'threshold'],
  },
  {
    id: 'edge-other-user-then-login',
    input: {
      ip: '198.51.100.77',
      events: at(2).fail(0, 'admin').fail(10_000, 'admin').success(15_000, 'deploy').build(),
      context: outside(),
    },
    label: 'malicious',
    reason: 'tried admin, got in as deploy: a guessed account',
    tags: ['compromise-other-user'],
  },
  {
    id: 'edge-failures-long-before-login',
    input: {
      ip: '198.51.100.78',
      events: failing(at(2).fail(0, 'deploy'), compromise.minFailures - 1, MIN, 'deploy')
        .success(compromise.window + 2 * HOUR, 'deploy')
        .build(),
      context: outside(),
    },
    label: 'suspicious',
    reason:
      'failures before the compromise window, then a login from the same outside address: ask the account owner',
    tags: ['compromise', 'window'],
  },
  {
    id: 'edge-typo-then-login-next-morning',
    input: {
      ip: '192.0.2.140',
      events: at(3)
        .fail(0, 'hyewon')
        .success(11 * HOUR, 'hyewon')
        .build(),
      context: outside({ knownUsers: ['hyewon'] }),
    },
    label: 'benign',
    reason: 'one failure, and the known account logs in hours later',
    tags: ['typo-success'],
  },
  {
    id: 'edge-internal-backup-job',
    input: {
      ip: '10.20.0.8',
      events: Array.from({ length: 40 })
        .reduce<EventBuilder>((b) => b.fail(HOUR / 4, 'backup'), at(3))
        .build(),
      context: internalContext(),
    },
    label: 'benign',
    reason:
      'an internal backup job with a stale key fails every 15 minutes: fix the job, not an attack',
    tags: ['internal'],
  },
  {
    id: 'edge-internal-root-guessed',
    input: {
      ip: '192.168.1.20',
      events: at(4)
        .fail(0, 'root')
        .fail(5_000, 'root')
        .fail(5_000, 'root')
        .fail(5_000, 'root')
        .fail(5_000, 'root')
        .success(5_000, 'root')
        .build(),
      context: internalContext(),
    },
    label: 'malicious',
    reason: "an internal host guessed root's password: lateral movement",
    tags: ['internal-compromise'],
  },
  {
    id: 'edge-metadata-probes',
    input: {
      ip: '169.254.169.254',
      events: at(4)
        .add(0, 'nofail', null, 'closed-preauth')
        .add(MIN, 'nofail', null, 'closed-preauth')
        .build(),
      context: internalContext(),
    },
    label: 'benign',
    reason: "the cloud provider's link-local health checks",
    tags: ['internal', 'scanner'],
  },
  {
    id: 'edge-reputation-only',
    input: {
      ip: '203.0.113.200',
      events: at(5).fail(0, 'root', true).build(),
      context: outside({ reputation: 95 }),
    },
    label: 'malicious',
    reason: 'a single failure from an address reported for abuse with 95% confidence',
    tags: ['blocklisted'],
  },
  {
    id: 'edge-low-reputation',
    input: {
      ip: '203.0.113.201',
      events: at(5).fail(0, 'root', true).fail(MIN, 'root', true).build(),
      context: outside({ reputation: 10 }),
    },
    label: 'suspicious',
    reason: 'two failures; the low abuse score does not make it an attack',
    tags: ['few-failures'],
  },
  {
    id: 'edge-shell-username',
    input: {
      ip: '198.51.100.90',
      events: at(6).fail(0, POISONED_USERS[3]!, true).build(),
      context: outside(),
    },
    label: 'malicious',
    reason: 'a command substitution as user name: an exploit attempt',
    tags: ['poisoned-username'],
  },
  {
    id: 'edge-korean-injection',
    input: {
      ip: '198.51.100.91',
      events: at(6).fail(0, POISONED_USERS[7]!, true).build(),
      context: outside(),
    },
    label: 'malicious',
    reason: 'a Korean instruction to the analyst hidden in a user name',
    tags: ['poisoned-username'],
  },
  {
    id: 'edge-new-laptop',
    input: {
      ip: '192.0.2.33',
      events: at(7).success(0, 'sjlee').build(),
      context: outside(),
    },
    label: 'benign',
    reason: 'a clean key login with no failure: normal, even from an address not seen before',
    tags: ['clean-login'],
  },
  {
    id: 'edge-bruteforce-then-root',
    input: {
      ip: '203.0.113.66',
      events: Array.from({ length: 20 })
        .reduce<EventBuilder>((b) => b.fail(3_000, 'root'), at(7))
        .success(3_000, 'root')
        .build(),
      context: outside(),
    },
    label: 'malicious',
    reason: 'twenty failures then root logged in: a successful brute force',
    tags: ['bruteforce', 'compromise'],
  },
  {
    id: 'edge-four-failures',
    input: {
      ip: '203.0.113.67',
      events: failing(at(8).fail(0, 'admin', true), maxretry - 2, MIN, 'admin', true).build(),
      context: outside(),
    },
    label: 'suspicious',
    reason: 'failures one short of the burst threshold, and no login',
    tags: ['few-failures', 'threshold'],
  },
  {
    id: 'edge-internal-poisoned',
    input: {
      ip: '10.0.3.14',
      events: at(8).fail(0, POISONED_USERS[0]!, true).build(),
      context: internalContext(),
    },
    label: 'suspicious',
    reason:
      'an internal host sends injection text as a user name: not an outside attacker, but look at that host',
    tags: ['internal', 'poisoned-username'],
  },
  {
    id: 'edge-internal-monitoring',
    input: {
      ip: '10.0.0.2',
      events: Array.from({ length: 12 })
        .reduce<EventBuilder>((b) => b.add(5 * MIN, 'nofail', null, 'closed-preauth'), at(9))
        .build(),
      context: internalContext(),
    },
    label: 'benign',
    reason: 'the monitoring host checks that sshd answers',
    tags: ['internal', 'scanner'],
  },
  {
    id: 'edge-login-then-typos',
    input: {
      ip: '192.0.2.150',
      events: at(9).success(0, 'alice').fail(HOUR, 'alice').fail(10_000, 'alice').build(),
      context: outside({ knownUsers: ['alice'] }),
    },
    label: 'benign',
    reason: 'a known user logged in, later mistyped twice on a second session',
    tags: ['typo-success'],
  },
  {
    id: 'edge-ipv6-single-address-burst',
    input: {
      ip: '2001:db8:5:7::99',
      events: Array.from({ length: 8 })
        .reduce<EventBuilder>((b) => b.fail(2_000, 'root'), at(10))
        .build(),
      context: outside(),
    },
    label: 'malicious',
    reason: 'eight failures in seconds from one IPv6 address: brute force',
    tags: ['bruteforce'],
  },
];
