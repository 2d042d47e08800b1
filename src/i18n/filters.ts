/**
 * Filter files (filters/*.yaml and the user's filters.d): what is wrong in one,
 * and the commands that list and try filters. Problems are rendered with the
 * file, the line and the path of the value, like sheriff.yaml's.
 */
import { defineMessages } from './define.js';

export const filterMessages = defineMessages({
  en: {
    'filterFile.error.name': 'must be the file name without .yaml ({expected}), got {got}',
    'filterFile.error.notAFilter':
      'expected a filter: a mapping with name, description, references, rules and samples',
    'filterFile.error.unknownDef': 'unknown fragment {def} (define it under defs)',
    'filterFile.error.defCycle': 'fragments refer to each other in a loop: {cycle}',
    'filterFile.error.hostDef': 'HOST is built in (the address or host name) and cannot be defined',
    'filterFile.error.defaultMode': 'not one of the modes ({list}): {got}',
    'filterFile.error.unknownMode': 'not one of the modes ({list}): {got}',
    'filterFile.error.duplicateRule': 'another rule already has the id {got}',
    'filterFile.error.unknownRule': 'no rule has the id {got}',
    'filterFile.error.pattern': 'not a valid pattern: {reason}',
    'filterFile.error.timeFormat': 'not a valid time format: {reason}',
    'filterFile.error.redos':
      'this regular expression can backtrack catastrophically ({detail}): rewrite it so that each character can be matched one way only',
    'filterFile.error.redosUnknown':
      'warning: could not prove in time that this regular expression cannot backtrack catastrophically ({detail})',
    'filterFile.error.redosImported':
      "warning: this regular expression, as fail2ban wrote it, can take polynomial time on a crafted line ({detail}); it is loaded because fail2ban runs it the same way, and messages longer than the filter's maxMessageLength are never tried. Rewrite it to be linear when you can",
    'filterFile.error.include': 'no filter named {got} to include',
    'filterFile.error.includeCycle': 'filters include each other in a loop: {cycle}',
    'filterFile.error.sample': 'sample fails: {problems}',
    'filterFile.error.ruleWithoutSample': 'rule {rule} has no sample (every rule needs one)',
    'filterFile.error.noNoneSample':
      'needs at least one sample with result: none (a line the filter must leave alone)',
    'filterFile.error.duplicateName': '{path}: a filter named {name} is already read from {other}',
    'filterFile.error.noSuchDir': '{path}: no such filter directory',
    'filters.description': 'list the filters in force: origin, modes and sample count',
    'filters.opt.json': 'print a JSON array',
    'filters.origin.built-in': 'built-in',
    'filters.origin.user': 'user',
    'filters.origin.imported': 'imported',
    'filters.header': 'NAME\tORIGIN\tMODES\tSAMPLES\tDESCRIPTION',
    'filters.overrides': '{path}: replaces the built-in filter {name}',
    'testFilter.opt.spec':
      'try a filter file that is not installed (its samples are checked first)',
    'testFilter.spec.samplesOk': '{path}: the file is valid and its {count} samples pass',
    'testFilter.spec.redosUnchecked':
      'its regular expressions were not checked for catastrophic backtracking (recheck is not installed)',
    'testFilter.error.filterOrSpec': 'give either --filter NAME or --spec FILE',
  },
  ko: {
    'filterFile.error.name': '파일 이름(.yaml 제외)과 같아야 합니다 ({expected}), 현재 값: {got}',
    'filterFile.error.notAFilter':
      '필터가 아닙니다: name, description, references, rules, samples를 가진 매핑이어야 합니다',
    'filterFile.error.unknownDef': '알 수 없는 조각 {def} (defs 아래에 정의하세요)',
    'filterFile.error.defCycle': '조각들이 서로를 순환 참조합니다: {cycle}',
    'filterFile.error.hostDef': 'HOST는 내장 조각(주소 또는 호스트 이름)이라 정의할 수 없습니다',
    'filterFile.error.defaultMode': '모드({list}) 중 하나가 아닙니다: {got}',
    'filterFile.error.unknownMode': '모드({list}) 중 하나가 아닙니다: {got}',
    'filterFile.error.duplicateRule': '같은 id {got}를 가진 규칙이 이미 있습니다',
    'filterFile.error.unknownRule': 'id가 {got}인 규칙이 없습니다',
    'filterFile.error.pattern': '올바른 패턴이 아닙니다: {reason}',
    'filterFile.error.timeFormat': '올바른 시각 형식이 아닙니다: {reason}',
    'filterFile.error.redos':
      '이 정규식은 파국적 역추적을 일으킬 수 있습니다({detail}). 각 문자가 한 가지 방법으로만 맞도록 고쳐 쓰세요',
    'filterFile.error.redosUnknown':
      '경고: 이 정규식이 파국적 역추적을 일으키지 않는다는 것을 시간 안에 증명하지 못했습니다({detail})',
    'filterFile.error.redosImported':
      '경고: fail2ban에서 가져온 이 정규식은 조작된 줄에서 다항 시간이 걸릴 수 있습니다({detail}). fail2ban도 똑같이 실행하는 식이라 불러오지만, 필터의 maxMessageLength보다 긴 메시지에는 적용하지 않습니다. 가능하면 선형으로 고쳐 쓰세요',
    'filterFile.error.include': '포함할 {got} 필터가 없습니다',
    'filterFile.error.includeCycle': '필터들이 서로를 순환 포함합니다: {cycle}',
    'filterFile.error.sample': '샘플이 맞지 않습니다: {problems}',
    'filterFile.error.ruleWithoutSample':
      '규칙 {rule}에 샘플이 없습니다 (모든 규칙에 하나씩 필요합니다)',
    'filterFile.error.noNoneSample':
      'result: none 샘플(필터가 건드리지 말아야 할 줄)이 하나 이상 필요합니다',
    'filterFile.error.duplicateName': '{path}: {name} 필터는 이미 {other}에서 읽었습니다',
    'filterFile.error.noSuchDir': '{path}: 필터 디렉터리가 없습니다',
    'filters.description': '적용 중인 필터 목록: 출처, 모드, 샘플 수',
    'filters.opt.json': 'JSON 배열로 출력',
    'filters.origin.built-in': '내장',
    'filters.origin.user': '사용자',
    'filters.origin.imported': '가져옴',
    'filters.header': '이름\t출처\t모드\t샘플\t설명',
    'filters.overrides': '{path}: 내장 필터 {name}을(를) 대신합니다',
    'testFilter.opt.spec': '설치하지 않은 필터 파일로 시험합니다 (먼저 그 샘플을 확인합니다)',
    'testFilter.spec.samplesOk': '{path}: 파일이 올바르고 샘플 {count}개가 모두 통과합니다',
    'testFilter.spec.redosUnchecked':
      '정규식의 파국적 역추적 검사는 하지 않았습니다 (recheck가 설치되어 있지 않습니다)',
    'testFilter.error.filterOrSpec': '--filter NAME 또는 --spec FILE 중 하나를 주세요',
  },
});
