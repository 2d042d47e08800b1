/**
 * What is wrong in sheriff.yaml, in English and Korean (and `config print`'s
 * own option). The schemas name these
 * messages by key (their zod error is the key); the loader (app/load-config.ts)
 * renders them with the file, the line and the setting's path. `{got}` is the
 * value found, as JSON.
 */
import { defineMessages } from './define.js';

export const configMessages = defineMessages({
  en: {
    'config.print.opt.explain': "add each setting's description as a comment above it",
    'config.error.noSuchFile': '{path}: no such file (given by {by})',
    'config.error.cannotRead': '{path}: cannot read: {reason}',
    'config.error.yaml': '{message}',
    'config.error.notAMapping': 'expected a mapping of settings (key: value)',
    'config.error.unknownSetting': 'unknown setting (check the spelling)',
    'config.error.required': 'is required',
    'config.error.type': 'expected {expected}, got {got}',
    'config.error.type.string': 'text',
    'config.error.type.number': 'a number',
    'config.error.type.boolean': 'true or false',
    'config.error.type.array': 'a list',
    'config.error.type.object': 'a mapping (key: value)',
    'config.error.oneOf': 'expected one of {values}, got {got}',
    'config.error.atLeast': 'must be at least {min}',
    'config.error.atMost': 'must be at most {max}',
    'config.error.fewItems': 'needs at least {min} item(s)',
    'config.error.manyItems': 'takes at most {max} item(s)',
    'config.error.shortText': 'must not be empty',
    'config.error.url': 'expected a URL like https://example.org, got {got}',
    'config.error.pattern': 'not allowed here: {got}',
    'config.error.invalid': 'not a valid value: {got}',
    'config.error.wholeNumber': 'expected a whole number, got {got}',
    'config.error.number': 'expected a number, got {got}',
    'config.error.duration': 'expected a duration like {example}, got {got}',
    'config.error.cidr': '{reason}',
    'config.error.hostPort': 'expected host:port like 127.0.0.1:5514 or [::1]:5514, got {got}',
    'config.error.timeZone': 'unknown time zone {got} (expected an IANA name like Asia/Seoul)',
    'config.error.sourceType': 'expected a source with type file, journald, syslog or stdin',
    'config.error.unknownJail': 'no jail named {got}',
    'config.error.unknownFilter': 'unknown filter {got} (filters: {list})',
    'config.error.unknownMode': 'filter {filter} has no mode {got} (modes: {list})',
    'config.error.providerUrl': 'expected an http(s) URL like http://127.0.0.1:11434/v1',
    'config.error.otlpUrl': 'expected an http(s) URL like http://127.0.0.1:4318/v1/traces',
    'config.error.telegramId': 'expected a Telegram id (a number), got {got}',
    'config.error.noChats': 'list at least one chat id that receives alerts',
    'config.error.webhookUrl': 'mode webhook needs webhook.url',
    'config.error.urlOrFile': 'give exactly one of url and urlFile',
    'config.error.pathOrUrl': 'give exactly one of path or url',
    'config.error.listName': 'use letters, digits, _ . - (at most 64)',
    'config.error.listTaken': 'another blocklist is already named {name}',
    'config.error.cron': 'expected a cron expression like "0 9 * * *", got {got}',
    'config.error.hostName':
      'expected a host name like sheriff.example.org or an IP address, without scheme, port or path; got {got}',
    'config.error.userName': 'expected a user name of letters, digits, _ . -',
    'config.error.passwordHash': 'expected a hash made by `sheriff web passwd` (scrypt$…)',
    'config.error.databaseUrl':
      'expected a PostgreSQL URL like postgres://sheriff@db.example/sheriff or postgresql:///sheriff?host=/run/postgresql',
    'config.error.databasePassword':
      'the URL holds a password: remove it from the file and give it in PGPASSWORD or hub.databasePasswordFile (mode 0600)',
  },
  ko: {
    'config.print.opt.explain': '설정마다 그 설명을 위에 주석으로 붙입니다 (설명은 영어)',
    'config.error.noSuchFile': '{path}: 파일이 없습니다 ({by}(으)로 지정됨)',
    'config.error.cannotRead': '{path}: 읽을 수 없습니다: {reason}',
    'config.error.yaml': 'YAML 문법 오류: {message}',
    'config.error.notAMapping': '설정은 "키: 값" 형식의 매핑이어야 합니다',
    'config.error.unknownSetting': '알 수 없는 설정입니다 (철자를 확인하세요)',
    'config.error.required': '꼭 있어야 하는 설정입니다',
    'config.error.type': '{expected} 값이 필요합니다 (받은 값: {got})',
    'config.error.type.string': '문자열',
    'config.error.type.number': '숫자',
    'config.error.type.boolean': 'true 또는 false',
    'config.error.type.array': '목록',
    'config.error.type.object': '"키: 값" 형식의 매핑',
    'config.error.oneOf': '{values} 중 하나여야 합니다 (받은 값: {got})',
    'config.error.atLeast': '{min} 이상이어야 합니다',
    'config.error.atMost': '{max} 이하여야 합니다',
    'config.error.fewItems': '항목이 {min}개 이상 있어야 합니다',
    'config.error.manyItems': '항목은 {max}개까지만 쓸 수 있습니다',
    'config.error.shortText': '비어 있으면 안 됩니다',
    'config.error.url': 'https://example.org 같은 URL이어야 합니다 (받은 값: {got})',
    'config.error.pattern': '여기에 쓸 수 없는 값입니다: {got}',
    'config.error.invalid': '올바른 값이 아닙니다: {got}',
    'config.error.wholeNumber': '정수여야 합니다 (받은 값: {got})',
    'config.error.number': '숫자여야 합니다 (받은 값: {got})',
    'config.error.duration': '{example} 같은 기간이어야 합니다 (받은 값: {got})',
    'config.error.cidr': 'IP 주소나 CIDR(예: 192.0.2.0/24)로 읽을 수 없습니다: {reason}',
    'config.error.hostPort':
      '127.0.0.1:5514 또는 [::1]:5514 같은 호스트:포트여야 합니다 (받은 값: {got})',
    'config.error.timeZone': '알 수 없는 시간대입니다: {got} (Asia/Seoul 같은 IANA 이름을 쓰세요)',
    'config.error.sourceType': '소스의 type은 file, journald, syslog, stdin 중 하나여야 합니다',
    'config.error.unknownJail': '이름이 {got}인 jail이 없습니다',
    'config.error.unknownFilter': '알 수 없는 필터입니다: {got} (필터: {list})',
    'config.error.unknownMode': '필터 {filter}에는 {got} 모드가 없습니다 (모드: {list})',
    'config.error.providerUrl': 'http://127.0.0.1:11434/v1 같은 http(s) URL이어야 합니다',
    'config.error.otlpUrl': 'http://127.0.0.1:4318/v1/traces 같은 http(s) URL이어야 합니다',
    'config.error.telegramId': '텔레그램 id(숫자)여야 합니다 (받은 값: {got})',
    'config.error.noChats': '알림을 받을 채팅 id를 하나 이상 적으세요',
    'config.error.webhookUrl': 'mode가 webhook이면 webhook.url이 있어야 합니다',
    'config.error.urlOrFile': 'url과 urlFile 중 하나만 적으세요',
    'config.error.pathOrUrl': 'path와 url 중 하나만 적으세요',
    'config.error.listName': '영문자, 숫자, _ . - 만 쓰세요 (64자까지)',
    'config.error.listTaken': '이름이 {name}인 차단 목록이 이미 있습니다',
    'config.error.cron': '"0 9 * * *" 같은 cron 표현식이어야 합니다 (받은 값: {got})',
    'config.error.hostName':
      'sheriff.example.org 같은 호스트 이름이나 IP 주소여야 합니다 (스킴, 포트, 경로 없이). 받은 값: {got}',
    'config.error.userName': '사용자 이름은 영문자, 숫자, _ . - 로만 쓰세요',
    'config.error.passwordHash': '`sheriff web passwd`로 만든 해시(scrypt$…)여야 합니다',
    'config.error.databaseUrl':
      'postgres://sheriff@db.example/sheriff 또는 postgresql:///sheriff?host=/run/postgresql 같은 PostgreSQL URL이어야 합니다',
    'config.error.databasePassword':
      'URL에 비밀번호가 들어 있습니다. 설정 파일에서 지우고 PGPASSWORD나 hub.databasePasswordFile(권한 0600)로 주세요',
  },
});

export type ConfigMessageKey = keyof typeof configMessages.en;

export function isConfigMessageKey(key: string): key is ConfigMessageKey {
  return Object.hasOwn(configMessages.en, key);
}
