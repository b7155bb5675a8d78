import type { DeviceRule } from './device-rules';

/**
 * cgroup v2 has no devices.allow: the kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached
 * to the cgroup instead. This compiles an allow-list into that program (the same shape as runc's
 * devicefilter): the native loader only loads and attaches the bytes, all policy stays here.
 *
 * The program's context is `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }`
 * with access_type = (access << 16) | device type. It returns 1 (allow) at the first rule that
 * matches, 0 (deny: EPERM) when none does.
 */

const DEV_BLOCK = 1;
const DEV_CHAR = 2;
const ACC = { m: 1, r: 2, w: 4 } as const;

// Opcodes (linux/bpf.h): class | op | source.
const LDX_MEM_W = 0x61;
const ALU32_AND_K = 0x54;
const ALU32_RSH_K = 0x74;
const ALU32_MOV_K = 0xb4;
const JMP_JNE_K = 0x55;
const JMP_JSET_K = 0x45;
const JMP_EXIT = 0x95;

type Insn = [code: number, dst: number, src: number, off: number, imm: number];

function accessMask(access: string): number {
  let mask = 0;
  for (const c of access) mask |= ACC[c as keyof typeof ACC] ?? 0;
  return mask;
}

function ruleBlock(r: DeviceRule): Insn[] {
  // Each test jumps past the rest of the block when the device does not match.
  const tests: Array<[code: number, reg: number, imm: number]> = [];
  if (r.type !== 'a') tests.push([JMP_JNE_K, 2, r.type === 'b' ? DEV_BLOCK : DEV_CHAR]);
  if (r.major !== '*') tests.push([JMP_JNE_K, 4, r.major]);
  if (r.minor !== '*') tests.push([JMP_JNE_K, 5, r.minor]);
  const denied = ~accessMask(r.access) & 0b111;
  if (denied !== 0) tests.push([JMP_JSET_K, 3, denied]);
  const block: Insn[] = tests.map(([code, reg, imm], i) => [code, reg, 0, tests.length - 1 - i + 2, imm]);
  block.push([ALU32_MOV_K, 0, 0, 0, 1], [JMP_EXIT, 0, 0, 0, 0]);
  return block;
}

/** The program's instructions, 8 bytes each, in the host's (little-endian x86/arm64) order. */
export function compileDeviceFilter(rules: readonly DeviceRule[]): Buffer {
  const insns: Insn[] = [
    [LDX_MEM_W, 2, 1, 0, 0], // r2 = access_type
    [ALU32_AND_K, 2, 0, 0, 0xffff], // r2 = device type
    [LDX_MEM_W, 3, 1, 0, 0],
    [ALU32_RSH_K, 3, 0, 0, 16], // r3 = requested access
    [LDX_MEM_W, 4, 1, 4, 0], // r4 = major
    [LDX_MEM_W, 5, 1, 8, 0], // r5 = minor
    ...rules.flatMap(ruleBlock),
    [ALU32_MOV_K, 0, 0, 0, 0],
    [JMP_EXIT, 0, 0, 0, 0],
  ];
  const out = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, dst, src, off, imm], i) => {
    out.writeUInt8(code, i * 8);
    out.writeUInt8((src << 4) | dst, i * 8 + 1);
    out.writeInt16LE(off, i * 8 + 2);
    out.writeInt32LE(imm | 0, i * 8 + 4);
  });
  return out;
}

/**
 * Evaluates a compiled program for one device access, as the kernel would: the unit tests run
 * every rule set through this interpreter, so a wrong jump offset shows without a v2 kernel.
 */
export function runDeviceFilter(program: Buffer, dev: { type: 'b' | 'c'; major: number; minor: number; access: string }): boolean {
  const ctx = [((accessMask(dev.access) << 16) | (dev.type === 'b' ? DEV_BLOCK : DEV_CHAR)) >>> 0, dev.major, dev.minor];
  const reg = new Array<number>(11).fill(0);
  for (let pc = 0; pc < program.length / 8; pc++) {
    const code = program.readUInt8(pc * 8);
    const dst = program.readUInt8(pc * 8 + 1) & 0xf;
    const off = program.readInt16LE(pc * 8 + 2);
    const imm = program.readInt32LE(pc * 8 + 4);
    switch (code) {
      case LDX_MEM_W: reg[dst] = ctx[off / 4] ?? 0; break;
      case ALU32_AND_K: reg[dst] = (reg[dst]! & imm) >>> 0; break;
      case ALU32_RSH_K: reg[dst] = reg[dst]! >>> imm; break;
      case ALU32_MOV_K: reg[dst] = imm >>> 0; break;
      case JMP_JNE_K: if (reg[dst] !== imm >>> 0) pc += off; break;
      case JMP_JSET_K: if ((reg[dst]! & imm) !== 0) pc += off; break;
      case JMP_EXIT: return reg[0] === 1;
      default: throw new Error(`unknown opcode ${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('program fell off its end');
}
