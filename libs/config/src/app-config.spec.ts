import { ConfigError } from './config.error';
import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to embedded mode on 127.0.0.1:3000', () => {
    const c = loadConfig({}, '/srv');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.database).toEqual({ kind: 'pglite', dataDir: '/srv/.data' });
    expect(c.mode).toBe('embedded');
    expect(c.redisUrl).toBeNull();
    expect(c.logLevel).toBe('info');
  });

  it('uses Postgres when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/app' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgresql://postgres@127.0.0.1:5432/app' });
    expect(c.mode).toBe('services');
  });

  it.each([
    ['DATABASE_URL', 'not-a-url'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['REDIS_URL', 'http://localhost'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['MCP_MODE', 'sometimes'],
    ['JWT_SECRET', 'short'],
    ['SLA_FIRST_RESPONSE_MINUTES', 'urgent=soon'],
    ['ADMIN_EMAIL', 'nobody'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      expect((e as ConfigError).variable).toBe(name);
      expect((e as Error).message).toContain(name);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('parses per-priority SLA minutes', () => {
    expect(loadConfig({ SLA_FIRST_RESPONSE_MINUTES: 'urgent=15,high=90' }).slaFirstResponseMinutes).toEqual({
      urgent: 15,
      high: 90,
    });
    expect(loadConfig({ SLA_FIRST_RESPONSE_MINUTES: '30' }).slaFirstResponseMinutes).toEqual({
      urgent: 30,
      high: 30,
    });
  });

  it('reads MCP_REVIEW_ROLES (none by default) and refuses unknown roles', () => {
    expect(loadConfig({}).mcpReviewRoles).toEqual([]);
    expect(loadConfig({ MCP_REVIEW_ROLES: 'Agent, viewer,agent' }).mcpReviewRoles).toEqual([
      'agent',
      'viewer',
    ]);
    expect(() => loadConfig({ MCP_REVIEW_ROLES: 'agent,robot' })).toThrow(/MCP_REVIEW_ROLES.*robot/);
  });

  it('keeps DATA_DIR=memory:// in memory', () => {
    expect(loadConfig({ DATA_DIR: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: null });
  });
});

describe('TRUST_PROXY', () => {
  const load = (TRUST_PROXY?: string) => loadConfig({ DATA_DIR: 'memory://', TRUST_PROXY }, '/').trustProxy;
  it('trusts no proxy by default', () => {
    expect(load()).toBe(false);
    expect(load('false')).toBe(false);
  });
  it('takes a hop count or addresses, CIDRs and names', () => {
    expect(load('2')).toBe(2);
    expect(load('loopback, 10.0.0.0/8, 2001:db8::/32,192.0.2.7')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.7',
    ]);
  });
  it.each(['true', '10.0.0.0/33', 'proxy.example.com', '10.0.0.0/8/1'])('refuses %s', (v) => {
    expect(() => load(v)).toThrow(/TRUST_PROXY/);
  });
});
