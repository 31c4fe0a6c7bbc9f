import { PassThrough, Writable } from 'node:stream';
import { PromptCancelledError } from './prompt-cancelled-error';
import { TerminalPrompt } from './terminal-prompt';

/** A terminal double: keystrokes are written into it, raw mode switches are logged beside the output. */
class FakeTerminal extends PassThrough {
  readonly isTTY = true;
  isRaw = false;

  constructor(private readonly log: string[]) {
    super();
  }

  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.log.push(`raw:${mode}`);
    return this;
  }
}

function rig() {
  const log: string[] = [];
  const input = new FakeTerminal(log);
  let written = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      log.push(`out:${chunk.toString()}`);
      done();
    },
  });
  return { prompt: new TerminalPrompt(input, output), input, log, written: () => written };
}

describe('TerminalPrompt', () => {
  describe('askSecret', () => {
    it('returns what was typed and writes nothing of it back', async () => {
      const { prompt, input, written } = rig();
      const answer = prompt.askSecret('Secret: ');
      input.write('hunter2\r');
      await expect(answer).resolves.toBe('hunter2');
      expect(written()).toBe('Secret: \n');
    });

    it('switches echo off before showing the question, and back afterwards', async () => {
      const { prompt, input, log } = rig();
      const answer = prompt.askSecret('Secret: ');
      input.write('x\n');
      await answer;
      expect(log).toEqual(['raw:true', 'out:Secret: ', 'raw:false', 'out:\n']);
    });

    it('lets the operator edit with backspace and Ctrl-U, ignoring arrow keys', async () => {
      const { prompt, input } = rig();
      const answer = prompt.askSecret('Secret: ');
      input.write('wrong\u0015ab');
      input.write('\u001b[D');
      input.write('cc\u007f\b\bd');
      input.write('\r');
      await expect(answer).resolves.toBe('ad');
    });

    it('keeps multi-byte characters split across chunks whole', async () => {
      const { prompt, input } = rig();
      const answer = prompt.askSecret('Secret: ');
      const bytes = Buffer.from('sé😀\r');
      input.write(bytes.subarray(0, 2));
      input.write(bytes.subarray(2, 5));
      input.write(bytes.subarray(5));
      await expect(answer).resolves.toBe('sé😀');
    });

    it('is cancelled by Ctrl-C, and by Ctrl-D on an empty line, restoring the terminal', async () => {
      for (const key of ['abc\u0003', '\u0004']) {
        const { prompt, input } = rig();
        const answer = prompt.askSecret('Secret: ');
        input.write(key);
        await expect(answer).rejects.toBeInstanceOf(PromptCancelledError);
        expect(input.isRaw).toBe(false);
      }
    });
  });

  describe('ask', () => {
    it('returns the trimmed answer', async () => {
      const { prompt, input } = rig();
      const answer = prompt.ask('Client ID: ');
      input.write('  client-1 \r');
      await expect(answer).resolves.toBe('client-1');
    });
  });

  it('is not interactive, and refuses to ask, when its input is not a terminal', async () => {
    const prompt = new TerminalPrompt(new PassThrough(), new PassThrough());
    expect(prompt.interactive).toBe(false);
    expect(() => prompt.askSecret('Secret: ')).toThrow('no terminal to prompt on');
  });
});
