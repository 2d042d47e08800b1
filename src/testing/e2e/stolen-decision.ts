/**
 * A thief with one host's stolen NATS credentials tries to write a fleet
 * decision (the fleet e2e runs it inside that host's network namespace):
 * `node stolen-decision.js <server> <seed file> <host> <cidr>`. It connects as
 * the host, tries to put a ban of `cidr` into the decisions bucket, and prints
 * JSON: `put` ("ok" or the server's error) and the key's value after the try.
 */
import { connectFleet, openDecisions } from '../../fleet/connect.js';
import { decisionIdOf } from '../../fleet/fleet-firewall.js';
import type { Decision } from '../../fleet/protocol.js';

const [server, seedFile, host, cidr] = process.argv.slice(2);
if (cidr === undefined) throw new Error('usage: stolen-decision <server> <seed> <host> <cidr>');
const nc = await connectFleet({ servers: [server!], seedFile: seedFile!, host: host! });
try {
  const kv = await openDecisions(nc);
  const decision: Decision = {
    v: 1,
    id: decisionIdOf(cidr),
    action: 'ban',
    cidr,
    scope: { kind: 'fleet' },
    expiresAt: null,
    reason: 'forged',
    approvalId: null,
    issuedAt: Date.now(),
  };
  // The thief has no hub key: any signature will do, the server must refuse the put itself.
  const value = Buffer.from(JSON.stringify({ decision, sig: 'AAAA' }), 'utf8');
  const put = await kv.put(decision.id, value).then(
    () => 'ok',
    (err: unknown) => (err as Error).message,
  );
  const after = await kv.get(decision.id);
  process.stdout.write(
    JSON.stringify({ put, value: after?.operation === 'PUT' ? after.string() : null }) + '\n',
  );
} finally {
  await nc.close();
}
