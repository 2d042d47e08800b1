/**
 * The attack simulation `sheriff demo` writes into a log in real time: a fast
 * brute force, a slow attacker, an IPv6 attacker rotating inside its /64, a
 * break-in after failures, an innocent typo, and an internal host that is never
 * a threat. Addresses are from the documentation ranges.
 */

export interface DemoStep {
  /** Seconds after the start. */
  at: number;
  /** The sshd message; the header (time, host, program, pid) is added when written. */
  message: string;
  pid: number;
}

export interface DemoExpectation {
  kind: 'bruteforce' | 'slow-bruteforce' | 'compromise';
  ip: string;
}

const steps: DemoStep[] = [];
const add = (at: number, pid: number, message: string) => steps.push({ at, pid, message });

// A fast brute force: one guess every half second.
['root', 'admin', 'test', 'oracle', 'ubuntu', 'postgres', 'git', 'pi'].forEach((user, i) =>
  add(
    2 + i * 0.5,
    4100 + i,
    `Failed password for invalid user ${user} from 203.0.113.7 port ${40000 + i} ssh2`,
  ),
);
// An innocent typo: alice mistypes once, then gets in. No alert.
add(6, 4200, 'Failed password for alice from 198.51.100.50 port 51000 ssh2');
add(8, 4200, 'Accepted password for alice from 198.51.100.50 port 51000 ssh2');
// An internal host failing many times: trusted, never a finding.
for (let i = 0; i < 6; i++)
  add(9 + i * 0.3, 4300, `Failed password for backup from 10.0.0.5 port ${52000 + i} ssh2`);
// An IPv6 attacker that changes address inside its /64 every try.
for (let i = 0; i < 6; i++)
  add(
    12 + i,
    4400 + i,
    `Failed password for root from 2001:db8:7:1::${(0xa1 + i).toString(16)} port ${53000 + i} ssh2`,
  );
// A break-in: four failures for root, then a successful login.
for (let i = 0; i < 4; i++)
  add(20 + i, 4500, `Failed password for root from 192.0.2.77 port 54000 ssh2`);
add(26, 4500, 'Accepted password for root from 192.0.2.77 port 54000 ssh2');
// A slow attacker: one try every seven seconds, never five within the demo's 20 s findtime.
for (let i = 0; i < 8; i++)
  add(
    3 + i * 7,
    4600 + i,
    `Failed password for invalid user guest from 198.51.100.23 port ${55000 + i} ssh2`,
  );

export const DEMO_STEPS: readonly DemoStep[] = steps.sort((a, b) => a.at - b.at);

/** What the demo must show (and the demo test checks). */
export const DEMO_EXPECTED: readonly DemoExpectation[] = [
  { kind: 'bruteforce', ip: '203.0.113.7' },
  { kind: 'bruteforce', ip: '2001:db8:7:1::/64' },
  { kind: 'compromise', ip: '192.0.2.77' },
  { kind: 'slow-bruteforce', ip: '198.51.100.23' },
];

/** Jail thresholds scaled to a one-minute demo. */
export const DEMO_JAIL = {
  maxretry: 5,
  findtime: '20s',
  slow: { maxretry: 6, findtime: '10m' },
  compromise: { minFailures: 3, window: '10m' },
} as const;
