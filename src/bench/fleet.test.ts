import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pollingModelQuantile } from './fleet.js';

describe("CrowdSec's polling model", () => {
  it('is the quantile of the latest of N uniform poll phases over 10 s', () => {
    // One bouncer: its phase is uniform, so the median wait is half the period.
    assert.equal(pollingModelQuantile(1, 0.5), 5000);
    assert.equal(pollingModelQuantile(1, 0.95), 9500);
    // Two: P(max ≤ t) = (t/10)², so the median is 10·√0.5.
    assert.ok(Math.abs(pollingModelQuantile(2, 0.5) - 10_000 * Math.SQRT1_2) < 1e-9);
    // Fifty hosts: nearly the whole period.
    assert.equal(Math.round(pollingModelQuantile(50, 0.5)), 9862);
    assert.equal(Math.round(pollingModelQuantile(1000, 0.95)), 9999);
  });

  it('refuses what is not a fleet or a quantile', () => {
    assert.throws(() => pollingModelQuantile(0, 0.5), RangeError);
    assert.throws(() => pollingModelQuantile(1.5, 0.5), RangeError);
    assert.throws(() => pollingModelQuantile(10, 1), RangeError);
  });
});
