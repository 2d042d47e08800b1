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
      "the names sensors reach NATS by, comma-separated (default: this machine's name); the first is in the URL, all are in the certificate. With --cluster: one name per node, or one for all nodes when each has its own port",
    'fleet.init.opt.listen':
      'address and port NATS listens on (default: 0.0.0.0:4222). With --cluster: one for all nodes, or one per node, comma-separated',
    'fleet.init.opt.cluster':
      'run NATS as a cluster of this many nodes (an odd number, 3 or more): JetStream keeps each event and decision on 3 of them (5 from 5 nodes up), so losing one node loses nothing',
    'fleet.init.opt.clusterListen':
      'with --cluster: address and port each node listens on for the other nodes (default: 0.0.0.0:6222); one for all nodes, or one per node, comma-separated',
    'fleet.init.opt.storeDir': "JetStream's store directory (default: /var/lib/nats/jetstream)",
    'fleet.opt.dir': 'the fleet directory (default: /etc/sheriff/fleet)',
    'fleet.addHost.description': 'add a host with new credentials',
    'fleet.revokeHost.description': 'remove a host: its credentials stop working when NATS reloads',
    'fleet.init.done': 'Fleet of {count} hosts written to {dir}.',
    'fleet.init.next.server':
      "1. Start NATS on the hub. With Debian's nats-server package, make /etc/nats-server.conf this one line and run systemctl restart nats-server:\n     {include}\n   (or start it yourself: nats-server -c {file})",
    'fleet.init.next.cluster':
      "1. Start NATS on each of the {count} nodes: {nodes}. Copy {dir}/NAME to the same path on node NAME (its configuration names its files by that path; it holds the route password, so keep it readable by root and nats-server only). With Debian's nats-server package, make /etc/nats-server.conf this one line, with the node's name, and run systemctl restart nats-server:\n     {include}\n   (or start it yourself: nats-server -c {file}). The cluster works once a majority of its nodes runs.",
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
    'fleet.reloadCluster':
      'For this to take effect, copy {file} to the same path on each node NAME, then reload NATS on every node: systemctl reload nats-server (or nats-server --signal reload). A node not yet reloaded still admits the old hosts.',
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
      '{option} needs an address and a port, like 0.0.0.0:4222, not "{listen}".',
    'fleet.error.bad-cluster':
      '--cluster needs an odd number of nodes, 3 or more (the cluster works while a majority runs), not "{count}".',
    'fleet.error.cluster-count':
      '{option} gives {given} values for {count} nodes: give one for every node, or one per node.',
    'fleet.error.same-node':
      'nodes {a} and {b} would both be reached at {address}: give each node its own name in --server-name, or its own ports in --listen and --cluster-listen.',
    'fleet.error.cluster-listen-alone': '--cluster-listen is for a cluster: add --cluster 3.',
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
      '센서가 NATS에 접속할 이름, 쉼표로 구분 (기본값: 이 머신의 이름). 첫 이름은 URL에, 모든 이름은 인증서에 들어갑니다. --cluster와 함께 쓰면 노드마다 이름 하나, 또는 노드마다 포트가 다르면 모든 노드에 이름 하나',
    'fleet.init.opt.listen':
      'NATS가 수신할 주소와 포트 (기본값: 0.0.0.0:4222). --cluster와 함께 쓰면 모든 노드에 하나, 또는 노드마다 하나씩 쉼표로 구분',
    'fleet.init.opt.cluster':
      '이 수만큼의 노드로 NATS 클러스터를 구성 (3 이상의 홀수). JetStream이 이벤트와 결정을 노드 3대에 (노드 5대 이상이면 5대에) 보관하므로 노드 하나를 잃어도 잃는 것이 없습니다',
    'fleet.init.opt.clusterListen':
      '--cluster와 함께: 각 노드가 다른 노드의 연결을 받을 주소와 포트 (기본값: 0.0.0.0:6222). 모든 노드에 하나, 또는 노드마다 하나씩 쉼표로 구분',
    'fleet.init.opt.storeDir': 'JetStream 저장 디렉터리 (기본값: /var/lib/nats/jetstream)',
    'fleet.opt.dir': '플릿 디렉터리 (기본값: /etc/sheriff/fleet)',
    'fleet.addHost.description': '새 자격 증명으로 호스트 추가',
    'fleet.revokeHost.description':
      '호스트 제거: NATS를 다시 읽으면 자격 증명이 더는 통하지 않습니다',
    'fleet.init.done': '호스트 {count}대의 플릿을 {dir}에 작성했습니다.',
    'fleet.init.next.server':
      '1. 허브에서 NATS를 시작하십시오. 데비안 nats-server 패키지라면 /etc/nats-server.conf를 다음 한 줄로 바꾸고 systemctl restart nats-server를 실행하십시오:\n     {include}\n   (직접 실행하려면: nats-server -c {file})',
    'fleet.init.next.cluster':
      '1. 노드 {count}대 모두에서 NATS를 시작하십시오: {nodes}. {dir}/이름 디렉터리를 그 노드의 같은 경로에 복사하십시오 (설정이 파일을 그 경로로 가리킵니다. 라우트 비밀번호가 들어 있으니 root와 nats-server만 읽을 수 있게 두십시오). 데비안 nats-server 패키지라면 /etc/nats-server.conf를 노드 이름을 넣은 다음 한 줄로 바꾸고 systemctl restart nats-server를 실행하십시오:\n     {include}\n   (직접 실행하려면: nats-server -c {file}). 클러스터는 노드의 과반수가 실행 중일 때 동작합니다.',
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
    'fleet.reloadCluster':
      '적용하려면 {file}을 각 노드의 같은 경로에 복사한 뒤 모든 노드에서 NATS가 설정을 다시 읽게 하십시오: systemctl reload nats-server (또는 nats-server --signal reload). 아직 다시 읽지 않은 노드는 이전 호스트를 계속 받아들입니다.',
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
      '{option}에는 0.0.0.0:4222처럼 주소와 포트를 주십시오. "{listen}"은 쓸 수 없습니다.',
    'fleet.error.bad-cluster':
      '--cluster에는 3 이상의 홀수를 주십시오 (클러스터는 노드의 과반수가 실행 중일 때 동작합니다). "{count}"는 쓸 수 없습니다.',
    'fleet.error.cluster-count':
      '{option}에 노드 {count}대에 대한 값이 {given}개 있습니다. 모든 노드에 하나, 또는 노드마다 하나씩 주십시오.',
    'fleet.error.same-node':
      '노드 {a}와 {b}가 둘 다 {address}로 접속됩니다. --server-name으로 노드마다 이름을 다르게 하거나, --listen과 --cluster-listen으로 포트를 다르게 하십시오.',
    'fleet.error.cluster-listen-alone':
      '--cluster-listen은 클러스터용입니다. --cluster 3을 함께 주십시오.',
    'fleet.error.bad-server-name': '"{name}"은 DNS 이름도 IP 주소도 아닙니다.',
    'fleet.error.no-hosts': '--hosts에 호스트가 없습니다.',
  },
});
