import { invalidArgument } from '../../lib/errors';
import type { ParsedDockerfile } from './dockerfile-parse';
import { toInstruction, type Instruction } from './instructions';
import { processWord, type Env } from './shell-lex';

export type FromInstruction = Extract<Instruction, { kind: 'FROM' }>;
export type ArgInstruction = Extract<Instruction, { kind: 'ARG' }>;

/** A build stage: its FROM, its name (lower-cased `AS` name) and its instructions after FROM. */
export interface Stage {
  index: number;
  name?: string;
  from: FromInstruction;
  commands: Instruction[];
}

export interface BuildPlan {
  escape: string;
  /** ARGs before the first FROM (usable in FROM lines, and in stages that re-declare them). */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  /** Indexes of the stages to build, in order (only those the target needs). */
  needed: number[];
  /** Index of the stage whose result is the build's image. */
  target: number;
  warnings: string[];
}

/** Typed instructions grouped into stages, as moby's instructions.Parse does. */
export function toStages(parsed: ParsedDockerfile): { metaArgs: ArgInstruction[]; stages: Stage[] } {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const raw of parsed.instructions) {
    const ins = toInstruction(raw, parsed.escape);
    if (ins.kind === 'FROM') {
      stages.push({ index: stages.length, ...(ins.stageName !== undefined ? { name: ins.stageName } : {}), from: ins, commands: [] });
      continue;
    }
    const cur = stages[stages.length - 1];
    if (!cur) {
      if (ins.kind !== 'ARG') throw invalidArgument('DOCKERFILE_PARSE', `dockerfile parse error line ${raw.line}: no build stage in current context`);
      metaArgs.push(ins);
      continue;
    }
    cur.commands.push(ins);
  }
  if (stages.length === 0) throw invalidArgument('DOCKERFILE_PARSE', 'the Dockerfile (Dockerfile) cannot be empty');
  const seen = new Set<string>();
  for (const s of stages) {
    if (s.name === undefined) continue;
    if (seen.has(s.name)) throw invalidArgument('DOCKERFILE_PARSE', `duplicate name ${s.name}`);
    seen.add(s.name);
  }
  return { metaArgs, stages };
}

/** The stage a `--from` / `FROM` value names (by name, or by index for a number), if any. */
export function stageRef(stages: Stage[], ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  const byName = stages.find((s) => s.name === lower && s.index < before);
  if (byName) return byName;
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    if (n >= before) throw invalidArgument('BUILD_STAGE_REF', `invalid from flag value ${ref}: refers to current build stage or a stage after it`);
    return stages[n];
  }
  return undefined;
}

/**
 * Keeps the stages up to `target` (moby truncates there), then only those the target reaches
 * through `FROM <stage>` and `COPY --from=<stage>`: a stage nothing needs is not built. FROM names
 * are expanded with the meta args, as at dispatch.
 */
export function planStages(parsed: ParsedDockerfile, target: string | undefined, metaEnv: Env): BuildPlan {
  const { metaArgs, stages: all } = toStages(parsed);
  let targetIndex = all.length - 1;
  if (target !== undefined && target !== '') {
    const t = all.find((s) => s.name === target.toLowerCase());
    if (!t) throw invalidArgument('BUILD_TARGET', `failed to reach build target ${target} in Dockerfile`);
    targetIndex = t.index;
  }
  const stages = all.slice(0, targetIndex + 1);
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    const s = stages[i] as Stage;
    const base = stageRef(stages, processWord(s.from.image, metaEnv, parsed.escape), i);
    if (base) visit(base.index);
    for (const c of s.commands) {
      if ((c.kind === 'COPY' || c.kind === 'ADD') && c.from !== undefined) {
        const dep = stageRef(stages, c.from, i);
        if (dep) visit(dep.index);
      }
    }
  };
  visit(targetIndex);
  return { escape: parsed.escape, metaArgs, stages, needed: [...needed].sort((a, b) => a - b), target: targetIndex, warnings: [...parsed.warnings] };
}
