import { runRedriveCli } from './app/redrive/redrive-cli';

/** The redrive CLI (`npm run redrive -- --command X --by alice`): see REDRIVE_USAGE. */
runRedriveCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
