/**
 * Why a guardrail refused a ban (respond/guardrails.ts), in English and Korean.
 * `{relation}` is one of the guard.relation.* texts, `{inner}` another whole
 * refusal; both are rendered first (see renderGuardMessage).
 */
import { defineMessages } from './define.js';

export const guardMessages = defineMessages({
  en: {
    'guard.relation.is': 'is',
    'guard.relation.contains': 'contains',
    'guard.relation.inside': 'is inside',
    'guard.trusted': '{target} {relation} the trusted network {network}',
    'guard.adminAddress': '{target} {relation} the admin address {address}',
    'guard.adminNetwork': '{target} {relation} the admin network {network}',
    'guard.ownAddress': "{target} {relation} this host's own address {address} ({interface})",
    'guard.ownNetwork':
      "{target} {relation} {address}, the network address of this host's subnet {network} ({interface})",
    'guard.ownBroadcast':
      "{target} {relation} {address}, the broadcast address of this host's subnet {network} ({interface})",
    'guard.special':
      '{target} {relation} {range} ({name}, {rfc}), special-purpose addresses that no real peer has',
    'guard.embedded': '{target} carries the IPv4 {ipv4} ({scheme}), and {inner}',
    'guard.tooWide':
      '{target} is wider than /{widest}, the widest IPv{family} prefix Sheriff bans unless a wider one is explicitly allowed',
    'guard.session':
      '{target} {relation} {address}, the source of a live login session ({detail}, from {via})',
    'guard.sessionUnknown':
      'cannot tell whether {target} holds a live login session ({error}); refusing to be safe',
    'guard.breaker':
      'the circuit breaker is tripped (more than {max} automatic bans in a minute): automatic bans are stopped until an admin resets it{until}; approved bans still work',
    'guard.breakerUntil': ' or until {time}',
    'guard.refused.ban':
      'refused to ban {target}: {reason}. Nothing was banned; approval {id} is marked refused.',
    'guard.refused.approve':
      'approval {id} to ban {target} is refused: {reason}. Nothing was banned.',
    'guard.hostBits':
      '"{value}" has bits set beyond its /{bits} prefix, so it names no one network: write {network} for the whole network, or the address alone (without /{bits}).',
  },
  ko: {
    'guard.relation.is': '와(과) 같습니다',
    'guard.relation.contains': '을(를) 포함합니다',
    'guard.relation.inside': '에 속합니다',
    'guard.trusted': '{target}: 신뢰 네트워크 {network}{relation}',
    'guard.adminAddress': '{target}: 관리자 주소 {address}{relation}',
    'guard.adminNetwork': '{target}: 관리자 네트워크 {network}{relation}',
    'guard.ownAddress': '{target}: 이 호스트 자신의 주소 {address}({interface}){relation}',
    'guard.ownNetwork':
      '{target}: 이 호스트 서브넷 {network}({interface})의 네트워크 주소 {address}{relation}',
    'guard.ownBroadcast':
      '{target}: 이 호스트 서브넷 {network}({interface})의 브로드캐스트 주소 {address}{relation}',
    'guard.special':
      '{target}: 실제 상대가 가질 수 없는 특수 용도 주소 {range}({name}, {rfc}){relation}',
    'guard.embedded': '{target}에는 IPv4 {ipv4}이(가) 들어 있습니다({scheme}). {inner}',
    'guard.tooWide':
      '{target}은(는) /{widest}보다 넓은 IPv{family} 범위입니다. 더 넓은 범위를 명시적으로 허용하지 않는 한 Sheriff는 이런 범위를 차단하지 않습니다',
    'guard.session':
      '{target}: 현재 로그인 세션의 출발지 {address}{relation} ({detail}, {via}에서 확인)',
    'guard.sessionUnknown':
      '{target}에서 로그인 중인 세션이 있는지 알 수 없어({error}) 안전을 위해 거절합니다',
    'guard.breaker':
      '회로 차단기가 작동했습니다(1분에 자동 차단 {max}건 초과). 관리자가 재설정할 때까지{until} 자동 차단을 멈춥니다. 승인한 차단은 계속 적용됩니다',
    'guard.breakerUntil': ' 또는 {time}까지',
    'guard.refused.ban':
      '{target} 차단을 거절했습니다: {reason}. 아무것도 차단하지 않았고, 승인 {id}은(는) 거절됨으로 기록했습니다.',
    'guard.refused.approve':
      '{target}을(를) 차단하는 승인 {id}을(를) 거절했습니다: {reason}. 아무것도 차단하지 않았습니다.',
    'guard.hostBits':
      '"{value}"에는 /{bits} 접두사 뒤의 비트가 켜져 있어 하나의 네트워크를 가리키지 않습니다. 네트워크 전체라면 {network}, 주소 하나라면 /{bits} 없이 주소만 쓰세요.',
  },
});
