/** Messages of `sheriff fleet` (setting up a fleet's NATS server and credentials), in English and Korean. */
import { defineMessages } from './define.js';

export const fleetSetupMessages = defineMessages({
  en: {
    'fleet.command.description':
      "set up a fleet: the NATS server's configuration, each host's credentials, the hub's signing key",
    'fleet.init.description':
      'write a new fleet: NATS server configuration with one user per host, seeds, the hub key',
    'fleet.init.opt.hosts': 'the hosts, comma-separated (names like web-1)',
    'fleet.init.opt.tls': 'make a CA and a server certificate; sensors connect with TLS',
    'fleet.init.opt.serverName':
      "the names sensors reach NATS by, comma-separated (default: this machine's name); the first is in the URL, all are in the certificate",
    'fleet.init.opt.listen': 'address and port NATS listens on (default: 0.0.0.0:4222)',
    'fleet.init.opt.storeDir': "JetStream's store directory (default: /var/lib/nats/jetstream)",
    'fleet.opt.dir': 'the fleet directory (default: /etc/sheriff/fleet)',
    'fleet.addHost.description': 'add a host with new credentials',
    'fleet.revokeHost.description': 'remove a host: its credentials stop working when NATS reloads',
    'fleet.init.done': 'Fleet of {count} hosts written to {dir}.',
    'fleet.init.next.server':
      "1. Start NATS on the hub. With Debian's nats-server package, make /etc/nats-server.conf this one line and run systemctl restart nats-server:\n     {include}\n   (or start it yourself: nats-server -c {file})",
    'fleet.init.next.hub': "2. Add the section in {file} to the hub's sheriff.yaml.",
    'fleet.init.next.hosts':
      '3. For each host, copy {dir}/NAME to {sensorDir} on that host and add the section in its sheriff-fleet.yaml to its sheriff.yaml.',
    'fleet.init.secret':
      'Keep {signingKey} and the seeds secret: whoever has the signing key can ban on every host.',
    'fleet.addHost.done':
      'Host {host} added. Copy {dir} to {sensorDir} on {host}, and add the section in its sheriff-fleet.yaml to its sheriff.yaml.',
    'fleet.revokeHost.done':
      'Host {host} revoked: its user is gone from {file} and its directory deleted.',
    'fleet.reload':
      'Reload NATS so this takes effect: systemctl reload nats-server (or nats-server --signal reload).',
    'fleet.error.exists':
      '{file} exists already: this directory has a fleet. Use `sheriff fleet add-host` to add hosts.',
    'fleet.error.not-fleet':
      'no fleet in {dir} (no fleet.json). Create one with `sheriff fleet init`.',
    'fleet.error.bad-host':
      '"{host}" is not a host name: use lower-case letters, digits and inner hyphens (at most 63).',
    'fleet.error.duplicate-host': 'host {host} is named twice.',
    'fleet.error.host-exists': 'host {host} is in the fleet already.',
    'fleet.error.no-such-host': 'host {host} is not in the fleet.',
    'fleet.error.bad-listen':
      '--listen needs an address and a port, like 0.0.0.0:4222, not "{listen}".',
    'fleet.error.bad-server-name': '"{name}" is not a DNS name or an IP address.',
    'fleet.error.no-hosts': '--hosts names no host.',
  },
  ko: {
    'fleet.command.description': '플릿 구성: NATS 서버 설정, 호스트별 자격 증명, 허브의 서명 키',
    'fleet.init.description':
      '새 플릿 작성: 호스트마다 사용자가 있는 NATS 서버 설정, 시드, 허브 키',
    'fleet.init.opt.hosts': '호스트 목록, 쉼표로 구분 (web-1 같은 이름)',
    'fleet.init.opt.tls': 'CA와 서버 인증서를 만들고 센서가 TLS로 연결하게 함',
    'fleet.init.opt.serverName':
      '센서가 NATS에 접속할 이름, 쉼표로 구분 (기본값: 이 머신의 이름). 첫 이름은 URL에, 모든 이름은 인증서에 들어갑니다',
    'fleet.init.opt.listen': 'NATS가 수신할 주소와 포트 (기본값: 0.0.0.0:4222)',
    'fleet.init.opt.storeDir': 'JetStream 저장 디렉터리 (기본값: /var/lib/nats/jetstream)',
    'fleet.opt.dir': '플릿 디렉터리 (기본값: /etc/sheriff/fleet)',
    'fleet.addHost.description': '새 자격 증명으로 호스트 추가',
    'fleet.revokeHost.description':
      '호스트 제거: NATS를 다시 읽으면 자격 증명이 더는 통하지 않습니다',
    'fleet.init.done': '호스트 {count}대의 플릿을 {dir}에 작성했습니다.',
    'fleet.init.next.server':
      '1. 허브에서 NATS를 시작하십시오. 데비안 nats-server 패키지라면 /etc/nats-server.conf를 다음 한 줄로 바꾸고 systemctl restart nats-server를 실행하십시오:\n     {include}\n   (직접 실행하려면: nats-server -c {file})',
    'fleet.init.next.hub': '2. {file}의 설정 부분을 허브의 sheriff.yaml에 추가하십시오.',
    'fleet.init.next.hosts':
      '3. 호스트마다 {dir}/이름 디렉터리를 그 호스트의 {sensorDir}에 복사하고, sheriff-fleet.yaml의 설정 부분을 그 호스트의 sheriff.yaml에 추가하십시오.',
    'fleet.init.secret':
      '{signingKey}와 시드 파일은 비밀로 지키십시오. 서명 키를 가진 사람은 모든 호스트에서 차단할 수 있습니다.',
    'fleet.addHost.done':
      '호스트 {host}를 추가했습니다. {dir}를 {host}의 {sensorDir}에 복사하고, sheriff-fleet.yaml의 설정 부분을 그 호스트의 sheriff.yaml에 추가하십시오.',
    'fleet.revokeHost.done':
      '호스트 {host}를 제거했습니다. {file}에서 사용자를 지우고 디렉터리를 삭제했습니다.',
    'fleet.reload':
      '적용하려면 NATS가 설정을 다시 읽게 하십시오: systemctl reload nats-server (또는 nats-server --signal reload).',
    'fleet.error.exists':
      '{file}이 이미 있습니다. 이 디렉터리에는 플릿이 있습니다. 호스트 추가는 `sheriff fleet add-host`로 하십시오.',
    'fleet.error.not-fleet':
      '{dir}에 플릿이 없습니다 (fleet.json 없음). `sheriff fleet init`으로 만드십시오.',
    'fleet.error.bad-host':
      '"{host}"는 호스트 이름이 아닙니다. 영문 소문자, 숫자, 가운데 하이픈만 쓰십시오 (최대 63자).',
    'fleet.error.duplicate-host': '호스트 {host}가 두 번 적혀 있습니다.',
    'fleet.error.host-exists': '호스트 {host}는 이미 플릿에 있습니다.',
    'fleet.error.no-such-host': '호스트 {host}는 플릿에 없습니다.',
    'fleet.error.bad-listen':
      '--listen에는 0.0.0.0:4222처럼 주소와 포트를 주십시오. "{listen}"은 쓸 수 없습니다.',
    'fleet.error.bad-server-name': '"{name}"은 DNS 이름도 IP 주소도 아닙니다.',
    'fleet.error.no-hosts': '--hosts에 호스트가 없습니다.',
  },
});
