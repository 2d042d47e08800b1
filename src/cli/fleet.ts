/**
 * `sheriff fleet init|add-host|revoke-host`: writes the fleet's NATS server
 * configuration and credentials (src/fleet/setup.ts) and tells the admin what
 * to copy where. Nothing here talks to NATS; a change takes effect when the
 * admin reloads nats-server, which the output says.
 */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { MessageKey } from '../i18n/index.js';
import { UsageError, type CliContext } from './common.js';

export const DEFAULT_FLEET_DIR = '/etc/sheriff/fleet';

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function registerFleet(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  const fleet = program.command('fleet').description(t('fleet.command.description'));

  /** Runs a setup step; its refusals become usage errors in the admin's language. */
  async function step<T>(action: () => T | Promise<T>): Promise<T> {
    const { FleetSetupError } = await import('../fleet/setup.js');
    try {
      return await action();
    } catch (err) {
      if (err instanceof FleetSetupError) {
        throw new UsageError(t(`fleet.error.${err.code}` as MessageKey, err.params));
      }
      throw err;
    }
  }

  fleet
    .command('init')
    .description(t('fleet.init.description'))
    .requiredOption('--hosts <names>', t('fleet.init.opt.hosts'))
    .option('--dir <dir>', t('fleet.opt.dir'), DEFAULT_FLEET_DIR)
    .option('--tls', t('fleet.init.opt.tls'), false)
    .option('--server-name <names>', t('fleet.init.opt.serverName'))
    .option('--listen <address>', t('fleet.init.opt.listen'), '0.0.0.0:4222')
    .option('--store-dir <dir>', t('fleet.init.opt.storeDir'), '/var/lib/nats/jetstream')
    .action(
      async (o: {
        hosts: string;
        dir: string;
        tls: boolean;
        serverName?: string;
        listen: string;
        storeDir: string;
      }) => {
        const hosts = list(o.hosts);
        if (hosts.length === 0) throw new UsageError(t('fleet.error.no-hosts'));
        const serverNames = o.serverName === undefined ? [hostname()] : list(o.serverName);
        const { isServerName } = await import('../fleet/tls-ca.js');
        const bad = serverNames.find((n) => !isServerName(n));
        if (bad !== undefined || serverNames.length === 0)
          throw new UsageError(t('fleet.error.bad-server-name', { name: bad ?? '' }));
        const { initFleet, fleetFiles, SENSOR_FLEET_DIR } = await import('../fleet/setup.js');
        const dir = resolve(o.dir);
        await step(() =>
          initFleet({
            dir,
            hosts,
            tls: o.tls,
            serverNames,
            listen: o.listen,
            storeDir: o.storeDir,
          }),
        );
        const f = fleetFiles(dir);
        ctx.stdout.write(
          [
            t('fleet.init.done', { count: hosts.length, dir }),
            t('fleet.init.next.server', {
              file: f.server,
              // nats-server resolves an include relative to the including file (/etc here).
              include: `include ${JSON.stringify(relative('/etc', f.server))}`,
            }),
            t('fleet.init.next.hub', { file: f.hubConfig }),
            t('fleet.init.next.hosts', { dir: f.hostsDir, sensorDir: SENSOR_FLEET_DIR }),
            t('fleet.init.secret', { signingKey: f.hubSigningKey }),
            '',
          ].join('\n'),
        );
      },
    );

  fleet
    .command('add-host')
    .description(t('fleet.addHost.description'))
    .argument('<name>')
    .option('--dir <dir>', t('fleet.opt.dir'), DEFAULT_FLEET_DIR)
    .action(async (name: string, o: { dir: string }) => {
      const { addHost, SENSOR_FLEET_DIR } = await import('../fleet/setup.js');
      const dir = resolve(o.dir);
      await step(() => addHost(dir, name));
      ctx.stdout.write(
        `${t('fleet.addHost.done', { host: name, dir: join(dir, 'hosts', name), sensorDir: SENSOR_FLEET_DIR })}\n` +
          `${t('fleet.reload')}\n`,
      );
    });

  fleet
    .command('revoke-host')
    .description(t('fleet.revokeHost.description'))
    .argument('<name>')
    .option('--dir <dir>', t('fleet.opt.dir'), DEFAULT_FLEET_DIR)
    .action(async (name: string, o: { dir: string }) => {
      const { revokeHost, fleetFiles } = await import('../fleet/setup.js');
      const dir = resolve(o.dir);
      await step(() => revokeHost(dir, name));
      ctx.stdout.write(
        `${t('fleet.revokeHost.done', { host: name, file: fleetFiles(dir).accounts })}\n` +
          `${t('fleet.reload')}\n`,
      );
    });
}
