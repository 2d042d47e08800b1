/**
 * The JetStream stream every host publishes into and the decisions bucket,
 * created by the hub when missing (a stand-in for connect.ts's ensureStreams).
 */
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { DECISIONS_BUCKET, HOSTS_STREAM, HOSTS_SUBJECTS } from './protocol.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export async function ensureFleetStreams(
  nc: NatsConnection,
  { replicas = 1 }: { replicas?: number } = {},
): Promise<{ kv: KV }> {
  const jsm = await jetstreamManager(nc);
  const exists = await jsm.streams.info(HOSTS_STREAM).then(
    () => true,
    () => false,
  );
  if (!exists)
    await jsm.streams.add({
      name: HOSTS_STREAM,
      subjects: [HOSTS_SUBJECTS],
      storage: StorageType.File,
      // A sensor's resend after a lost ack, within this window, is dropped by its Nats-Msg-Id.
      duplicate_window: nanos(10 * MINUTE),
      max_age: nanos(7 * DAY),
      num_replicas: replicas,
    });
  const kv = await new Kvm(nc).create(DECISIONS_BUCKET, { history: 1, replicas });
  return { kv };
}
