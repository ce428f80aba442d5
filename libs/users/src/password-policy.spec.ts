import { generatePassword } from './password';
import { PASSWORD_MIN_LENGTH, passwordWeakness } from './password-policy';

describe('password policy', () => {
  it.each([
    ['short', 'at least 12 characters'],
    ['password1234', 'commonly used password'],
    ['qwertyuiopasdf', 'too easy to guess'],
    ['aaaaaaaaaaaaaaaa', 'too easy to guess'],
    ['iloveyou2024', 'too easy to guess'],
    ['demo-password', 'too easy to guess'],
  ])('refuses %s and says why', (password, reason) => {
    expect(passwordWeakness(password)).toContain(reason);
  });

  it('rates long passwords on a bounded prefix (no seconds of work for 1,000 characters)', () => {
    expect(passwordWeakness('password'.repeat(125))).toContain('too easy to guess');
    expect(passwordWeakness('x'.repeat(1025))).toContain('at most 1024');
  });

  it.each([
    'admin-password-for-tests',
    'correct horse battery staple',
    'agent-password-123',
    'northwind-demo-desk',
    'change-me-please',
  ])('accepts %s', (password) => {
    expect(passwordWeakness(password, ['agent-1a2b3c@example.test', 'Test agent'])).toBeNull();
  });

  it('accepts the generated bootstrap password', () => {
    for (let i = 0; i < 5; i++) expect(passwordWeakness(generatePassword())).toBeNull();
    expect(generatePassword().length).toBeGreaterThanOrEqual(PASSWORD_MIN_LENGTH);
  });
});
