/**
 * Why a command cannot use the store, one line each (cli/store-error.ts), and
 * the exit statuses `sheriff --help` lists, in English and Korean.
 */
import { defineMessages } from './define.js';

export const storeMessages = defineMessages({
  en: {
    'cli.help.exitStatus':
      'Exit status:\n  0  done\n  1  no store yet: the daemon (sheriff watch) has not run\n  2  a mistake in the command, the configuration or the setup: permissions, a damaged\n     store, another daemon already watching the store',
    'store.error.missing':
      'no store at {path} yet: the daemon (sheriff watch) has not run, or store.path (SHERIFF_DB) points elsewhere.',
    'store.error.access':
      'cannot open the store at {path}: permission denied. Run sheriff as the user that owns it (normally sheriff, or root), or set store.path (SHERIFF_DB).',
    'store.error.path':
      'cannot open the store at {path}: it must name a file in a directory ({detail}). Check store.path (SHERIFF_DB).',
    'store.error.damaged':
      '{path} is not a Sheriff store or is damaged ({detail}). Move it aside and restart the daemon, or set store.path to another file.',
    'store.error.busy':
      'the store at {path} is locked by another process. Try again, or look for a stuck sheriff process.',
    'store.error.full':
      'cannot write the store at {path}: the disk is full. Free some space, or move store.path.',
    'store.error.older':
      'the store at {path} is from an older Sheriff: restart the daemon (it upgrades the store), then try again.',
    'store.error.newer':
      'the store at {path} was written by a newer Sheriff: upgrade Sheriff, or set store.path to another file.',
    'store.error.wal':
      'cannot use the store at {path}: SQLite cannot use WAL mode there. Put store.path on a local filesystem.',
    'store.error.other': 'cannot open the store at {path}: {detail}',
    'store.error.daemonRunning':
      'another Sheriff daemon (pid {pid}) is already watching the store {path}, and only one may. Stop it first (systemctl stop sheriff, or kill {pid}).',
    'store.error.daemonRunningNoPid':
      'another Sheriff daemon is already watching the store {path} (it holds {lock}), and only one may. Stop it first.',
  },
  ko: {
    'cli.help.exitStatus':
      '종료 상태:\n  0  완료\n  1  아직 저장소가 없음: 데몬(sheriff watch)이 실행된 적 없음\n  2  명령, 설정, 환경의 문제: 권한, 손상된 저장소, 같은 저장소를 이미 감시하는 다른 데몬',
    'store.error.missing':
      '{path}에 아직 저장소가 없습니다: 데몬(sheriff watch)이 아직 실행되지 않았거나, store.path(SHERIFF_DB)가 다른 곳을 가리킵니다.',
    'store.error.access':
      '{path}의 저장소를 열 수 없습니다: 권한이 없습니다. 저장소를 소유한 사용자(보통 sheriff 또는 root)로 실행하거나 store.path(SHERIFF_DB)를 지정하세요.',
    'store.error.path':
      '{path}의 저장소를 열 수 없습니다: 디렉터리 안의 파일을 가리켜야 합니다 ({detail}). store.path(SHERIFF_DB)를 확인하세요.',
    'store.error.damaged':
      '{path}은(는) Sheriff 저장소가 아니거나 손상되었습니다 ({detail}). 파일을 다른 곳으로 옮기고 데몬을 다시 시작하거나, store.path를 다른 파일로 지정하세요.',
    'store.error.busy':
      '{path}의 저장소를 다른 프로세스가 잠그고 있습니다. 다시 시도하거나, 멈춰 버린 sheriff 프로세스가 있는지 확인하세요.',
    'store.error.full':
      '{path}의 저장소에 쓸 수 없습니다: 디스크가 가득 찼습니다. 공간을 확보하거나 store.path를 옮기세요.',
    'store.error.older':
      '{path}의 저장소는 이전 버전 Sheriff의 것입니다. 데몬을 다시 시작해 저장소를 올린 뒤 다시 시도하세요.',
    'store.error.newer':
      '{path}의 저장소는 더 새 버전의 Sheriff가 쓴 것입니다. Sheriff를 업그레이드하거나 store.path를 다른 파일로 지정하세요.',
    'store.error.wal':
      '{path}의 저장소를 쓸 수 없습니다: 그곳에서는 SQLite가 WAL 모드를 쓸 수 없습니다. store.path를 로컬 파일 시스템에 두세요.',
    'store.error.other': '{path}의 저장소를 열 수 없습니다: {detail}',
    'store.error.daemonRunning':
      '다른 Sheriff 데몬(pid {pid})이 이미 저장소 {path}을(를) 감시하고 있습니다. 데몬은 하나만 실행할 수 있으니 먼저 멈추세요 (systemctl stop sheriff 또는 kill {pid}).',
    'store.error.daemonRunningNoPid':
      '다른 Sheriff 데몬이 이미 저장소 {path}을(를) 감시하고 있습니다 ({lock}을(를) 잡고 있음). 데몬은 하나만 실행할 수 있으니 먼저 멈추세요.',
  },
});
