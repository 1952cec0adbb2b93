/* bpf: a classic-BPF assembler, printer and interpreter. See bpf.h. */
#include "bpf.h"

#include <stdarg.h>
#include <string.h>

size_t bpf_emit(struct bpf_prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k, const char *note, ...)
{
	if (p->len >= BPF_MAXINSNS) {
		p->overflow = 1;
		return p->len;
	}
	size_t i = p->len++;
	p->insn[i] = (struct sock_filter){ code, jt, jf, k };
	p->note[i][0] = '\0';
	if (note) {
		va_list ap;
		va_start(ap, note);
		vsnprintf(p->note[i], sizeof p->note[i], note, ap);
		va_end(ap);
	}
	return i;
}

static const char *jump_name(uint16_t op)
{
	switch (op) {
	case BPF_JEQ: return "jeq";
	case BPF_JGT: return "jgt";
	case BPF_JGE: return "jge";
	case BPF_JSET: return "jset";
	default: return "j?";
	}
}

static const char *alu_name(uint16_t op)
{
	switch (op) {
	case BPF_ADD: return "add";
	case BPF_SUB: return "sub";
	case BPF_MUL: return "mul";
	case BPF_DIV: return "div";
	case BPF_OR: return "or";
	case BPF_AND: return "and";
	case BPF_LSH: return "lsh";
	case BPF_RSH: return "rsh";
	case BPF_NEG: return "neg";
	default: return "alu?";
	}
}

/* One instruction in tcpdump's words: op and operand, and the jump targets. */
static void format_insn(const struct sock_filter *f, size_t pc, char *op, size_t osize, char *arg,
			size_t asize, char *jumps, size_t jsize)
{
	uint16_t c = f->code;
	jumps[0] = '\0';
	switch (BPF_CLASS(c)) {
	case BPF_LD:
	case BPF_LDX: {
		const char *size = BPF_SIZE(c) == BPF_W ? "" : BPF_SIZE(c) == BPF_H ? "h" : "b";
		snprintf(op, osize, "%s%s", BPF_CLASS(c) == BPF_LD ? "ld" : "ldx", size);
		if (BPF_MODE(c) == BPF_ABS)
			snprintf(arg, asize, "[%u]", f->k);
		else if (BPF_MODE(c) == BPF_IMM)
			snprintf(arg, asize, "#%#x", f->k);
		else if (BPF_MODE(c) == BPF_MEM)
			snprintf(arg, asize, "M[%u]", f->k);
		else if (BPF_MODE(c) == BPF_IND)
			snprintf(arg, asize, "[x + %u]", f->k);
		else
			snprintf(arg, asize, "?");
		break;
	}
	case BPF_ST:
	case BPF_STX:
		snprintf(op, osize, "%s", BPF_CLASS(c) == BPF_ST ? "st" : "stx");
		snprintf(arg, asize, "M[%u]", f->k);
		break;
	case BPF_ALU:
		snprintf(op, osize, "%s", alu_name(BPF_OP(c)));
		snprintf(arg, asize, BPF_SRC(c) == BPF_X ? "x" : "#%#x", f->k);
		break;
	case BPF_JMP:
		if (BPF_OP(c) == BPF_JA) {
			snprintf(op, osize, "ja");
			snprintf(arg, asize, "%zu", pc + 1 + f->k);
		} else {
			snprintf(op, osize, "%s", jump_name(BPF_OP(c)));
			/* small constants (syscall numbers) in decimal, masks and codes in hex */
			snprintf(arg, asize, BPF_SRC(c) == BPF_X ? "x" : f->k < 1024 ? "#%u" : "#%#x", f->k);
			snprintf(jumps, jsize, "jt %-4zu jf %-4zu", pc + 1 + f->jt, pc + 1 + f->jf);
		}
		break;
	case BPF_RET:
		snprintf(op, osize, "ret");
		snprintf(arg, asize, BPF_RVAL(c) == BPF_A ? "a" : "#%#x", f->k);
		break;
	default:
		snprintf(op, osize, "misc");
		snprintf(arg, asize, "%s", BPF_MISCOP(c) == BPF_TAX ? "tax" : "txa");
	}
}

