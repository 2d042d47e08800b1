import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseSchema } from './config.js';

describe('response.recidive', () => {
  it("is on by default with fail2ban's recidive jail's numbers: 5 bans within a day, a week", () => {
    assert.deepEqual(responseSchema.parse(undefined).recidive, {
      bans: 5,
      findtime: 86_400_000,
      bantime: 7 * 86_400_000,
    });
  });

  it('takes durations as people write them, and false to turn it off', () => {
    assert.deepEqual(
      responseSchema.parse({ recidive: { bans: 3, findtime: '12h', bantime: '30d' } }).recidive,
      { bans: 3, findtime: 12 * 3_600_000, bantime: 30 * 86_400_000 },
    );
    assert.equal(responseSchema.parse({ recidive: false }).recidive, false);
  });

  it('refuses a count under two (every ban would be a recidive) and unknown keys', () => {
    assert.equal(responseSchema.safeParse({ recidive: { bans: 1 } }).success, false);
    assert.equal(responseSchema.safeParse({ recidive: { maxretry: 5 } }).success, false);
  });
});
