/** 한국어 메시지. en.ts와 같은 키를 모두 갖는다. */
import type { en } from './en.js';

export const ko: Record<keyof typeof en, string> = {
  'cli.description':
    'Sheriff는 인증 로그를 지켜보며 무차별 대입과 침입을 찾아내고, 공격자를 차단합니다.',
  'cli.opt.version': '버전을 출력하고 종료',
  'cli.opt.lang': '메시지 언어: ko 또는 en (기본값: LANG 설정)',
  'cli.opt.help': '이 도움말을 보여 줍니다',
  'cli.help.command': '명령의 도움말을 보여 줍니다',
  'cli.help.usage': '사용법:',
  'cli.help.arguments': '인자:',
  'cli.help.options': '옵션:',
  'cli.help.globalOptions': '공통 옵션:',
  'cli.help.commands': '명령:',
  'cli.help.default': '(기본값: {value})',
  'cli.help.required': '(필수)',
  'cli.usage.missingArgument': '인자 {name}이(가) 빠졌습니다',
  'cli.usage.optionValue': '{option} 옵션에 값이 필요합니다',
  'cli.usage.requiredOption': '{option} 옵션은 꼭 지정해야 합니다',
  'cli.usage.unknownOption': '알 수 없는 옵션: {option}',
  'cli.usage.unknownCommand': '알 수 없는 명령: {command}',
  'cli.usage.tooMany': '인자가 너무 많습니다: {expected}개를 받는데 {got}개가 주어졌습니다',
  'cli.usage.didYouMean': '(혹시 {suggestion}?)',
  'cli.error.prefix': 'sheriff: {message}',
  'cli.error.now':
    '--now: 2026-11-25T09:00:00+09:00 같은 ISO 시각이어야 합니다. 받은 값: "{value}"',
  'cli.error.integer': '{option}: {min} 이상의 정수여야 합니다. 받은 값: "{value}"',
  'cli.error.unknownFilter': '알 수 없는 필터 "{name}" (필터: {list})',
  'cli.error.unknownJail': '알 수 없는 감시 규칙(jail) "{name}" (내장: {list})',
  'cli.error.read': '{path}을(를) 읽을 수 없습니다: {reason}',

  'testFilter.description':
    '로그의 각 줄을 필터 하나로 분류합니다. fail2ban-regex와 같은 용도이며, 임계값과 신뢰 네트워크는 적용하지 않습니다.',
  'testFilter.arg.file': '읽을 로그 파일(일반 또는 .gz). - 또는 생략하면 표준 입력',
  'testFilter.opt.filter': '사용할 설치된 필터 (sshd, dropbear 등. 목록은 sheriff filters)',
  'testFilter.opt.mode':
    '필터 모드 (sshd: normal, ddos, extra, aggressive / 기본값: 필터 기본 모드)',
  'testFilter.opt.json': '입력 한 줄마다 JSON 객체 하나를 출력',
  'opt.now': 'syslog 날짜에 빠진 연도를 추정할 기준 시각 (ISO 8601)',
  'opt.timezone': '시간대 정보가 없는 타임스탬프의 시간대 (IANA 이름, 기본값: 이 서버의 시간대)',
  'testFilter.summary.title': '{source}에 필터 {filter}(모드 {mode}) 적용 결과',
  'testFilter.summary.lines':
    '줄: {lines}줄 읽음, {skipped}줄 건너뜀 (너무 긺 {tooLong}, 잘못된 UTF-8 {invalidUtf8}, NUL {nul}, 형식 오류 {malformed})',
  'testFilter.summary.results':
    '결과: 실패 {fail}, 성공 {success}, 보조 줄 {nofail}, 해당 없음 {none}',
  'testFilter.summary.rules': '일치한 규칙:',
  'testFilter.summary.rule': '  {count}  {rule}',
  'testFilter.summary.addresses': '실패가 가장 많은 주소:',
  'testFilter.summary.address': '  {count}  {ip}',
  'testFilter.summary.hosts': '호스트 이름으로만 기록된 실패 (조치할 주소 없음): {count}',
  'testFilter.summary.ambiguous':
    '주소가 두 곳으로 읽히는 실패 (사용자 이름에 "from <주소>"가 들어 있음), 주소 없이 셈: {count}',
  'testFilter.summary.misses':
    '{programs}의 줄 중 어떤 규칙에도 맞지 않은 줄 (전체 {total}줄 중 처음 {shown}줄):',
  'testFilter.summary.miss': '  {n}: {text}',
  'testFilter.summary.none': '  (없음)',

  'cli.opt.config': '설정 파일 (기본값: /etc/sheriff/sheriff.yaml, 없으면 ./sheriff.yaml)',
  'config.description': '설정을 검사하거나 보여 줍니다.',
  'config.check.description':
    '아무것도 시작하지 않고 설정만 검사합니다 (오류가 있으면 종료 코드 2).',
  'config.check.ok': '{path}: 올바른 설정입니다 (감시 규칙 {jails}개, 소스 {sources}개).',
  'config.check.defaults':
    '설정 파일이 없어 기본값을 씁니다 (감시 규칙 {jails}개, 소스는 자동 선택).',
  'config.print.description': '기본값을 포함한 실제 적용 설정을 출력합니다.',
  'config.print.header': '{path}에서 읽은 실제 적용 설정',
  'config.print.nofile': '기본값 (설정 파일 없음)',
  'config.error.title': '설정에 오류가 있어 아무것도 시작하지 않았습니다:',

  'replay.description':
    '지난 로그(일반 또는 .gz, 주어진 순서대로)에 탐지기 전체를 최대 속도로 돌립니다.',
  'replay.arg.files': '로그 파일 (오래된 것부터)',
  'replay.opt.json': '탐지 결과마다 JSON 객체 하나와 마지막 요약을 출력',
  'replay.opt.jail': '실행할 감시 규칙(jail), 쉼표로 구분 (기본값: sheriff.yaml에서 켜 둔 규칙)',
  'replay.opt.maxretry': 'findtime 안에 이만큼 실패하면 탐지',
  'replay.opt.findtime': 'maxretry를 세는 시간 창 (예: 10m)',
  'replay.opt.longHorizon':
    '며칠 단위 창(끈질긴 공격자, 크리덴셜 스터핑)도 찾습니다. 큰 로그에서는 느려집니다',
  'replay.opt.threads':
    '여러 파일을 나란히 읽을 스레드 수 (기본: 코어마다 하나, 단 파일 32MiB마다 하나까지. 1이면 한 파일씩 차례로 읽습니다)',
  'replay.finding.bruteforce':
    '{time}  무차별 대입     {jail}  {ip}  {first} 이후 실패 {count}회{users}',
  'replay.finding.slow-bruteforce':
    '{time}  느린 무차별 대입 {jail}  {ip}  {first} 이후 실패 {count}회{users}',
  'replay.finding.compromise':
    '{time}  침입 의심       {jail}  {ip}  {first} 이후 실패 {count}회 뒤 로그인 성공{users}',
  'replay.finding.internal-bruteforce':
    '{time}  내부 실패       {jail}  {ip}  {first} 이후 실패 {count}회{users} (신뢰 주소: 차단 안 함)',
  'replay.finding.internal-compromise':
    '{time}  내부 침입 의심  {jail}  {ip}  {first} 이후 실패 {count}회 뒤 로그인 성공{users} (신뢰 주소: 차단 안 함)',
  'replay.finding.persistent':
    '{time}  장기 반복 공격  {jail}  {ip}  {first} 이후 여러 날에 걸쳐 실패 {count}회{users}',
  'replay.finding.stuffing':
    '{time}  여러 계정 시도  {jail}  {ip}  {first} 이후 계정 {count}개 시도{users}',
  'replay.finding.distributed':
    '{time}  여러 호스트 공격  {jail}  {ip}  {first} 이후 여러 호스트에서 실패 {count}회{users}',
  'replay.finding.users': ' (시도한 계정: {users})',
  'replay.finding.prefix': '{ip} (대역 전체)',
  'replay.finding.admin.configured': ' (response.admins의 관리자 주소: 차단하지 않음)',
  'replay.finding.admin.logged-in':
    ' (하루 안에 이 주소에서 로그인한 사용자가 있음: 관리자 세션은 차단하지 않음)',
  'replay.summary':
    '파일 {files}개 재생: {lines}줄, 실패 {fail}, 로그인 {success}, 탐지 {findings}건 (무차별 대입 {bruteforce}, 느린 무차별 대입 {slow}, 침입 의심 {compromise}). 건너뛴 줄: {skipped}.',
  'replay.summary.memory':
    '추적 중인 주소: {tracked}, 상한 때문에 밀려난 주소: {evictions}, 신뢰 네트워크에서 온 줄 (감시만 하고 차단하지 않음): {trusted}.',
  'replay.summary.probes':
    '로그인을 시도하지 않은 접속 (스캐너), 데몬은 주소별로 합산하고 실패로 세지 않음: {count}.',
  'replay.summary.ambiguous':
    '주소가 두 곳으로 읽히는 줄 (사용자 이름에 "from <주소>"가 들어 있음), 주소 없이 셈: {count}.',

  'watch.noSource':
    '아무것도 읽지 않습니다: 로그 소스를 찾지 못했습니다. /var/log/auth.log, /var/log/secure, 실행 중인 systemd 저널({socket})을 찾아보았지만 어느 것도 없습니다.\n/etc/sheriff/sheriff.yaml(또는 --config 파일)에 sshd 로그 위치를 알려 주세요. 예:\n\nsources:\n  - type: file\n    path: /var/log/your-auth.log\n\n또는 rsyslog에서 syslog를 받으려면: - type: syslog (127.0.0.1:5514에서 수신).',
  'watch.journalEmpty':
    '저널에 sshd 기록이 없습니다: auth.log나 secure 파일이 없어 systemd 저널을 읽지만, 저널에 sshd(유닛 {units})의 기록이 한 줄도 없습니다. sshd가 저널에 기록할 때까지 로그인을 볼 수 없습니다. sshd가 다른 곳에 기록한다면 /etc/sheriff/sheriff.yaml에 그 소스를 적어 주세요. 예:\n\nsources:\n  - type: file\n    path: /var/log/your-auth.log',
  'status.noSource':
    '소스: 아무것도 읽지 않습니다. auth.log, secure 파일, 실행 중인 저널을 찾지 못했습니다 (설정에 sources를 적어 주세요. sheriff watch 참고).',
  'status.journalEmpty':
    '소스: 시작할 때 저널에 sshd 기록이 없었습니다. sshd가 저널에 기록할 때까지 로그인을 볼 수 없습니다 (또는 설정에 sources를 적어 주세요).',
  'watch.description':
    '로그를 지켜보며 공격을 탐지합니다. 포그라운드 데몬으로 실행됩니다 (systemd가 실행하는 방식).',
  'events.description': '저장된 이벤트를 최신순으로 보여 줍니다 (사후 분석용).',
  'events.opt.ip': '이 주소만, 또는 이 대역 안의 주소만 (2001:db8:1:2::/64, 203.0.113.0/24)',
  'events.opt.user': '이 계정 이름만',
  'events.opt.since': '최근 기간만 (예: 2h, 7d)',
  'events.opt.kind': 'fail, success 또는 nofail',
  'events.opt.jail': '이 감시 규칙(jail)만',
  'events.opt.limit': '최대 N개 (10000까지)',
  'events.opt.json': '이벤트마다 JSON 객체 하나',
  'events.error.ip': '--ip: "{value}"은(는) IP 주소도, 203.0.113.0/24 같은 대역도 아닙니다',
  'events.error.kind': '--kind: fail, success, nofail 중 하나여야 합니다. 받은 값: "{value}"',
  'events.none': '조건에 맞는 이벤트가 없습니다.',
  'status.description': '실행 중인 데몬의 소스, 집계, 저장소 상태를 보여 줍니다.',
  'status.opt.json': '상태를 JSON으로 출력',
  'status.never': '이 저장소로 실행된 데몬이 아직 없습니다 (시작: sheriff watch).',
  'status.running': 'Sheriff 실행 중 (pid {pid}, {since}부터).',
  'status.stale': 'Sheriff가 실행 중이 아닙니다: 마지막 상태 기록은 {at}입니다.',
  'status.sources': '소스:',
  'status.source':
    '  {id}: 위치 {position}, 밀린 양 {lag}, 마지막 줄 {last}, 읽은 줄 {lines}, 오류 {errors}{lastError}',
  'status.jails': '감시 규칙 (시작 이후):',
  'status.jail': '  {name}: 실패 {fail}, 로그인 {success}, 탐지 {findings}',
  'status.jail.ambiguous':
    '    주소가 두 곳으로 읽히는 줄 (사용자 이름에 "from <주소>"가 들어 있음), 주소 없이 셈: {count}',
  'status.store': '저장소: {path} ({mb} MB)',
  'status.firewall.enforcing': '방화벽: {kind}. 차단이 실제로 적용됩니다.',
  'status.firewall.dryRun':
    '방화벽: 시험 모드(dry-run), 아무것도 차단되지 않습니다. 차단은 기록만 됩니다 (실제로 차단하려면 response.firewall: auto로 설정하세요).',
  'status.firewall.cannot':
    '방화벽: {kind}, 아무것도 차단되지 않습니다. Sheriff에 {missing}이(가) 없습니다 (root로 실행하거나, contrib/sheriff.service처럼 CAP_NET_ADMIN을 주세요).',
  'status.bans': '적용 중인 차단: {count}건',
  'status.firewall.fleet':
    '방화벽: 플릿의 호스트들. 여기서의 차단은 게시된 결정이며, 적용을 확인한 호스트에서만 효력이 있습니다.',
  'status.fleetBans':
    '플릿에 게시된 차단: {count}건. 범위 안의 모든 호스트에서 적용 확인: {everywhere}건, 아직 일부 호스트만: {partial}건 (sheriff bans).',
  'status.bansNotEnforced': '기록된 차단: {count}건, 그중 {unenforced}건은 실제로 차단되지 않음.',
  'requester.jail': '감시 규칙 {jail}',
  'requester.auto': '자동 차단, 감시 규칙 {jail}',
  'requester.admin': '{user}, {channel}',
  'requester.agent': '분석가',
  'requester.channel.cli': '명령줄',
  'requester.channel.web': '웹 콘솔',
  'requester.channel.telegram': '텔레그램',
  'reason.finding': '{kind}: 로그인 실패 {count}회',
  'reason.kind.bruteforce': '무차별 대입',
  'reason.kind.slow-bruteforce': '느린 무차별 대입',
  'reason.kind.compromise': '실패 뒤 로그인 성공',
  'reason.kind.internal-bruteforce': '신뢰 주소에서 온 무차별 대입',
  'reason.kind.internal-compromise': '신뢰 주소에서 실패 뒤 로그인 성공',
  'reason.kind.persistent': '여러 날 동안 계속된 로그인 실패',
  'reason.kind.stuffing': '여러 계정에 대한 로그인 시도',
  'reason.kind.distributed': '여러 호스트에 걸친 로그인 실패',
  'reason.lapse.denied': '승인 요청 {id}이(가) 거부된 뒤에도 계속 실패',
  'reason.lapse.expired': '승인 요청 {id}이(가) 만료된 뒤에도 계속 실패',
  'reason.recidive': '상습 공격: {within} 안에 {count}번째 차단 ({reason})',
  'reason.analystUnban': '분석가 제안: 차단 #{id} 해제 ({reason})',
  'reason.analystIsolate': '분석가 제안: 호스트 격리 (상태 {level})',
  'reason.isolate': '관리자가 격리함',
  'reason.unban': '관리자가 차단 해제함',
  'reason.consoleUnban': '웹 콘솔에서 차단 해제함',
  'reason.consoleExtend': '웹 콘솔에서 연장함',
  'status.day': '최근 24시간: 로그인 실패 {failures}회, 탐지 {findings}건',
  'status.approvals': '결정을 기다리는 승인 요청: {count}건',
  'ban.notEnforced': '[차단되지 않음: 시험 모드(dry-run)라 실제로 막지 않습니다]',
  'ban.unconfirmed': '[방화벽 적용 미확인: 데몬이 시작할 때 확인합니다]',
  'ban.fleetPublished':
    '[플릿에 게시됨: 적용을 확인한 호스트에서만 차단됩니다. sheriff bans에서 확인하세요]',
  'ban.fleetConfirmed': '[플릿에 게시됨, 호스트 {of}대 중 {applied}대에서 적용 확인]',
  'demo.description':
    'Sheriff가 일하는 모습을 봅니다: 준비된 공격이 임시 로그에 기록되고 실제 데몬이 이를 감시합니다.',
  'demo.opt.speed': '1분짜리 시나리오를 N배 빠르게 실행',
  'demo.opt.keep': '끝난 뒤 임시 디렉터리(로그, 저장소, 설정)를 남겨 둠',
  'demo.intro':
    'Sheriff 데모: 공격 시뮬레이션이 약 {seconds}초 동안 {dir}의 로그에 기록하고, 실제 데몬이 이를 감시합니다.\n예상 결과: 빠른 무차별 대입, /64 대역 안에서 주소를 바꾸는 IPv6 공격자, 실패 뒤 침입, 느린 공격자.\n단순 오타와 내부 호스트도 실패하지만 알림은 없습니다. 방화벽과 시스템 파일은 건드리지 않습니다.',
  'demo.done': '데모가 끝났고 임시 디렉터리는 지웠습니다. 이 서버를 감시하려면: sheriff watch',
  'demo.kept':
    '데모가 끝났습니다. 모든 파일은 {dir}에 남아 있습니다. 예:  sheriff --config {config} events',
  'respond.opt.json': '한 줄에 JSON 객체 하나',
  'respond.permanent': '영구',
  'respond.error.target': '"{value}"은(는) 주소나 네트워크가 아닙니다: {reason}',
  'respond.approvals.description': '결정을 기다리는 조치를 보여 줍니다.',
  'respond.approvals.opt.all': '결정·만료·거부된 것도 포함 (최근 100개)',
  'respond.approvals.row':
    '{id}  {status}  {action} {target} {duration}: {reason} (요청: {by}, 만료 {expires})',
  'respond.approvals.none': '결정을 기다리는 조치가 없습니다.',
  'respond.approvals.tampered':
    '{id}  변조됨: 이 승인 요청은 데이터베이스에서 바뀌어 서명과 맞지 않습니다. 절대 실행되지 않습니다. sheriff audit에서 확인하세요.',
  'respond.approve.description': '대기 중인 조치를 승인합니다. 데몬이 1초 안에 실행합니다.',
  'respond.approve.done':
    '{id}({target})을(를) 승인했습니다. 실행 중인 데몬이 1초 안에 처리합니다.',
  'respond.approve.opt.all': '대기 중인 조치를 모두 승인 (하나하나 확인하고 감사 기록)',
  'respond.approve.opt.jail': '--all과 함께: 이 감시 규칙이 요청한 것만',
  'respond.approve.allAndId': '승인 번호와 --all 중 하나만 주세요.',
  'respond.approve.noId': '승인 번호(sheriff approvals 참고)나 --all을 주세요.',
  'respond.approve.jailWithoutAll': '--jail은 --all과 함께만 쓸 수 있습니다.',
  'respond.approve.notDone': '{id}을(를) 승인하지 못했습니다: {reason}',
  'respond.approve.someRefused': '{total}개 중 {refused}개를 승인하지 못했습니다 (위 참고).',
  'respond.deny.description': '대기 중인 조치를 거부합니다.',
  'respond.deny.done': '{id}({target})을(를) 거부했습니다. 아무 조치도 하지 않습니다.',
  'respond.ban.description':
    '주소나 네트워크를 지금 차단합니다 (본인 이름으로 감사 기록, 안전장치는 그대로 적용).',
  'respond.ban.opt.for': '차단 기간 (예: 1h, 7d / 기본 1h)',
  'respond.ban.opt.permanent': '누군가 해제할 때까지',
  'respond.ban.opt.reason': '감사 기록에 남길 이유',
  'respond.ban.done':
    '{target} 차단을 {id}(으)로 승인했습니다. 실행 중인 데몬이 1초 안에 적용합니다 (확인: sheriff bans).',
  'respond.unban.description': '주소나 네트워크의 차단을 해제합니다.',
  'respond.unban.done':
    '{target} 차단 해제를 {id}(으)로 승인했습니다. 실행 중인 데몬이 1초 안에 적용합니다.',
  'respond.bans.description': '활성 차단과 방화벽 적용을 기다리는 차단을 보여 줍니다.',
  'respond.bans.row': '{target}  {state}, {until}까지  규칙 {jail}  위반 {offence}회: {reason}',
  'respond.bans.active': '활성',
  'respond.bans.pending': '방화벽 적용 대기',
  'respond.bans.none': '활성 차단이 없습니다.',
  'respond.audit.description':
    '추가만 가능한 감사 기록을 보여 줍니다: 모든 요청, 결정, 거부, 차단.',
  'demo.dryRunBan':
    '   ↳ 드라이런 방화벽: 지금 {target} 차단 예정 (데모는 auto 정책, 기본값은 승인 후 차단)',
  'respond.isolate.description':
    '이 호스트를 격리합니다: 관리 포트로 들어오는 관리자 주소만 남기고 모두 차단합니다. 확인하지 않으면 저절로 되돌립니다.',
  'respond.isolate.opt.confirm': '격리를 유지 (자동 되돌리기 중지)',
  'respond.isolate.opt.release': '격리 해제',
  'respond.isolate.done':
    '격리를 {id}(으)로 승인했습니다. 데몬이 1초 안에 적용합니다. 호스트에 접속되는지 확인한 뒤 실행하세요: sheriff isolate --confirm',
  'respond.release.done': '격리 해제를 {id}(으)로 승인했습니다. 데몬이 1초 안에 해제합니다.',
  'respond.isolate.confirmed': '격리를 확정했습니다: sheriff isolate --release 전까지 유지됩니다.',
  'respond.isolate.notIsolated': '이 호스트는 격리되어 있지 않습니다.',
  'respond.isolate.noAdmins':
    '먼저 sheriff.yaml에 response.admins를 설정하세요. 관리자 주소 없이 격리하면 아무도 접속할 수 없습니다.',
  'alert.bruteforce': '🚨 [{jail}] {ip}에서 무차별 대입 공격: {span} 동안 로그인 실패 {count}회',
  'alert.slow-bruteforce':
    '⚠️ [{jail}] {ip}에서 느린 무차별 대입 공격: {span} 동안 로그인 실패 {count}회',
  'alert.compromise':
    '🔥 [{jail}] 침입 의심: {ip}이(가) 로그인 실패 {count}회({span}) 뒤 로그인에 성공했습니다. 지금 확인하세요.',
  'alert.internal-bruteforce':
    '⚠️ [{jail}] 내부/신뢰 주소 {ip}에서 {span} 동안 로그인 실패 {count}회. 신뢰 주소라 차단하지 않았습니다. 해당 호스트를 확인하세요.',
  'alert.internal-compromise':
    '🔥 [{jail}] 내부 이동 의심: 내부/신뢰 주소 {ip}이(가) 로그인 실패 {count}회({span}) 뒤 로그인에 성공했습니다. 신뢰 주소라 차단하지 않았습니다. 해당 호스트와 이 로그인을 지금 확인하세요.',
  'alert.persistent':
    '⚠️ [{jail}] 장기 반복 공격 {ip}: {span}에 걸쳐 로그인 실패 {count}회 (짧은 기준에는 걸리지 않는 속도)',
  'alert.stuffing':
    '⚠️ [{jail}] {ip}에서 크리덴셜 스터핑: {span} 동안 서로 다른 계정 {count}개에 로그인 시도',
  'alert.distributed':
    '⚠️ [{jail}] {ip}의 분산 무차별 대입 공격: {span} 동안 여러 호스트에 걸쳐 로그인 실패 {count}회 (호스트마다 자체 기준보다 적은 횟수)',
  'alert.prefix': '{ip} (한 네트워크의 여러 주소)',
  'alert.users': ' (시도한 계정: {users})',
  'alert.onHost': ' (호스트: {host})',
  'alert.onHosts': ' (호스트 {count}대: {hosts})',
};
