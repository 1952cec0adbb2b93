/* elfinfo: what the dynamic loader needs to start a program (elf(5), ld.so(8)), read
 * from the file itself: the interpreter (PT_INTERP), the libraries it names
 * (DT_NEEDED) and where to look for them (DT_RUNPATH, DT_RPATH). mkrootfs
 * --from-host uses it to copy a program with its libraries, no ldd involved. */
#ifndef BOXSTEP_ELFINFO_H
#define BOXSTEP_ELFINFO_H

#include <limits.h>
#include <stddef.h>

#define ELF_MAX_NEEDED 64

struct elf_info {
	int elfclass;              /* ELFCLASS64 or ELFCLASS32 */
	int machine;               /* EM_X86_64, ... */
	char interp[256];          /* PT_INTERP, "" for a static program */
	char runpath[1024];        /* DT_RUNPATH, else DT_RPATH, "" when none */
	char needed[ELF_MAX_NEEDED][128]; /* DT_NEEDED, in order */
	size_t nneeded;
};

/* Reads the ELF file path. 0, or -1 with errno: ENOEXEC when it is not an ELF
 * file of this machine's byte order, EFBIG when it names too many libraries. */
int elf_read(const char *path, struct elf_info *out);

/* Finds the library name as the loader would for the object at from_path (whose
 * headers are from): its DT_RUNPATH or DT_RPATH ($ORIGIN is from_path's
 * directory), the directories of /etc/ld.so.conf (and its includes), then /lib64,
 * /usr/lib64, /lib, /usr/lib; the first file that is an ELF of from's class and
 * machine. out gets its path (links not followed). 0, or -1 with errno ENOENT. */
int elf_find_library(const char *name, const struct elf_info *from, const char *from_path,
		     char *out, size_t size);

/* A program (a path, or a name looked up in PATH) and everything it needs to
 * start: for a #! script its interpreter, for an ELF file its loader and libraries,
 * and theirs in turn. Each path once, the program first. */
#define ELF_MAX_FILES 512
struct elf_files {
	char path[ELF_MAX_FILES][PATH_MAX];
	size_t n;
};
/* Adds program and its closure to files. On failure (a program or library that is
 * not found, a file that is neither ELF nor script) prints why and exits 125. */
void elf_add_program(struct elf_files *files, const char *program);

#endif
