import { runCli } from './app/cli';
import { readAll } from './app/prompt/read-all';
import { TerminalPrompt } from './app/prompt/terminal-prompt';

/** The operator CLI (`npm run cli -- activate`, `npm run cli -- status`): see CLI_USAGE and apps/cli/README.md. */
runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  prompt: new TerminalPrompt(process.stdin, process.stderr),
  readStdin: () => readAll(process.stdin),
  now: () => new Date(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A defect, not an operator's mistake: those are answered with a message and an exit code above.
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
