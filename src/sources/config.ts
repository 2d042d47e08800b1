/** The `sources:` section of sheriff.yaml: where log lines come from (files, journald, syslog, stdin). */
import { z } from 'zod';
import { count } from '../config/count-schema.js';
import { duration } from '../config/duration-schema.js';

const hostPort = z.string().transform((v, ctx) => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (m === null || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'config.error.hostPort' });
    return z.NEVER;
  }
  return { host: m[1] ?? m[2]!, port };
});

const sourceJails = z
  .array(z.string())
  .optional()
  .describe('jails that read this source (default: every enabled jail)');

const fileSource = z.strictObject({
  type: z.literal('file'),
  path: z.string().min(1).describe('log file to follow, e.g. /var/log/auth.log'),
  rotated: z
    .array(z.string())
    .optional()
    .describe(
      'where rotated copies go besides <path>.N[.gz] and <path>-DATE[.gz] (paths or globs, relative to the file, e.g. old/auth.log.*), to read lines left in them',
    ),
  pollInterval: duration('1s').default(1000).describe('polling fallback besides inotify'),
  startAtBeginning: z
    .boolean()
    .default(false)
    .describe('read the existing file from its start the first time'),
  jails: sourceJails,
});

const journaldSource = z.strictObject({
  type: z.literal('journald'),
  units: z
    .array(z.string())
    .default(['ssh.service', 'sshd.service'])
    .describe('systemd units to read (sshd is also matched by its trusted _COMM)'),
  journalctl: z.string().default('journalctl').describe('path of the journalctl program'),
  jails: sourceJails,
});

const syslogSource = z.strictObject({
  type: z.literal('syslog'),
  listen: hostPort
    .default({ host: '127.0.0.1', port: 5514 })
    .describe('address to receive syslog on'),
  protocols: z
    .array(z.enum(['udp', 'tcp']))
    .min(1)
    .default(['udp', 'tcp']),
  maxMessageBytes: count(512).default(65536),
  jails: sourceJails,
});

const stdinSource = z.strictObject({ type: z.literal('stdin'), jails: sourceJails });

export const sourceSchema = z.discriminatedUnion(
  'type',
  [fileSource, journaldSource, syslogSource, stdinSource],
  { error: (i) => (i.code === 'invalid_union' ? 'config.error.sourceType' : undefined) },
);

export const sourcesSchema = z
  .array(sourceSchema)
  .default([])
  .describe('empty: /var/log/auth.log, else /var/log/secure, else journald');

export type SourceConfig = z.output<typeof sourceSchema>;
