import { execFileSync } from 'node:child_process';
import { shellQuote } from './shell-quote';

describe('shellQuote', () => {
  it('leaves plain words as they are', () => {
    expect(shellQuote('https://link.totvs.app/api/v1')).toBe('https://link.totvs.app/api/v1');
    expect(shellQuote('A,B.v2_x-y')).toBe('A,B.v2_x-y');
  });

  it('single-quotes anything else so the shell passes it through unchanged', () => {
    const nasty = `it's $HOME "and" \`ls\` ; rm -rf / \\ ação`;
    expect(shellQuote(nasty)).toBe(`'it'\\''s $HOME "and" \`ls\` ; rm -rf / \\ ação'`);
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(nasty)}`]).toString()).toBe(nasty);
    expect(shellQuote('')).toBe("''");
  });
});
