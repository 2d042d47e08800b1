/** `sheriff import fail2ban`: the command's help, its summary and why each thing was not carried over. */
import { defineMessages } from './define.js';

export const importMessages = defineMessages({
  en: {
    'import.description': 'turn another tool’s configuration into Sheriff’s',
    'import.fail2ban.description':
      'read a fail2ban configuration (jail.conf, jail.local, jail.d, filter.d) and write sheriff.yaml with its enabled jails, one filter file per fail2ban filter they use, and what could not be carried over',
    'import.fail2ban.opt.dir': 'fail2ban configuration directory',
    'import.fail2ban.opt.out': 'directory to write sheriff.yaml and filters.d/ into',
    'import.fail2ban.opt.json': 'print the result as one JSON object',
    'import.error.noJailConf': 'no fail2ban configuration at {path}: jail.conf is missing.',
    'import.error.exists': '{path} already exists; choose an empty --out directory.',
    'import.summary':
      'Imported {imported} of {enabled} enabled jails and {filters} filters from {dir}.',
    'import.wrote': 'Written:',
    'import.losses': 'Not carried over ({count}); Sheriff behaves differently here:',
    'import.notes': 'Notes ({count}):',
    'import.clean': 'Everything was carried over.',
    'import.next':
      'Next: read {config}, copy filters.d/*.yaml to /etc/sheriff/filters.d (or keep filters.dir as written), then run `sheriff config check --config {config}`.',
    'import.issue.config': 'fail2ban could not read this either: {detail}',
    'import.issue.filterMissing':
      'the filter "{detail}" is not in filter.d, so the jail was left out',
    'import.issue.regex':
      'a regular expression has no JavaScript form ({detail}); that line was left out',
    'import.issue.endAnchor':
      '\\Z never matches in fail2ban (it reads every line with its newline); Sheriff matches it at the end of the line, so this rule catches lines fail2ban misses',
    'import.issue.multiline':
      'relies on fail2ban’s multi-line tracking ({detail}); Sheriff matches each line on its own',
    'import.issue.failureId':
      '{detail} bans something other than one address; Sheriff bans addresses only',
    'import.issue.noHost': 'a failregex with no address was left out: {detail}',
    'import.issue.prefregex': 'prefregex could not be joined with the failregex lines: {detail}',
    'import.issue.datepattern':
      'the date pattern {detail} has no Sheriff time format; the time of the syslog header is used',
    'import.issue.dateContext':
      'the date pattern {detail} finds fail2ban’s usual dates after some text; Sheriff finds them anywhere in the line',
    'import.issue.ignoreByMode':
      'ignoreregex differs in mode {detail}; the default mode’s is used in every mode',
    'import.issue.filterOption':
      'the filter option {detail} is not a mode of the filter; the default mode is used',
    'import.issue.duration': '{detail} is not a length Sheriff can read; Sheriff’s default is used',
    'import.issue.increment':
      '{detail} has no Sheriff equivalent (response.increment: bantime × factor for each earlier ban, up to max)',
    'import.issue.ignoreip':
      '{detail} in ignoreip is not an address or network; Sheriff’s trusted networks take addresses only',
    'import.issue.trustedWider':
      'trusted networks apply to every jail in Sheriff, so {detail} (ignoreip of another jail) now applies here too',
    'import.issue.ignorecommand': 'ignorecommand is not run by Sheriff: {detail}',
    'import.issue.backend':
      'backend {detail} without a _SYSTEMD_UNIT in journalmatch: no journald source was made',
    'import.issue.logpath': 'no file matches {detail} now; add a source once it exists',
    'import.issue.jailOption': '{detail} is not carried over',
    'import.issue.unsampled':
      'rule {detail} has no sample: every line made from its pattern is taken by an earlier rule (as in fail2ban, which tries them in the same order) or needs text a look-ahead asks for; the filter loads without it, but a sample from your log makes `sheriff test-filter --spec` check that rule too',
    'import.issue.replacesBuiltin':
      'filters.d/{detail}.yaml replaces Sheriff’s built-in filter {detail}; delete it to keep the built-in (`sheriff filters` lists both)',
  },
  ko: {
    'import.description': '다른 도구의 설정을 Sheriff 설정으로 바꿉니다',
    'import.fail2ban.description':
      'fail2ban 설정(jail.conf, jail.local, jail.d, filter.d)을 읽어, 켜진 jail을 담은 sheriff.yaml과 그 jail들이 쓰는 fail2ban 필터마다 필터 파일 하나, 그리고 옮기지 못한 항목 목록을 씁니다',
    'import.fail2ban.opt.dir': 'fail2ban 설정 디렉터리',
    'import.fail2ban.opt.out': 'sheriff.yaml과 filters.d/를 쓸 디렉터리',
    'import.fail2ban.opt.json': '결과를 JSON 객체 하나로 출력',
    'import.error.noJailConf': '{path}에 fail2ban 설정이 없습니다: jail.conf가 없습니다.',
    'import.error.exists': '{path}이(가) 이미 있습니다. 비어 있는 --out 디렉터리를 지정하세요.',
    'import.summary':
      '{dir}에서 켜진 jail {enabled}개 중 {imported}개와 필터 {filters}개를 가져왔습니다.',
    'import.wrote': '쓴 파일:',
    'import.losses': '옮기지 못한 항목 {count}개 (이 부분은 Sheriff가 다르게 동작합니다):',
    'import.notes': '참고 {count}개:',
    'import.clean': '모든 항목을 옮겼습니다.',
    'import.next':
      '다음 단계: {config}을(를) 읽어 보고, filters.d/*.yaml을 /etc/sheriff/filters.d로 복사한 뒤(또는 적힌 filters.dir을 그대로 두고) `sheriff config check --config {config}`를 실행하세요.',
    'import.issue.config': 'fail2ban도 이 설정을 읽지 못합니다: {detail}',
    'import.issue.filterMissing': '필터 "{detail}"이(가) filter.d에 없어 이 jail은 제외했습니다',
    'import.issue.regex': '정규식에 JavaScript로 옮길 방법이 없어({detail}) 그 줄은 제외했습니다',
    'import.issue.endAnchor':
      'fail2ban은 줄을 줄바꿈과 함께 읽으므로 \\Z가 맞는 일이 없습니다. Sheriff는 줄 끝에서 맞추므로 이 규칙은 fail2ban이 놓치는 줄도 잡습니다',
    'import.issue.multiline':
      'fail2ban의 여러 줄 추적({detail})에 기대는 규칙입니다. Sheriff는 줄마다 따로 맞춰 봅니다',
    'import.issue.failureId':
      '{detail}은(는) 주소 하나가 아닌 것을 차단합니다. Sheriff는 주소만 차단합니다',
    'import.issue.noHost': '주소가 없는 failregex는 제외했습니다: {detail}',
    'import.issue.prefregex': 'prefregex를 failregex 줄과 합칠 수 없습니다: {detail}',
    'import.issue.datepattern':
      '날짜 패턴 {detail}에 맞는 Sheriff 시간 형식이 없어 syslog 헤더의 시간을 씁니다',
    'import.issue.dateContext':
      '날짜 패턴 {detail}은(는) 앞의 글자 뒤에서 fail2ban의 일반 날짜를 찾습니다. Sheriff는 줄 어디서나 찾습니다',
    'import.issue.ignoreByMode':
      '모드 {detail}의 ignoreregex가 다릅니다. 모든 모드에 기본 모드의 것을 씁니다',
    'import.issue.filterOption':
      '필터 옵션 {detail}은(는) 이 필터의 모드가 아니라 기본 모드를 씁니다',
    'import.issue.duration': '{detail}은(는) Sheriff가 읽을 수 있는 기간이 아니라 기본값을 씁니다',
    'import.issue.increment':
      '{detail}에 해당하는 Sheriff 설정이 없습니다 (response.increment: 이전 차단마다 bantime × factor, 최대 max)',
    'import.issue.ignoreip':
      'ignoreip의 {detail}은(는) 주소나 네트워크가 아닙니다. Sheriff의 신뢰 네트워크에는 주소만 넣을 수 있습니다',
    'import.issue.trustedWider':
      'Sheriff의 신뢰 네트워크는 모든 jail에 적용되므로, 다른 jail의 ignoreip인 {detail}이(가) 이 jail에도 적용됩니다',
    'import.issue.ignorecommand': 'Sheriff는 ignorecommand를 실행하지 않습니다: {detail}',
    'import.issue.backend':
      'journalmatch에 _SYSTEMD_UNIT이 없는 backend {detail}이라 journald 소스를 만들지 않았습니다',
    'import.issue.logpath':
      '지금은 {detail}에 맞는 파일이 없습니다. 파일이 생기면 소스를 추가하세요',
    'import.issue.jailOption': '{detail}은(는) 옮기지 않았습니다',
    'import.issue.unsampled':
      '규칙 {detail}에 샘플이 없습니다. 패턴으로 만든 줄을 모두 앞의 규칙이 가져가거나(fail2ban도 같은 순서로 시도합니다) 전방 탐색이 요구하는 글자가 필요합니다. 샘플 없이도 필터는 읽히지만, 로그의 한 줄을 샘플로 더하면 `sheriff test-filter --spec`이 이 규칙도 확인합니다',
    'import.issue.replacesBuiltin':
      'filters.d/{detail}.yaml이 Sheriff 기본 필터 {detail}을(를) 대신합니다. 기본 필터를 쓰려면 이 파일을 지우세요 (`sheriff filters`에서 둘 다 볼 수 있습니다)',
  },
});
