/**
 * Clients probing for well-known admin tools and exploit targets that are not
 * there: requests for them answered 404, from nginx's access log (common or
 * combined format, client address first) or its error log ("open() … failed",
 * "… is not found", which nginx logs for missing files unless log_not_found is
 * off). A path that exists is never counted, so a site that does run one of
 * these tools is not hurt by the list.
 *
 * The address cannot be moved by the request: in the access log it is the
 * line's first field; in the error log the file name before "client:" is
 * matched without quotes (nginx logs it unescaped; a name with a quote is not
 * counted), so the first "client:" is nginx's own.
 */
import { NGINX_ERROR_PREFIX } from './nginx-http-auth.js';
import type { FilterSpec } from './spec.js';

/** Case-insensitive form of a pattern written without letters inside [...]. */
function anyCase(re: string): string {
  return re.replace(/\\.|[a-zA-Z]/g, (m) =>
    m.length === 2 ? m : `[${m.toLowerCase()}${m.toUpperCase()}]`,
  );
}

/** First path segments that bots request on every server they find. */
const PROBES = [
  // Database admin tools, often with a version: /phpMyAdmin-2.8.2.3/, /pma/, /mysqladmin/.
  '(?:php)?my-?admin[\\w.-]*',
  'pma(?:\\d[\\w.-]*)?',
  '(?:mysql|sql|db|phppg)-?admin[\\w.-]*',
  'adminer[\\w.-]*',
  // Webmail.
  'roundcube(?:mail)?',
  '(?:v-?)?webmail',
  'horde',
  'squirrelmail',
  'rainloop',
  // CGI scripts.
  'cgi-bin',
  // WordPress, on sites that have none.
  'wp-(?:login|signup|admin|config|includes)[\\w.-]*',
  'xmlrpc\\.php',
  // Secrets and repositories left in the web root.
  '\\.env[\\w.-]*',
  '\\.git',
  '\\.svn',
  '\\.aws',
  // Exploit targets: PHPUnit's eval-stdin, router admin pages.
  'phpunit',
  'hnap1',
  'boaform',
].map(anyCase);

/**
 * The request line of a probe: the probe may sit under up to two other
 * directories (/admin/pma/, /vendor/phpunit/) and extra slashes.
 */
const REQUEST = `[A-Z_-]+ /+(?:[^/?\\s"]+/+){0,2}(?:${PROBES.join('|')})(?=[/?; "])\\S*(?: HTTP/\\d(?:\\.\\d)?)?`;

export const nginxBotsearch: FilterSpec = {
  name: 'nginx-botsearch',
  description: 'nginx: requests for well-known admin tools and exploit paths that do not exist',
  programs: null,
  modes: ['normal'],
  defaultMode: 'normal',
  messagePrefix: NGINX_ERROR_PREFIX,
  rules: [
    {
      // addr ident user [time] "request" status …. The user name may hold spaces but no
      // double quote (nginx escapes it), so nothing after the first quote is tried as the time.
      id: 'access-404',
      pattern: `{HOST} \\S+ [^"]*? \\[\\d\\d/\\w{3}/\\d{4}(?::\\d\\d){3} [-+]\\d{4}\\] "${REQUEST}" 404 `,
      result: 'fail',
    },
    {
      // ENOENT or ENOTDIR, which nginx answers with 404.
      id: 'error-not-found',
      pattern: `(?:open\\(\\) "[^"]*" failed|"[^"]*" is not found) \\((?:2|20): [^)]*\\), client: {HOST}, server: [^,]*, request: "${REQUEST}"`,
      result: 'fail',
    },
  ],
};
