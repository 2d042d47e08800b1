/**
 * The hub: every host's events and findings into the records store
 * (ingest.ts), cross-host detection, and bans as signed decisions
 * (fleet-firewall.ts) whose confirmations it counts. The admin is told a ban
 * holds on N of M hosts only from the sensors' confirmations: once every host
 * in the decision's scope answered, or `settleMs` after the first answer.
 */
import type { Clock, Stop } from '../clock.js';
import type { Logger } from '../log.js';
import type { FleetBanAlert } from '../notify/notifier.js';
import type { Async } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import { tallyOf } from './ban-state.js';
import type { Confirmation, Decision } from './protocol.js';

export interface BanTallyOptions {
  hosts: Async<HostStore>;
  clock: Clock;
  logger: Logger;
  alert: (a: FleetBanAlert) => void;
  /** How long after the first confirmation the count is told, if not every host answered. Default 5 s. */
  settleMs?: number;
}

interface Open {
  decision: Decision;
  timer: Stop | null;
  /** A count is running; `again`: answers came meanwhile, count once more after it. */
  counting: boolean;
  again: boolean;
}

export class BanTally {
  private readonly open = new Map<string, Open>();

  constructor(private readonly o: BanTallyOptions) {}

  /** A ban decision was just published: its confirmations are counted from now. */
  published(d: Decision): void {
    this.open.get(d.id)?.timer?.stop();
    this.open.set(d.id, { decision: d, timer: null, counting: false, again: false });
  }

  /** A sensor's confirmation, stored already. */
  async confirmed(c: Confirmation): Promise<void> {
    const t = this.open.get(c.decision);
    if (
      t === undefined ||
      (c.outcome !== 'applied' && c.outcome !== 'refused' && c.outcome !== 'failed')
    )
      return;
    // A fleet answers in a burst (a thousand hosts within a second), and a count
    // reads every host: answers that come during a count are counted by one more.
    if (t.counting) {
      t.again = true;
      return;
    }
    t.counting = true;
    try {
      do {
        t.again = false;
        const { alert, complete } = await this.count(t.decision);
        if (this.open.get(t.decision.id) !== t) return;
        if (complete) {
          this.tell(t.decision.id, alert);
          return;
        }
      } while (t.again);
    } finally {
      t.counting = false;
    }
    t.timer ??= this.o.clock.after(this.o.settleMs ?? 5000, async () => {
      try {
        if (this.open.get(t.decision.id) === t)
          this.tell(t.decision.id, (await this.count(t.decision)).alert);
      } catch (err) {
        this.o.logger.warn({ event: 'tally_failed', err }, 'could not count confirmations');
      }
    });
  }

  private tell(id: string, alert: FleetBanAlert): void {
    this.open.get(id)?.timer?.stop();
    this.open.delete(id);
    this.o.alert(alert);
  }

  private async count(d: Decision): Promise<{ alert: FleetBanAlert; complete: boolean }> {
    const state = tallyOf(d, await this.o.hosts.list(), await this.o.hosts.confirmations(d.id));
    const family = d.cidr.includes(':') ? 6 : 4;
    return {
      alert: { type: 'fleet-ban', target: { cidr: d.cidr, family }, ...state },
      complete: state.applied + state.problems.length >= state.of,
    };
  }
}