void bpf_print(const struct bpf_prog *p, FILE *out)
{
	for (size_t pc = 0; pc < p->len; pc++) {
		char op[8], arg[32], jumps[32];
		format_insn(&p->insn[pc], pc, op, sizeof op, arg, sizeof arg, jumps, sizeof jumps);
		char line[96];
		snprintf(line, sizeof line, "(%03zu) %-8s %-16s %s", pc, op, arg, jumps);
		for (size_t n = strlen(line); n && line[n - 1] == ' ';)
			line[--n] = '\0';
		if (p->note[pc][0])
			fprintf(out, "%-50s # %s\n", line, p->note[pc]);
		else
			fprintf(out, "%s\n", line);
	}
}

int bpf_longest_path(const struct bpf_prog *p)
{
	static int longest[BPF_MAXINSNS + 1];
	if (!p->len)
		return 0;
	/* From the end backwards: the longest run starting at each instruction. */
	for (size_t i = p->len; i-- > 0;) {
		const struct sock_filter *f = &p->insn[i];
		size_t a = i + 1;
		size_t b = a;
		if (BPF_CLASS(f->code) == BPF_RET) {
			longest[i] = 1;
			continue;
		}
		if (BPF_CLASS(f->code) == BPF_JMP) {
			if (BPF_OP(f->code) == BPF_JA) {
				a = b = i + 1 + f->k;
			} else {
				a = i + 1 + f->jt;
				b = i + 1 + f->jf;
			}
		}
		if (a >= p->len || b >= p->len)
			return -1;
		longest[i] = 1 + (longest[a] > longest[b] ? longest[a] : longest[b]);
	}
	return longest[0];
}

uint32_t bpf_run(const struct bpf_prog *p, const void *data, size_t size, uint64_t *loaded_from, int *steps)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc = 0;
	int n = 0;
	while (pc < p->len) {
		const struct sock_filter *f = &p->insn[pc++];
		uint16_t c = f->code;
		n++;
		if (steps)
			*steps = n;
		switch (BPF_CLASS(c)) {
		case BPF_LD:
			if (BPF_MODE(c) == BPF_ABS && BPF_SIZE(c) == BPF_W) {
				if ((size_t)f->k + 4 > size || f->k % 4)
					return 0;
				memcpy(&a, (const char *)data + f->k, 4);
				if (loaded_from && f->k / 4 < 64)
					*loaded_from |= UINT64_C(1) << (f->k / 4);
			} else if (BPF_MODE(c) == BPF_IMM) {
				a = f->k;
			} else if (BPF_MODE(c) == BPF_MEM && f->k < BPF_MEMWORDS) {
				a = mem[f->k];
			} else {
				return 0;
			}
			break;
		case BPF_LDX:
			if (BPF_MODE(c) == BPF_IMM)
				x = f->k;
			else if (BPF_MODE(c) == BPF_MEM && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else
				return 0;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return 0;
			mem[f->k] = BPF_CLASS(c) == BPF_ST ? a : x;
			break;
		case BPF_ALU: {
			uint32_t v = BPF_SRC(c) == BPF_X ? x : f->k;
			switch (BPF_OP(c)) {
			case BPF_ADD: a += v; break;
			case BPF_SUB: a -= v; break;
			case BPF_MUL: a *= v; break;
			case BPF_DIV: if (!v) return 0; a /= v; break;
			case BPF_OR: a |= v; break;
			case BPF_AND: a &= v; break;
			case BPF_LSH: a = v < 32 ? a << v : 0; break;
			case BPF_RSH: a = v < 32 ? a >> v : 0; break;
			case BPF_NEG: a = -a; break;
			default: return 0;
			}
			break;
		}
		case BPF_JMP: {
			uint32_t v = BPF_SRC(c) == BPF_X ? x : f->k;
			int taken;
			switch (BPF_OP(c)) {
			case BPF_JA: pc += f->k; continue;
			case BPF_JEQ: taken = a == v; break;
			case BPF_JGT: taken = a > v; break;
			case BPF_JGE: taken = a >= v; break;
			case BPF_JSET: taken = (a & v) != 0; break;
			default: return 0;
			}
			pc += taken ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(c) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(c) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return 0;
		}
	}
	return 0;
}
