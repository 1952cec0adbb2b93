/* bpf: classic BPF programs (the language of seccomp filters and socket filters,
 * linux/filter.h): an assembler that notes why each instruction is there, a
 * disassembler for those notes, the longest path through a program, and an
 * interpreter, so a filter can be read and tried before the kernel runs it.
 *
 * Classic BPF has one accumulator A, loads of 32-bit words from the data it
 * inspects (for seccomp: struct seccomp_data), compare-and-jump instructions whose
 * targets lie 0..255 instructions ahead (only forward: every program ends), and
 * returns. The kernel takes at most BPF_MAXINSNS (4096) instructions. */
#ifndef BOXSTEP_BPF_H
#define BOXSTEP_BPF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/filter.h>

#define BPF_NOTE_MAX 80

struct bpf_prog {
	struct sock_filter insn[BPF_MAXINSNS];
	char note[BPF_MAXINSNS][BPF_NOTE_MAX]; /* why the instruction is there, for bpf_print */
	size_t len;
	int overflow; /* more than BPF_MAXINSNS were emitted */
};

/* Appends one instruction and its note (printf-style, may be NULL); returns its
 * index. Past BPF_MAXINSNS it sets overflow and drops the instruction. */
size_t bpf_emit(struct bpf_prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k,
		const char *note, ...) __attribute__((format(printf, 6, 7)));

/* The program as tcpdump -d prints one, one instruction a line, jump targets as
 * instruction numbers, each note after a '#':
 *   (003) jge      #0x40000000      jt 4    jf 5     # x32 ABI */
void bpf_print(const struct bpf_prog *p, FILE *out);

/* The most instructions any run executes (every jump goes forward, so this is the
 * longest path through a DAG); 0 for an empty program, -1 when a jump leaves it. */
int bpf_longest_path(const struct bpf_prog *p);

/* Runs the program on size bytes of data, as the kernel would; returns what it
 * returns. *loaded_from, when not NULL, gets a bit set for each 4-byte word it
 * loaded (bit i: offset 4*i), so a caller sees whether a verdict read arguments.
 * An instruction the interpreter does not know ends the run with 0. *steps, when
 * not NULL, counts the instructions executed. */
uint32_t bpf_run(const struct bpf_prog *p, const void *data, size_t size, uint64_t *loaded_from,
		 int *steps);

#endif
