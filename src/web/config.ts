/**
 * The `web:` section of sheriff.yaml: the console and JSON API that run inside
 * `sheriff watch`. Loopback-only by default; opening it wider is allowed, with
 * a warning at start unless TLS or a trusted reverse proxy protects it.
 */
import { z } from 'zod';
import { isHostName } from './hosts.js';
import { isPasswordHash } from './password-hash.js';

export const webSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('serve the web console with `sheriff watch`'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'address to listen on; anything but loopback is warned about unless tls or trustProxy',
      ),
    hostnames: z
      .array(z.string().refine(isHostName, { error: 'config.error.hostName' }))
      .max(100)
      .default([])
      .describe(
        'other names the console is reached by (its DNS name, the Host a reverse proxy passes on), with any port; a request naming any other host is refused (DNS rebinding)',
      ),
    port: z.number().int().min(0).max(65535).default(8740).describe('0 picks a free port'),
    user: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'config.error.userName' })
      .default('admin')
      .describe('the console account; it decides approvals as channel "web"'),
    passwordHash: z
      .string()
      .refine(isPasswordHash, { error: 'config.error.passwordHash' })
      .optional()
      .describe(
        'scrypt hash of the password (`sheriff web passwd`); default: one generated at first start, printed once, its hash kept in <store dir>/web-password',
      ),
    tls: z
      .strictObject({
        cert: z.string().min(1).describe('PEM certificate file'),
        key: z.string().min(1).describe('PEM private key file'),
      })
      .optional()
      .describe('serve HTTPS (the session cookie is then Secure)'),
    trustProxy: z
      .boolean()
      .default(false)
      .describe(
        'behind one reverse proxy that terminates TLS: trust the X-Forwarded-* headers it adds (the client address is the one it saw connect)',
      ),
  })
  .prefault({});

export type WebConfig = z.output<typeof webSchema>;
