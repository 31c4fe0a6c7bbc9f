import { MAX_SETUP_SUBSCRIPTIONS } from '@smartlink/contract';
import { CliUsageError } from '../cli-usage-error';
import { parseSubscriptionList } from './subscription-list';

describe('parseSubscriptionList', () => {
  it('trims, drops empty entries and repeats, and keeps the order', () => {
    expect(parseSubscriptionList(' B, A,,B ,C.v2 ')).toEqual(['B', 'A', 'C.v2']);
  });

  it('wants at least one command', () => {
    expect(() => parseSubscriptionList(' , ')).toThrow(
      new CliUsageError('no command given to subscribe: --commands A,B,...'),
    );
  });

  it('refuses more commands than one setup takes', () => {
    const many = Array.from({ length: MAX_SETUP_SUBSCRIPTIONS + 1 }, (_, i) => `C${i}`).join(',');
    expect(() => parseSubscriptionList(many)).toThrow(`at most ${MAX_SETUP_SUBSCRIPTIONS}`);
  });

  it('names every illegal command at once', () => {
    expect(() => parseSubscriptionList(`ok,no spaces,${'x'.repeat(101)},-dash`)).toThrow(
      /^illegal command name: "no spaces" may hold only .*; "x{101}": 101 characters, at most 100 allowed; "-dash" may hold only/,
    );
  });
});
