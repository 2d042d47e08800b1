/** Messages of the agent area (the analyst, command mode, `sheriff ask`/`chat`), in English and Korean. */
import { defineMessages } from './define.js';

export const agentMessages = defineMessages({
  en: {
    'agent.status.line': 'Status: {level}',
    'agent.note.language':
      '(Note: parts written in another language were removed from this answer.)',
    'agent.note.language-replaced':
      '(The analysis model did not answer in English, so here is Sheriff’s own summary instead.)',
    'agent.guard.command':
      'a command from the model was removed: Sheriff never gives commands to run',
    'agent.guard.link': 'link removed: it was not in what Sheriff looked at',
    'agent.guard.claims':
      'Sheriff removed sentences claiming a ban, unban, approval or isolation that did not happen. The analyst cannot do any of these: it can only ask, and a human decides.',
    'agent.guard.commands':
      'Commands and links from the model were removed. Do not run commands an AI suggests from log data.',
    'agent.guard.none':
      'In this answer Sheriff proposed nothing: nothing was banned, unbanned, approved or isolated.',
    'agent.guard.approval-attempt':
      'Refused: the model tried to approve a request itself. Only a human can approve.',
    'agent.budget.conversation':
      'This conversation has used its token budget for today ({used} of {limit}). Please try again tomorrow, or use commands such as "status" meanwhile.',
    'agent.budget.day':
      'The analyst has used today\'s token budget ({used} of {limit}). Please try again tomorrow, or use commands such as "status" meanwhile.',
    'agent.error.provider':
      'The analysis model could not answer ({reason}). Here is what the commands can tell:',
    'agent.stopped.steps':
      'I stopped after {steps} steps without a final answer. What I looked at: {tools}.',
    'agent.stopped.time': 'I ran out of time for this question. What I looked at: {tools}.',
    'agent.stopped.none': 'nothing',
    'agent.approval.proposed':
      'Approval request {id}: {action} {target} (expires {expires}). Nothing happens until a human approves it.',
    'agent.approval.how': 'Approve with: sheriff approve {id} (or deny with: sheriff deny {id})',
    'agent.action.ban': 'ban',
    'agent.action.unban': 'unban',
    'agent.action.isolate': 'isolate this host',
    'agent.action.release': 'release isolation',
    'agent.refused.not-in-evidence':
      'Not proposed: {ip} has no failed logins or findings in the store, so there is no evidence to ban it on.',
    'agent.refused.protected-address':
      'Not proposed: {ip} is a trusted or admin address and is never banned.',
    'agent.refused.already-banned': '{ip} is already banned.',
    'agent.refused.not-banned': '{ip} is not banned.',
    'agent.refused.no-data': 'Nothing is stored about {ip} in the last 30 days.',
    'agent.cmd.help':
      'Commands: status · ports · users · bans · report · analyse <address> · block <address> · unban <address> · help',
    'agent.cmd.report.none': 'The daily report is made by the running daemon (sheriff watch).',
    'agent.cmd.enable':
      'The LLM analyst is off. To turn it on, set agent.provider in sheriff.yaml (for example groq) and the API key in SHERIFF_LLM_API_KEY or GROQ_API_KEY.',
    'agent.cmd.unknown': 'I did not understand that. {help}',
    'agent.cmd.reasons': 'Why: {reasons}',
    'agent.cmd.counts':
      'Last 24 hours: {failures} failed logins from {addresses} addresses · active bans: {bans} · pending approvals: {pending}',
    'agent.cmd.ports.none': 'No listening TCP ports were found.',
    'agent.cmd.ports.title': 'Listening TCP ports:',
    'agent.cmd.port': '  {port}/tcp on {address} — {process}',
    'agent.cmd.users.none': 'Nobody is logged in.',
    'agent.cmd.users.title': 'Logged in now:',
    'agent.cmd.user': '  {address} ({detail})',
    'agent.cmd.bans.none': 'No active bans.',
    'agent.cmd.bans.title': 'Active bans:',
    'agent.cmd.ban': '  {target} until {until} — {reason}',
    'agent.cmd.forever': 'no expiry',
    'agent.cmd.analysis':
      '{ip}: {failures} failures, {successes} logins, {users} user names tried, first seen {first}, last seen {last}.',
    'agent.cmd.analysis.findings': 'Findings: {findings}',
    'agent.cmd.analysis.poisoned':
      'Warning: {count} of the user names from this address read like instructions to an AI; that is itself an attack indicator.',
    'agent.cmd.failed': 'That could not be done: {reason}',
    'cli.ask.description': 'Ask the analyst one question (command mode when no LLM is configured).',
    'cli.ask.arg.question': 'the question, e.g. "status" or "analyse 203.0.113.7"',
    'cli.ask.opt.json': 'print the reply as JSON',
    'cli.chat.description':
      'A conversation with the analyst in this terminal (approval requests shown inline).',
    'cli.chat.welcome': 'Sheriff analyst ({mode}). Type a question; "exit" or Ctrl-D ends.',
    'cli.chat.mode.llm': 'model {model}',
    'cli.chat.decide': 'Decide an approval here with: approve ID or deny ID.',
    'cli.chat.mode.command': 'command mode',
    'cli.agent.provider-error': 'the analyst cannot start: {message}',
  },
  ko: {
    'agent.status.line': '상태: {level}',
    'agent.note.language': '(참고: 이 답변에서 다른 언어로 쓰인 부분을 지웠습니다.)',
    'agent.note.language-replaced':
      '(분석 모델이 한국어로 답하지 않아, 대신 Sheriff가 직접 정리한 현황을 보여 드립니다.)',
    'agent.guard.command':
      '모델이 제시한 명령을 지웠습니다: Sheriff는 실행할 명령을 권하지 않습니다',
    'agent.guard.link': '링크를 지웠습니다: Sheriff가 확인한 자료에 없는 주소입니다',
    'agent.guard.claims':
      '실제로 일어나지 않은 차단, 차단 해제, 승인, 격리를 했다고 말하는 문장을 Sheriff가 지웠습니다. 분석가는 이런 조치를 직접 할 수 없고 요청만 할 수 있으며, 결정은 관리자가 합니다.',
    'agent.guard.commands':
      '모델이 제시한 명령과 링크를 지웠습니다. 로그 내용을 바탕으로 AI가 권하는 명령은 실행하지 마십시오.',
    'agent.guard.none':
      '이 답변에서 Sheriff가 요청한 조치는 없습니다. 아무것도 차단, 차단 해제, 승인, 격리되지 않았습니다.',
    'agent.guard.approval-attempt':
      '거부했습니다: 모델이 승인 요청을 직접 승인하려고 했습니다. 승인은 관리자만 할 수 있습니다.',
    'agent.budget.conversation':
      '이 대화는 오늘 쓸 수 있는 토큰을 모두 사용했습니다({used}/{limit}). 내일 다시 요청해 주시고, 그동안은 "상태" 같은 명령을 사용해 주십시오.',
    'agent.budget.day':
      '분석가가 오늘 쓸 수 있는 토큰을 모두 사용했습니다({used}/{limit}). 내일 다시 요청해 주시고, 그동안은 "상태" 같은 명령을 사용해 주십시오.',
    'agent.error.provider':
      '분석 모델이 응답하지 못했습니다({reason}). 명령 모드로 확인한 내용은 다음과 같습니다.',
    'agent.stopped.steps':
      '{steps}단계를 진행했지만 최종 답변을 내지 못해 중단했습니다. 확인한 항목: {tools}.',
    'agent.stopped.time': '이 질문에 주어진 시간을 모두 써서 중단했습니다. 확인한 항목: {tools}.',
    'agent.stopped.none': '없음',
    'agent.approval.proposed':
      '승인 요청 {id}: {target} {action} (만료 {expires}). 관리자가 승인하기 전에는 아무것도 실행되지 않습니다.',
    'agent.approval.how': '승인: sheriff approve {id} (거부: sheriff deny {id})',
    'agent.action.ban': '차단',
    'agent.action.unban': '차단 해제',
    'agent.action.isolate': '서버 격리',
    'agent.action.release': '격리 해제',
    'agent.refused.not-in-evidence':
      '요청하지 않았습니다: {ip}에 대해 저장된 로그인 실패나 탐지 기록이 없어 차단할 근거가 없습니다.',
    'agent.refused.protected-address':
      '요청하지 않았습니다: {ip}는 신뢰하는 주소이거나 관리자 주소여서 차단하지 않습니다.',
    'agent.refused.already-banned': '{ip}는 이미 차단되어 있습니다.',
    'agent.refused.not-banned': '{ip}는 차단되어 있지 않습니다.',
    'agent.refused.no-data': '최근 30일 동안 {ip}에 대해 저장된 기록이 없습니다.',
    'agent.cmd.help':
      '명령: 상태 · 열린 포트 · 접속자 · 차단 목록 · 보고서 · 분석 <주소> · 차단 <주소> · 차단 해제 <주소> · 도움말',
    'agent.cmd.report.none': '일일 보고서는 실행 중인 데몬(sheriff watch)이 만듭니다.',
    'agent.cmd.enable':
      'LLM 분석가가 꺼져 있습니다. 켜려면 sheriff.yaml의 agent.provider를 설정하고(예: groq) API 키를 SHERIFF_LLM_API_KEY 또는 GROQ_API_KEY에 넣어 주십시오.',
    'agent.cmd.unknown': '요청을 이해하지 못했습니다. {help}',
    'agent.cmd.reasons': '근거: {reasons}',
    'agent.cmd.counts':
      '최근 24시간: 주소 {addresses}곳에서 로그인 실패 {failures}회 · 차단 중: {bans}건 · 승인 대기: {pending}건',
    'agent.cmd.ports.none': '열려 있는 TCP 포트를 찾지 못했습니다.',
    'agent.cmd.ports.title': '열려 있는 TCP 포트:',
    'agent.cmd.port': '  {port}/tcp ({address}) — {process}',
    'agent.cmd.users.none': '지금 로그인한 사용자가 없습니다.',
    'agent.cmd.users.title': '현재 접속 중:',
    'agent.cmd.user': '  {address} ({detail})',
    'agent.cmd.bans.none': '차단 중인 주소가 없습니다.',
    'agent.cmd.bans.title': '차단 중인 주소:',
    'agent.cmd.ban': '  {target} — {until}까지 — {reason}',
    'agent.cmd.forever': '기한 없음',
    'agent.cmd.analysis':
      '{ip}: 로그인 실패 {failures}회, 로그인 성공 {successes}회, 시도한 사용자 이름 {users}개, 처음 관측 {first}, 마지막 관측 {last}.',
    'agent.cmd.analysis.findings': '탐지: {findings}',
    'agent.cmd.analysis.poisoned':
      '주의: 이 주소에서 온 사용자 이름 {count}개가 AI에게 내리는 지시처럼 쓰여 있습니다. 그 자체가 공격의 징후입니다.',
    'agent.cmd.failed': '처리하지 못했습니다: {reason}',
    'cli.ask.description':
      '분석가에게 질문 하나를 합니다(LLM이 설정되지 않았으면 명령 모드로 답합니다).',
    'cli.ask.arg.question': '질문, 예: "상태" 또는 "분석 203.0.113.7"',
    'cli.ask.opt.json': '답변을 JSON으로 출력합니다',
    'cli.chat.description': '이 터미널에서 분석가와 대화합니다(승인 요청도 함께 보여 줍니다).',
    'cli.chat.welcome':
      'Sheriff 분석가({mode}). 질문을 입력해 주십시오. "exit" 또는 Ctrl-D로 끝냅니다.',
    'cli.chat.mode.llm': '모델 {model}',
    'cli.chat.decide':
      '승인 요청은 여기서 결정할 수 있습니다: approve ID 또는 deny ID (승인 ID, 거부 ID).',
    'cli.chat.mode.command': '명령 모드',
    'cli.agent.provider-error': '분석가를 시작할 수 없습니다: {message}',
  },
});
