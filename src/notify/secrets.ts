/**
 * Where notification credentials come from: the Telegram bot token's
 * variable and each generic webhook's signing-key variable. Reading them is
 * config/secrets.ts.
 */
export const TELEGRAM_TOKEN_ENV = 'SHERIFF_TELEGRAM_TOKEN';

export function webhookSecretEnv(name: string): string {
  return `SHERIFF_WEBHOOK_${name.toUpperCase().replace(/-/g, '_')}_SECRET`;
}
