/**
 * Test doubles of the reputation APIs, over real HTTP on 127.0.0.1, answering
 * in each service's documented JSON (AbuseIPDB v2 /check, GreyNoise community
 * v3, OTX indicators general), including their 429 answers. One server serves
 * all three paths; tests set what it knows and read what it was asked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIntelState {
  /** AbuseIPDB abuseConfidenceScore per address (unknown addresses: 0). */
  abuse: Map<string, number>;
  /** GreyNoise classification per address (others: 404 "not observed"). */
  greynoise: Map<string, 'malicious' | 'benign' | 'unknown'>;
  /** OTX pulse count per address (others: 0). */
  otx: Map<string, number>;
  /** Answer 429 to everything while set. */
  rateLimited: boolean;
  /** Never answer while set (for timeouts). */
  hang: boolean;
  /** While set, every request is answered so: a 500, or a 200 whose JSON is cut short. */
  broken: 'http-500' | 'malformed' | null;
}

export interface FakeRequest {
  path: string;
  headers: IncomingMessage['headers'];
}

export class FakeIntelApis {
  readonly state: FakeIntelState = {
    abuse: new Map(),
    greynoise: new Map(),
    otx: new Map(),
    rateLimited: false,
    hang: false,
    broken: null,
  };
  readonly requests: FakeRequest[] = [];
  private readonly hanging: ServerResponse[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeIntelApis> {
    // The handler needs the instance, and the instance needs the server.
    const holder: { fake?: FakeIntelApis } = {};
    const server = createServer((req, res) => holder.fake!.handle(req, res));
    const fake = new FakeIntelApis(server);
    holder.fake = fake;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ path: url.pathname + url.search, headers: req.headers });
    if (this.state.hang) {
      this.hanging.push(res);
      return;
    }
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (this.state.broken === 'http-500') return send(500, { error: 'Internal Server Error' });
    if (this.state.broken === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"data": {"abuseConfidenceScore": ');
    }
    if (url.pathname === '/api/v2/check') return this.abuseipdb(url, req, send);
    const gn = /^\/v3\/community\/([^/]+)$/.exec(url.pathname);
    if (gn !== null) return this.greynoise(decodeURIComponent(gn[1]!), req, send);
    const otx = /^\/api\/v1\/indicators\/(IPv4|IPv6)\/([^/]+)\/general$/.exec(url.pathname);
    if (otx !== null) return this.otx(decodeURIComponent(otx[2]!), req, send);
    send(404, { error: 'not found' });
  }

  private abuseipdb(url: URL, req: IncomingMessage, send: Send): void {
    if (req.headers.key === undefined)
      return send(401, {
        errors: [
          {
            detail: 'Authentication failed. Your API key is either missing, incorrect, or revoked.',
            status: 401,
          },
        ],
      });
    if (this.state.rateLimited)
      return send(
        429,
        {
          errors: [
            {
              detail:
                'Daily rate limit of 1000 requests exceeded for this endpoint. See headers for additional details.',
              status: 429,
            },
          ],
        },
        { 'retry-after': '3600', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0' },
      );
    const ip = url.searchParams.get('ipAddress') ?? '';
    const score = this.state.abuse.get(ip) ?? 0;
    send(200, {
      data: {
        ipAddress: ip,
        isPublic: true,
        ipVersion: ip.includes(':') ? 6 : 4,
        isWhitelisted: false,
        abuseConfidenceScore: score,
        countryCode: 'NL',
        usageType: 'Data Center/Web Hosting/Transit',
        isp: 'Documentation Hosting',
        domain: 'example.net',
        hostnames: [],
        isTor: false,
        totalReports: score === 0 ? 0 : 42,
        numDistinctUsers: score === 0 ? 0 : 17,
        lastReportedAt: score === 0 ? null : '2026-11-24T20:55:14+00:00',
      },
    });
  }

  private greynoise(ip: string, req: IncomingMessage, send: Send): void {
    if (this.state.rateLimited || req.headers.key === undefined)
      return send(429, {
        plan: 'unauthenticated',
        'rate-limit': '100-lookups/day',
        plan_url: 'https://greynoise.io/pricing',
        message:
          'You have hit your daily rate limit of 100 unauthenticated lookups/day. Please create a free account or upgrade your plan at https://greynoise.io/pricing.',
      });
    const c = this.state.greynoise.get(ip);
    if (c === undefined)
      return send(404, {
        ip,
        noise: false,
        riot: false,
        message: 'IP not observed scanning the internet or contained in RIOT data set.',
      });
    send(200, {
      ip,
      noise: c !== 'benign',
      riot: c === 'benign',
      classification: c,
      name: c === 'benign' ? 'Example Scanner Co' : 'unknown',
      link: `https://viz.greynoise.io/ip/${ip}`,
      last_seen: '2026-11-24',
      message: 'Success',
    });
  }

  private otx(ip: string, req: IncomingMessage, send: Send): void {
    if (this.state.rateLimited)
      return send(
        429,
        { detail: 'Request was throttled. Expected available in 60 seconds.' },
        { 'retry-after': '60' },
      );
    if (req.headers['x-otx-api-key'] === undefined)
      return send(403, { detail: 'Authentication required' });
    const count = this.state.otx.get(ip) ?? 0;
    send(200, {
      whois: `http://whois.domaintools.com/${ip}`,
      reputation: 0,
      indicator: ip,
      type: ip.includes(':') ? 'IPv6' : 'IPv4',
      type_title: ip.includes(':') ? 'IPv6' : 'IPv4',
      base_indicator: {},
      pulse_info: {
        count,
        pulses: Array.from({ length: count }, (_, i) => ({
          id: `pulse${i}`,
          name: `SSH brute force ${i}`,
          tags: ['ssh', 'bruteforce'],
        })),
        references: [],
        related: {
          alienvault: { adversary: [], malware_families: [], industries: [] },
          other: { adversary: [], malware_families: [], industries: [] },
        },
      },
      false_positive: [],
      validation: [],
      asn: 'AS64501 Documentation Hosting',
      city_data: true,
      city: null,
      region: null,
      continent_code: 'EU',
      country_code3: 'NLD',
      country_code2: 'NL',
      country_code: 'NL',
      country_name: 'Netherlands',
      sections: [
        'general',
        'geo',
        'reputation',
        'url_list',
        'passive_dns',
        'malware',
        'nids_list',
        'http_scans',
      ],
    });
  }
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;
