/** Messages of the notify area (Telegram, webhooks), in English and Korean. */
import { defineMessages } from './define.js';

export const notifyMessages = defineMessages({
  en: {
    'notify.approval.ban': '🛡 Ban {target} for {duration}? Reason: {reason}',
    'notify.approval.banPermanent': '🛡 Ban {target} permanently? Reason: {reason}',
    'notify.approval.unban': '🔓 Lift the ban on {target}? Reason: {reason}',
    'notify.approval.isolate':
      '🚧 Isolate the host (only admin addresses reach it)? Reason: {reason}',
    'notify.approval.release': '✅ End the isolation of the host? Reason: {reason}',
    'notify.approval.footer': 'Requested by {by}. Approval {id}, expires at {expires}.',
    'notify.banned': '⛔ {target} is banned until {until} ({by}).',
    'notify.bannedPermanent': '⛔ {target} is banned permanently ({by}).',
    'notify.bannedDryRun':
      '⚠️ DRY-RUN: {target} is recorded as banned until {until} ({by}), but NOTHING IS BLOCKED: the firewall is in dry-run.',
    'notify.bannedDryRunPermanent':
      '⚠️ DRY-RUN: {target} is recorded as banned permanently ({by}), but NOTHING IS BLOCKED: the firewall is in dry-run.',
    'notify.banFailed':
      '❗ The firewall refused to ban {target}: {error}. The ban stays pending and is retried.',
    'notify.refused': '🚫 {target} was not banned: {reason}',
    'notify.unbanned': '🔓 {target} is no longer banned: {reason}',
    'notify.unbannedExpired': '🔓 The ban on {target} has expired.',
    'notify.notEffective':
      '⚠️ The ban on {target} is not working: {failures} failed logins arrived after it. Check the firewall.',
    'notify.isolated':
      '🚧 The host is isolated: only admin addresses reach it. It reverts by itself at {revert} unless confirmed with sheriff isolate --confirm.',
    'notify.isolatedConfirmed': '🚧 The host is isolated: only admin addresses reach it.',
    'notify.isolatedDryRun':
      '⚠️ DRY-RUN: the host is recorded as isolated, but NOTHING IS BLOCKED: the firewall is in dry-run, and everyone can still reach it.',
    'notify.released': '✅ The host is no longer isolated: {reason}',
    'notify.breaker':
      '🧯 Circuit breaker: more than {max} automatic bans in a minute. Automatic bans are stopped until {until}; bans you approve still work.',
    'notify.digest':
      '📦 {count} more alerts in the last {window}, grouped instead of sent one by one:\n{summary}',
    'notify.digest.addresses': 'addresses: {addresses}',
    'notify.digest.pending':
      '{count} approval requests are waiting for a decision (see sheriff approvals).',
    'notify.approvalExpired':
      '⌛ Approval {id} expired at {time} without a decision; nothing was done. It asked:\n{question}',
    'notify.approvalExpired.again': 'If {target} keeps failing, Sheriff will ask again.',
    'notify.kind.approval-expired': 'expired approval requests',
    'notify.button.approveAll': '✅ Approve all {count}',
    'notify.answer.approvedAll':
      'Approved {approved} of {total}: they are carried out within a second.',
    'notify.decided.approvedAll': '✅ {who} approved {approved} of {total} at {time}.',
    'notify.answer.approvedAllRefused':
      'Approved {approved} of {total}; the guardrails refused {refused}, and nothing is done for those.',
    'notify.decided.refusedItem': '🚫 {target}: refused by the guardrails, {reason}.',
    'notify.kind.bruteforce': 'brute force',
    'notify.kind.slow-bruteforce': 'slow brute force',
    'notify.kind.compromise': 'break-in',
    'notify.kind.internal-bruteforce': 'failed logins from a trusted address',
    'notify.kind.internal-compromise': 'break-in from a trusted address',
    'notify.kind.persistent': 'persistent attacker',
    'notify.kind.stuffing': 'credential stuffing',
    'notify.kind.distributed': 'distributed brute force',
    'notify.kind.approval': 'approval requests (see sheriff approvals)',
    'notify.kind.banned': 'bans',
    'notify.kind.bannedDryRun': 'bans NOT enforced (dry-run)',
    'notify.kind.ban-failed': 'failed bans',
    'notify.kind.refused': 'refused bans',
    'notify.kind.unbanned': 'lifted bans',
    'notify.kind.not-effective': 'bans not working',
    'notify.kind.isolated': 'isolation',
    'notify.kind.released': 'end of isolation',
    'notify.kind.breaker': 'circuit breaker',
    'notify.kind.status': 'status changes',
    'notify.statusChanged': 'Server status: {level} (was {previous})',
    'notify.button.approve': '✅ Approve',
    'notify.button.deny': '❌ Deny',
    'notify.decided.approved': '✅ Approved by {who} at {time}.',
    'notify.decided.denied': '❌ Denied by {who} at {time}.',
    'notify.decided.expired': '⌛ Expired at {time}; nothing was done.',
    'notify.decided.refused': '🚫 Refused at {time}; nothing was done.',
    'notify.decided.refusedGuard':
      '🚫 {who} approved at {time}, but the guardrails refused it: {reason}. Nothing was banned.',
    'notify.answer.refused':
      'The guardrails refused this ban; nothing was done. The card says why.',
    'notify.answer.approved': 'Approved: it is carried out within a second.',
    'notify.answer.denied': 'Denied: nothing will be done.',
    'notify.answer.alreadyDecided': 'This was already decided; nothing more was done.',
    'notify.answer.expired': 'This approval has expired; nothing was done.',
    'notify.answer.unknown': 'This approval no longer exists; nothing was done.',
    'notify.answer.tampered':
      'This approval was changed in the database and is refused; nothing was done.',
    'notify.answer.unauthorised': 'You are not allowed to decide approvals.',
    'notify.answer.invalid': 'This button is not recognised; nothing was done.',
    'notify.help':
      'Sheriff commands:\n/status: how the server is doing\n/incidents: open incidents\n/bans: banned addresses\n/ban IP [DURATION]: ask to ban (e.g. /ban 203.0.113.5 1h)\n/unban IP: ask to lift a ban\n/report: the daily report\n/lang ko|en: language of this chat\n/help: this list',
    'notify.freeText': 'I only understand commands here. /help lists them.',
    'notify.lang.set': 'This chat now gets messages in English.',
    'notify.lang.usage': 'Usage: /lang ko or /lang en',
    'notify.status':
      '🤠 Sheriff is watching (since {since}).\nActive bans: {bans}\nPending approvals: {pending}\nMessages waiting to be sent: {queued}',
    'notify.status.notRunning':
      '🤠 Sheriff has published no status yet.\nActive bans: {bans}\nPending approvals: {pending}',
    'notify.status.level': 'Status: {level}',
    'notify.status.dryRun':
      '⚠️ The firewall is not enforcing bans (dry-run): NOTHING IS BLOCKED. See sheriff status.',
    'notify.level.normal': '🟢 normal',
    'notify.level.caution': '🟡 caution',
    'notify.level.danger': '🔴 danger',
    'notify.bans.none': 'No address is banned.',
    'notify.bans.title': 'Banned addresses ({count}):',
    'notify.bans.item': '{target} until {until}',
    'notify.bans.itemPermanent': '{target}, permanent',
    'notify.bans.more': '…and {count} more (sheriff bans lists all)',
    'notify.ban.usage': 'Usage: /ban IP [DURATION], e.g. /ban 203.0.113.5 1h',
    'notify.unban.usage': 'Usage: /unban IP, e.g. /unban 203.0.113.5',
    'notify.ban.badTarget': '{input} is not an IP address or network.',
    'notify.ban.badDuration': '{input} is not a duration like 30m, 1h or 1d.',
    'notify.ban.failed': 'The request could not be made: {reason}',
    'notify.unban.notBanned': '{target} is not banned.',
    'notify.unavailable': 'This is not available on this server yet.',
    'notify.ask.failed': 'The analyst could not answer just now. Please try again later.',
    'notify.permanent': 'permanently',
  },
  ko: {
    'notify.approval.ban': '🛡 {target}을(를) {duration} 동안 차단할까요? 사유: {reason}',
    'notify.approval.banPermanent': '🛡 {target}을(를) 영구 차단할까요? 사유: {reason}',
    'notify.approval.unban': '🔓 {target}의 차단을 해제할까요? 사유: {reason}',
    'notify.approval.isolate':
      '🚧 이 호스트를 격리할까요? 격리하면 관리자 주소만 접속할 수 있습니다. 사유: {reason}',
    'notify.approval.release': '✅ 호스트 격리를 해제할까요? 사유: {reason}',
    'notify.approval.footer': '요청: {by}. 승인 번호 {id}, {expires}에 만료됩니다.',
    'notify.banned': '⛔ {target}을(를) {until}까지 차단했습니다 ({by}).',
    'notify.bannedPermanent': '⛔ {target}을(를) 영구 차단했습니다 ({by}).',
    'notify.bannedDryRun':
      '⚠️ 시험 모드(dry-run): {target}을(를) {until}까지 차단한 것으로 기록했지만 ({by}), 실제로는 아무것도 차단되지 않았습니다. 방화벽이 시험 모드입니다.',
    'notify.bannedDryRunPermanent':
      '⚠️ 시험 모드(dry-run): {target}을(를) 영구 차단한 것으로 기록했지만 ({by}), 실제로는 아무것도 차단되지 않았습니다. 방화벽이 시험 모드입니다.',
    'notify.banFailed':
      '❗ 방화벽이 {target} 차단을 거부했습니다: {error}. 차단은 대기 상태로 남아 다시 시도합니다.',
    'notify.refused': '🚫 {target}은(는) 차단하지 않았습니다: {reason}',
    'notify.unbanned': '🔓 {target}의 차단이 해제되었습니다: {reason}',
    'notify.unbannedExpired': '🔓 {target}의 차단 기간이 끝났습니다.',
    'notify.notEffective':
      '⚠️ {target} 차단이 효과가 없습니다. 차단 후에도 로그인 실패가 {failures}회 들어왔습니다. 방화벽을 확인하세요.',
    'notify.isolated':
      '🚧 호스트를 격리했습니다. 이제 관리자 주소만 접속할 수 있습니다. sheriff isolate --confirm으로 확정하지 않으면 {revert}에 자동으로 해제됩니다.',
    'notify.isolatedConfirmed': '🚧 호스트를 격리했습니다. 이제 관리자 주소만 접속할 수 있습니다.',
    'notify.isolatedDryRun':
      '⚠️ 시험 모드(dry-run): 호스트를 격리한 것으로 기록했지만 실제로는 아무것도 차단되지 않았습니다. 방화벽이 시험 모드라 누구나 여전히 접속할 수 있습니다.',
    'notify.released': '✅ 호스트 격리가 해제되었습니다: {reason}',
    'notify.breaker':
      '🧯 자동 차단을 멈췄습니다(회로 차단기): 1분 동안 자동 차단이 {max}건을 넘었습니다. {until}까지 자동 차단을 하지 않습니다. 직접 승인한 차단은 계속 적용됩니다.',
    'notify.digest':
      '📦 최근 {window} 동안 알림 {count}건이 더 있어 하나로 묶어 보냅니다:\n{summary}',
    'notify.digest.addresses': '주소: {addresses}',
    'notify.digest.pending':
      '결정을 기다리는 승인 요청이 {count}건 있습니다 (sheriff approvals로 확인).',
    'notify.approvalExpired':
      '⌛ 승인 요청 {id}이(가) 결정 없이 {time}에 만료되어 아무 조치도 하지 않았습니다. 요청 내용:\n{question}',
    'notify.approvalExpired.again': '{target}에서 실패가 계속되면 Sheriff가 다시 묻습니다.',
    'notify.kind.approval-expired': '만료된 승인 요청',
    'notify.button.approveAll': '✅ {count}건 모두 승인',
    'notify.answer.approvedAll': '{total}건 중 {approved}건을 승인했습니다. 1초 안에 실행됩니다.',
    'notify.decided.approvedAll': '✅ {who}님이 {time}에 {total}건 중 {approved}건을 승인했습니다.',
    'notify.answer.approvedAllRefused':
      '{total}건 중 {approved}건을 승인했습니다. {refused}건은 안전장치가 거절해 아무 조치도 하지 않습니다.',
    'notify.decided.refusedItem': '🚫 {target}: 안전장치가 거절했습니다. {reason}.',
    'notify.kind.bruteforce': '무차별 대입 공격',
    'notify.kind.slow-bruteforce': '느린 무차별 대입 공격',
    'notify.kind.compromise': '침입 의심',
    'notify.kind.internal-bruteforce': '신뢰 주소의 로그인 실패',
    'notify.kind.internal-compromise': '신뢰 주소의 침입 의심',
    'notify.kind.persistent': '장기 반복 공격',
    'notify.kind.stuffing': '크리덴셜 스터핑',
    'notify.kind.distributed': '분산 무차별 대입',
    'notify.kind.approval': '승인 요청 (sheriff approvals로 확인)',
    'notify.kind.banned': '차단',
    'notify.kind.bannedDryRun': '실제로 적용되지 않은 차단(시험 모드)',
    'notify.kind.ban-failed': '차단 실패',
    'notify.kind.refused': '거부된 차단',
    'notify.kind.unbanned': '차단 해제',
    'notify.kind.not-effective': '효과 없는 차단',
    'notify.kind.isolated': '격리',
    'notify.kind.released': '격리 해제',
    'notify.kind.breaker': '자동 차단 중지',
    'notify.kind.status': '상태 변경',
    'notify.statusChanged': '서버 상태: {level} (이전: {previous})',
    'notify.button.approve': '✅ 승인',
    'notify.button.deny': '❌ 거부',
    'notify.decided.approved': '✅ {who}님이 {time}에 승인했습니다.',
    'notify.decided.denied': '❌ {who}님이 {time}에 거부했습니다.',
    'notify.decided.expired': '⌛ {time}에 만료되어 아무 조치도 하지 않았습니다.',
    'notify.decided.refused': '🚫 {time}에 거부되어 아무 조치도 하지 않았습니다.',
    'notify.decided.refusedGuard':
      '🚫 {who}님이 {time}에 승인했지만 안전장치가 거절했습니다: {reason}. 아무것도 차단하지 않았습니다.',
    'notify.answer.refused':
      '안전장치가 이 차단을 거절해 아무 조치도 하지 않았습니다. 이유는 메시지에 적었습니다.',
    'notify.answer.approved': '승인했습니다. 1초 안에 실행됩니다.',
    'notify.answer.denied': '거부했습니다. 아무 조치도 하지 않습니다.',
    'notify.answer.alreadyDecided': '이미 결정된 요청입니다. 추가로 한 일은 없습니다.',
    'notify.answer.expired': '만료된 승인 요청입니다. 아무 조치도 하지 않았습니다.',
    'notify.answer.unknown': '더 이상 존재하지 않는 승인 요청입니다. 아무 조치도 하지 않았습니다.',
    'notify.answer.tampered':
      '데이터베이스에서 변경된 승인 요청이라 거부했습니다. 아무 조치도 하지 않았습니다.',
    'notify.answer.unauthorised': '승인 요청을 결정할 권한이 없습니다.',
    'notify.answer.invalid': '알 수 없는 버튼입니다. 아무 조치도 하지 않았습니다.',
    'notify.help':
      'Sheriff 명령어:\n/status: 서버 상태\n/incidents: 진행 중인 사건\n/bans: 차단된 주소\n/ban IP [기간]: 차단 요청 (예: /ban 203.0.113.5 1h)\n/unban IP: 차단 해제 요청\n/report: 일일 보고서\n/lang ko|en: 이 대화방의 언어\n/help: 이 목록',
    'notify.freeText': '여기서는 명령어만 이해합니다. /help로 목록을 볼 수 있습니다.',
    'notify.lang.set': '이 대화방에는 이제 한국어로 메시지를 보냅니다.',
    'notify.lang.usage': '사용법: /lang ko 또는 /lang en',
    'notify.status':
      '🤠 Sheriff가 감시 중입니다 ({since}부터).\n활성 차단: {bans}건\n대기 중인 승인 요청: {pending}건\n전송 대기 중인 메시지: {queued}건',
    'notify.status.notRunning':
      '🤠 Sheriff가 아직 상태를 게시하지 않았습니다.\n활성 차단: {bans}건\n대기 중인 승인 요청: {pending}건',
    'notify.status.level': '상태: {level}',
    'notify.status.dryRun':
      '⚠️ 방화벽이 차단을 적용하지 않습니다(시험 모드): 아무것도 차단되지 않습니다. sheriff status로 확인하세요.',
    'notify.level.normal': '🟢 정상',
    'notify.level.caution': '🟡 주의',
    'notify.level.danger': '🔴 위험',
    'notify.bans.none': '차단된 주소가 없습니다.',
    'notify.bans.title': '차단된 주소 ({count}건):',
    'notify.bans.item': '{target}, {until}까지',
    'notify.bans.itemPermanent': '{target}, 영구',
    'notify.bans.more': '…외 {count}건 (전체 목록은 sheriff bans)',
    'notify.ban.usage': '사용법: /ban IP [기간], 예: /ban 203.0.113.5 1h',
    'notify.unban.usage': '사용법: /unban IP, 예: /unban 203.0.113.5',
    'notify.ban.badTarget': '{input}은(는) IP 주소나 네트워크가 아닙니다.',
    'notify.ban.badDuration': '{input}은(는) 30m, 1h, 1d 같은 기간이 아닙니다.',
    'notify.ban.failed': '요청을 만들 수 없습니다: {reason}',
    'notify.unban.notBanned': '{target}은(는) 차단되어 있지 않습니다.',
    'notify.unavailable': '이 서버에서는 아직 사용할 수 없는 기능입니다.',
    'notify.ask.failed': '분석가가 지금은 답할 수 없습니다. 잠시 후 다시 시도해 주세요.',
    'notify.permanent': '영구',
  },
});
