/** Messages of the daily report (report/ and `sheriff report`), in English and Korean. */
import { defineMessages } from './define.js';

export const reportMessages = defineMessages({
  en: {
    'report.quiet':
      '📋 Daily report {date}: a quiet day. No failed logins, no logins, no bans, no new incidents, nobody logged in; status normal.',
    'report.title': '📋 Daily report {date} ({from} – {to}, {zone})',
    'report.counts': 'The last 24 hours, against the 24 hours before:',
    'report.count.failures': '- Failed logins: {count} (day before {before}, {change})',
    'report.count.attackers': '- Attacking addresses: {count} (day before {before}, {change})',
    'report.count.bans': '- Bans: {count} (day before {before}, {change})',
    'report.count.bansNotEnforced':
      '  NOT ENFORCED: {count} of these bans blocked nothing (the firewall was in dry-run).',
    'report.count.incidents': '- New incidents: {count} (day before {before}, {change})',
    'report.change.same': 'no change',
    'report.attackers': 'Top attackers:',
    'report.attacker': '{n}. {ip}: failed attempts {failures}, user names tried {users}',
    'report.logins': 'Successful logins ({count}):',
    'report.logins.none': 'Successful logins: none.',
    'report.login': '- {user} from {from}, ×{count} ({time})',
    'report.login.new':
      '- 🆕 {user} from {from}, ×{count} ({time}): an address never seen before for this user',
    'report.ports.first': 'Listening ports: {count} (no earlier report to compare with).',
    'report.ports.unchanged': 'Listening ports: {count}, no change since {date}.',
    'report.ports.changed': 'Listening ports: {count}; changes since {date}:',
    'report.port.appeared': '+ {port} (new)',
    'report.port.vanished': '− {port} (gone)',
    'report.sessions': 'Logged in now:',
    'report.sessions.none': 'Logged in now: nobody.',
    'report.session.login': '- {user} on {tty} from {address}',
    'report.session.connection': '- an SSH connection from {address}',
    'report.commentary': '🧑‍💻 Analyst (advice, not the verdict): {text}',
    'report.more': '… and {count} more',
    'report.kind': 'daily reports',
    'report.fresh':
      'No report is stored for {date}: this one was made from the store just now, without listening ports, sessions or commentary.',
    'report.error.date': 'expected a date like 2026-11-25, got "{value}"',
    'report.error.future': 'there is no report for {value} yet: that day has not come',
    'report.description':
      'Show the daily report of a date (default: the latest stored); made from the store when none is stored.',
    'report.opt.date': "the report's local date, YYYY-MM-DD",
    'report.opt.json': 'print the report as JSON',
  },
  ko: {
    'report.quiet':
      '📋 {date} 일일 보고서: 조용한 하루였습니다. 로그인 실패, 로그인, 차단, 새 사건이 모두 없고 로그인한 사람도 없습니다. 상태는 정상입니다.',
    'report.title': '📋 {date} 일일 보고서 ({from} – {to}, {zone})',
    'report.counts': '지난 24시간 (괄호 안은 그 전 24시간과 비교):',
    'report.count.failures': '- 로그인 실패: {count}회 (전날 {before}회, {change})',
    'report.count.attackers': '- 공격한 주소: {count}개 (전날 {before}개, {change})',
    'report.count.bans': '- 차단: {count}건 (전날 {before}건, {change})',
    'report.count.bansNotEnforced':
      '  실제로 적용되지 않음: 이 중 {count}건은 아무것도 막지 않았습니다 (방화벽이 시험 모드였습니다).',
    'report.count.incidents': '- 새 사건: {count}건 (전날 {before}건, {change})',
    'report.change.same': '변화 없음',
    'report.attackers': '주요 공격 주소:',
    'report.attacker': '{n}. {ip}: 실패 {failures}회, 시도한 사용자 이름 {users}개',
    'report.logins': '성공한 로그인 ({count}회):',
    'report.logins.none': '성공한 로그인: 없음.',
    'report.login': '- {user}, {from}에서 {count}회 ({time})',
    'report.login.new':
      '- 🆕 {user}, {from}에서 {count}회 ({time}): 이 사용자에게는 처음 보는 주소입니다',
    'report.ports.first': '수신 대기 포트: {count}개 (비교할 이전 보고서가 없습니다).',
    'report.ports.unchanged': '수신 대기 포트: {count}개, {date} 이후 변화 없음.',
    'report.ports.changed': '수신 대기 포트: {count}개, {date} 이후 바뀐 점:',
    'report.port.appeared': '+ {port} (새로 열림)',
    'report.port.vanished': '− {port} (닫힘)',
    'report.sessions': '지금 로그인한 사용자:',
    'report.sessions.none': '지금 로그인한 사용자: 없음.',
    'report.session.login': '- {user} ({tty}, {address}에서 접속)',
    'report.session.connection': '- {address}에서 온 SSH 연결',
    'report.commentary': '🧑‍💻 분석가 의견 (참고용이며 판정이 아닙니다): {text}',
    'report.more': '… 외 {count}건',
    'report.kind': '일일 보고서',
    'report.fresh':
      '{date}에 저장된 보고서가 없어 저장소의 기록으로 지금 만들었습니다. 수신 대기 포트, 로그인한 사용자, 분석가 의견은 빠져 있습니다.',
    'report.error.date': '날짜는 2026-11-25처럼 적어야 합니다. 입력값: "{value}"',
    'report.error.future': '{value} 보고서는 아직 없습니다. 아직 오지 않은 날입니다',
    'report.description':
      '일일 보고서를 보여 줍니다 (기본: 가장 최근에 저장된 보고서). 저장된 것이 없으면 저장소의 기록으로 만듭니다.',
    'report.opt.date': '보고서의 현지 날짜 (YYYY-MM-DD)',
    'report.opt.json': '보고서를 JSON으로 출력',
  },
});
