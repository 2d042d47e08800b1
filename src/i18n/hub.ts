/** The fleet's hub and its hosts: `sheriff hub`, `sheriff hosts`, in English and Korean. */
import { defineMessages } from './define.js';

export const hubMessages = defineMessages({
  en: {
    'hub.description':
      "run the fleet's hub: every host's events and findings, cross-host detection, approvals as signed decisions",
    'hub.noSection':
      '{path} has no hub: section: `sheriff hub` needs the NATS servers, its seed file and the decision signing key (see `sheriff fleet init`).',
    'hosts.description': "the fleet's hosts as the hub last heard from them",
    'hosts.opt.json': 'print JSON',
    'hosts.none': 'No host has reported to this hub yet.',
    'hosts.header': 'HOST\tLAST SEEN\tLAG\tVERSION\tOUTBOX\tBANS\tERRORS',
    'hosts.never': 'never',
    'hosts.rejected': '{count} rejected',
    'hosts.opt.host': 'only what came from this host of the fleet (at the hub)',
    'hosts.error.name':
      '--host: {value} is not a host name (lower-case letters, digits and inner hyphens, as in sheriff hosts)',
  },
  ko: {
    'hub.description':
      '전체 호스트의 허브 실행: 모든 호스트의 이벤트와 탐지, 호스트 간 탐지, 승인을 서명된 결정으로 배포',
    'hub.noSection':
      '{path}에 hub: 항목이 없습니다. `sheriff hub`에는 NATS 서버, 시드 파일, 결정 서명 키가 필요합니다 (`sheriff fleet init` 참고).',
    'hosts.description': '허브가 마지막으로 받은 각 호스트의 상태',
    'hosts.opt.json': 'JSON으로 출력',
    'hosts.none': '아직 이 허브에 보고한 호스트가 없습니다.',
    'hosts.header': '호스트\t마지막 수신\t지연\t버전\t대기열\t차단\t오류',
    'hosts.never': '없음',
    'hosts.rejected': '거부 {count}건',
    'hosts.opt.host': '이 호스트에서 온 것만 (허브에서)',
    'hosts.error.name':
      '--host: {value}은(는) 호스트 이름이 아닙니다 (sheriff hosts에 나오는 이름처럼 영문 소문자, 숫자, 가운데 하이픈만)',
  },
});
