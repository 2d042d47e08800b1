import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translator } from '../i18n/index.js';
import { recidiveReason } from './recidive.js';
import { findingReason, lapseReason, reasonText, requesterText } from './reasons.js';

const en = translator('en');
const ko = translator('ko');

describe('reasons and requesters in the reader’s language', () => {
  it('translates what Sheriff writes, and shows what an admin typed as typed', () => {
    assert.equal(reasonText(findingReason('bruteforce', 7), ko), '무차별 대입: 로그인 실패 7회');
    assert.equal(
      reasonText(lapseReason('a1B2c3D4e5F6', true), en),
      'still failing after approval a1B2c3D4e5F6 was denied',
    );
    assert.equal(reasonText('scanner seen on three hosts', ko), 'scanner seen on three hosts');
    const recidive = recidiveReason(5, 86_400_000, findingReason('bruteforce', 7));
    assert.equal(recidive, 'recidive: ban 5 within 1d (bruteforce: 7 failures)');
    assert.equal(
      reasonText(recidive, en),
      'repeat offender: 5 bans within 1d (brute force: 7 failed logins)',
    );
    assert.equal(
      reasonText(recidive, ko),
      '상습 공격: 1d 안에 5번째 차단 (무차별 대입: 로그인 실패 7회)',
    );
  });

  it('names who asked in words: a jail, an automatic ban, an admin by channel, the analyst', () => {
    assert.deepEqual(
      ['jail:sshd', 'policy:auto:sshd', 'admin:cli:root', 'admin:telegram:42', 'agent'].map((by) =>
        requesterText(by, ko),
      ),
      ['감시 규칙 sshd', '자동 차단, 감시 규칙 sshd', 'root, 명령줄', '42, 텔레그램', '분석가'],
    );
    assert.equal(requesterText('admin:web:alice', en), 'alice, web console');
    assert.equal(requesterText('something:new', en), 'something:new');
  });
});
