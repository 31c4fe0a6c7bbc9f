/** One stage of a Dockerfile: `FROM <from> AS <name>` and its instructions. */
export interface DockerStage {
  readonly name: string;
  readonly from: string;
  readonly instructions: readonly { readonly keyword: string; readonly args: string }[];
}

/** Reads a Dockerfile's stages (line continuations joined, comments dropped) and the global ARG defaults. */
export function readDockerfile(text: string): { stages: DockerStage[]; args: Record<string, string> } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const stages: { name: string; from: string; instructions: { keyword: string; args: string }[] }[] = [];
  const args: Record<string, string> = {};
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const argsText = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(argsText);
      if (!match) throw new Error(`unreadable FROM: ${line}`);
      stages.push({ from: match[1] as string, name: match[2] ?? `#${stages.length}`, instructions: [] });
    } else if (stages.length === 0) {
      const arg = /^ARG\s+(\w+)=(\S+)$/i.exec(line);
      if (arg) args[arg[1] as string] = arg[2] as string;
    } else {
      stages[stages.length - 1]?.instructions.push({ keyword: keyword.toUpperCase(), args: argsText });
    }
  }
  return { stages, args };
}

/** The stages a stage builds on, itself first, down to the one FROM an external image. */
export function stageChain(stages: readonly DockerStage[], name: string): DockerStage[] {
  const chain: DockerStage[] = [];
  let current = stages.find((s) => s.name === name);
  while (current) {
    chain.push(current);
    const from = current.from;
    current = stages.find((s) => s.name === from);
  }
  return chain;
}
