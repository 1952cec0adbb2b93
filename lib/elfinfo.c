/* elfinfo: program headers and the dynamic section. See elfinfo.h (not elf.h: that
 * name is the system header this file includes). */
#include "elfinfo.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "procinfo.h"

/* A mapped file and bounds-checked reads of it. */
struct image {
	const unsigned char *data;
	size_t size;
	int is64;
};

static const void *at(const struct image *im, uint64_t off, uint64_t len)
{
	if (off > im->size || len > im->size - off)
		return NULL;
	return im->data + off;
}

/* The file offset of a virtual address, through the PT_LOAD segments. */
static int vaddr_to_offset(const struct image *im, uint64_t phoff, unsigned phnum, uint64_t vaddr,
			   uint64_t *off)
{
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t type, vstart, fsize, foff;
		if (im->is64) {
			const Elf64_Phdr *ph = at(im, phoff + i * sizeof *ph, sizeof *ph);
			if (!ph)
				return -1;
			type = ph->p_type, vstart = ph->p_vaddr, fsize = ph->p_filesz, foff = ph->p_offset;
		} else {
			const Elf32_Phdr *ph = at(im, phoff + i * sizeof *ph, sizeof *ph);
			if (!ph)
				return -1;
			type = ph->p_type, vstart = ph->p_vaddr, fsize = ph->p_filesz, foff = ph->p_offset;
		}
		if (type == PT_LOAD && vaddr >= vstart && vaddr - vstart < fsize) {
			*off = foff + (vaddr - vstart);
			return 0;
		}
	}
	return -1;
}

static int copy_string(const struct image *im, uint64_t off, char *out, size_t size)
{
	const char *s = at(im, off, 1);
	if (!s)
		return -1;
	size_t max = im->size - off, n = strnlen(s, max);
	if (n == max || n >= size)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

static int parse(const struct image *im, struct elf_info *out)
{
	const unsigned char *id = at(im, 0, EI_NIDENT);
	if (!id || memcmp(id, ELFMAG, SELFMAG) != 0 || (id[EI_CLASS] != ELFCLASS64 && id[EI_CLASS] != ELFCLASS32))
		return -1;
	const union { uint16_t u; unsigned char c[2]; } probe = { 1 };
	if (id[EI_DATA] != (probe.c[0] ? ELFDATA2LSB : ELFDATA2MSB))
		return -1;
	struct image m = *im;
	m.is64 = id[EI_CLASS] == ELFCLASS64;
	uint64_t phoff;
	unsigned phnum;
	if (m.is64) {
		const Elf64_Ehdr *eh = at(&m, 0, sizeof *eh);
		if (!eh || eh->e_phentsize != sizeof(Elf64_Phdr))
			return -1;
		phoff = eh->e_phoff, phnum = eh->e_phnum, out->machine = eh->e_machine;
	} else {
		const Elf32_Ehdr *eh = at(&m, 0, sizeof *eh);
		if (!eh || eh->e_phentsize != sizeof(Elf32_Phdr))
			return -1;
		phoff = eh->e_phoff, phnum = eh->e_phnum, out->machine = eh->e_machine;
	}
	out->elfclass = id[EI_CLASS];
	uint64_t dyn_off = 0, dyn_size = 0;
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t type, off, size;
		if (m.is64) {
			const Elf64_Phdr *ph = at(&m, phoff + i * sizeof *ph, sizeof *ph);
			if (!ph)
				return -1;
			type = ph->p_type, off = ph->p_offset, size = ph->p_filesz;
		} else {
			const Elf32_Phdr *ph = at(&m, phoff + i * sizeof *ph, sizeof *ph);
			if (!ph)
				return -1;
			type = ph->p_type, off = ph->p_offset, size = ph->p_filesz;
		}
		if (type == PT_INTERP && copy_string(&m, off, out->interp, sizeof out->interp) < 0)
			return -1;
		if (type == PT_DYNAMIC)
			dyn_off = off, dyn_size = size;
	}
	if (!dyn_size)
		return 0; /* static: nothing to load */

	/* Two passes: DT_STRTAB first, since the strings live there. */
	uint64_t strtab = 0, runpath = 0, rpath = 0, entsize = m.is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
	int has_runpath = 0, has_rpath = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t o = dyn_off; o + entsize <= dyn_off + dyn_size; o += entsize) {
			int64_t tag;
			uint64_t val;
			if (m.is64) {
				const Elf64_Dyn *d = at(&m, o, sizeof *d);
				if (!d)
					return -1;
				tag = d->d_tag, val = d->d_un.d_val;
			} else {
				const Elf32_Dyn *d = at(&m, o, sizeof *d);
				if (!d)
					return -1;
				tag = d->d_tag, val = d->d_un.d_val;
			}
			if (tag == DT_NULL)
				break;
			if (pass == 0) {
				if (tag == DT_STRTAB && vaddr_to_offset(&m, phoff, phnum, val, &strtab) < 0)
					return -1;
				continue;
			}
			if (tag == DT_NEEDED) {
				if (out->nneeded == ELF_MAX_NEEDED) {
					errno = EFBIG;
					return -2;
				}
				if (copy_string(&m, strtab + val, out->needed[out->nneeded++], sizeof out->needed[0]) < 0)
					return -1;
			} else if (tag == DT_RUNPATH) {
				runpath = val, has_runpath = 1;
			} else if (tag == DT_RPATH) {
				rpath = val, has_rpath = 1;
			}
		}
		if (pass == 0 && !strtab)
			return -1;
	}
	if (has_runpath || has_rpath)
		return copy_string(&m, strtab + (has_runpath ? runpath : rpath), out->runpath, sizeof out->runpath);
	return 0;
}

int elf_read(const char *path, struct elf_info *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < EI_NIDENT) {
		close(fd);
		errno = ENOEXEC;
		return -1;
	}
	void *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return -1;
	struct image im = { data, (size_t)st.st_size, 0 };
	int r = parse(&im, out);
	munmap(data, (size_t)st.st_size);
	if (r == -1)
		errno = ENOEXEC;
	return r < 0 ? -1 : 0;
}

/* Tries dir/name: an ELF file of the same class and machine. */
static int try_dir(const char *dir, size_t dirlen, const char *name, const struct elf_info *from,
		   char *out, size_t size)
{
	struct elf_info lib;
	if (dirlen == 0 || (size_t)snprintf(out, size, "%.*s/%s", (int)dirlen, dir, name) >= size)
		return -1;
	return elf_read(out, &lib) == 0 && lib.elfclass == from->elfclass && lib.machine == from->machine ? 0 : -1;
}

/* Each directory of a colon-separated list, $ORIGIN replaced by origin. */
static int try_list(const char *list, const char *origin, const char *name, const struct elf_info *from,
		    char *out, size_t size)
{
	while (*list) {
		size_t len = strcspn(list, ":");
		char dir[1024];
		if (strncmp(list, "$ORIGIN", 7) == 0 || strncmp(list, "${ORIGIN}", 9) == 0) {
			size_t skip = list[1] == '{' ? 9 : 7;
			snprintf(dir, sizeof dir, "%s%.*s", origin, (int)(len - skip), list + skip);
		} else {
			snprintf(dir, sizeof dir, "%.*s", (int)len, list);
		}
		if (try_dir(dir, strlen(dir), name, from, out, size) == 0)
			return 0;
		list += len + (list[len] == ':');
	}
	return -1;
}

/* The directories of an ld.so.conf file, following its include lines (glob(3)). */
static int try_conf(const char *path, int depth, const char *name, const struct elf_info *from,
		    char *out, size_t size)
{
	char *text = depth < 4 ? file_read_all(path) : NULL;
	if (!text)
		return -1;
	const char *p = text;
	char line[1024];
	int found = -1;
	while (found < 0 && proc_next_line(&p, line, sizeof line) == 0) {
		char *s = line + strspn(line, " \t");
		s[strcspn(s, "#")] = '\0';
		size_t len = strcspn(s, " \t");
		if (strncmp(s, "include", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
			glob_t g;
			char *pattern = s + 8 + strspn(s + 8, " \t");
			pattern[strcspn(pattern, " \t")] = '\0';
			if (glob(pattern, 0, NULL, &g) == 0) {
				for (size_t i = 0; found < 0 && i < g.gl_pathc; i++)
					found = try_conf(g.gl_pathv[i], depth + 1, name, from, out, size);
				globfree(&g);
			}
		} else if (s[0] == '/') {
			found = try_dir(s, len, name, from, out, size);
		}
	}
	free(text);
	return found;
}

int elf_find_library(const char *name, const struct elf_info *from, const char *from_path,
		     char *out, size_t size)
{
	char origin[1024];
	const char *slash = strrchr(from_path, '/');
	snprintf(origin, sizeof origin, "%.*s", slash ? (int)(slash - from_path) : 1, slash ? from_path : ".");
	if (strchr(name, '/')) { /* a path, used as it is */
		snprintf(out, size, "%s", name);
		return access(out, R_OK);
	}
	if ((from->runpath[0] && try_list(from->runpath, origin, name, from, out, size) == 0) ||
	    try_conf("/etc/ld.so.conf", 0, name, from, out, size) == 0 ||
	    try_list("/lib64:/usr/lib64:/lib:/usr/lib", origin, name, from, out, size) == 0)
		return 0;
	errno = ENOENT;
	return -1;
}

static size_t add_path(struct elf_files *files, const char *path)
{
	for (size_t i = 0; i < files->n; i++)
		if (strcmp(files->path[i], path) == 0)
			return i;
	if (files->n == ELF_MAX_FILES)
		die("more than %d files", ELF_MAX_FILES);
	snprintf(files->path[files->n], PATH_MAX, "%s", path);
	return files->n++;
}

/* name as given when it holds a '/', else the first executable regular file of
 * that name in PATH. */
static void find_program(const char *name, char *out)
{
	const char *path = getenv("PATH");
	struct stat st;
	if (strchr(name, '/')) {
		snprintf(out, PATH_MAX, "%s", name);
		if (access(out, X_OK) < 0)
			die("program '%s': %s", name, strerror(errno));
		return;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");
		snprintf(out, PATH_MAX, "%.*s/%s", (int)len, p, name);
		if (out[0] == '/' && stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return;
		p += len + (p[len] == ':');
	}
	die("program '%s' not found in PATH", name);
}

void elf_add_program(struct elf_files *files, const char *program)
{
	char path[PATH_MAX], line[PATH_MAX], lib[PATH_MAX];
	struct elf_info e;
	find_program(program, path);
	for (size_t i = add_path(files, path); i < files->n; i++) {
		const char *obj = files->path[i];
		if (elf_read(obj, &e) < 0) {
			FILE *f = errno == ENOEXEC ? fopen(obj, "re") : NULL;
			int script = f && fgets(line, sizeof line, f) && strncmp(line, "#!", 2) == 0;
			if (f)
				fclose(f);
			if (!script)
				die("'%s' is neither an ELF file nor a #! script", obj);
			char *interp = line + 2 + strspn(line + 2, " \t");
			interp[strcspn(interp, " \t\n")] = '\0';
			trace_comment("%s is a script for %s", obj, interp);
			find_program(interp, path);
			add_path(files, path);
			continue;
		}
		if (e.interp[0])
			add_path(files, e.interp);
		for (size_t n = 0; n < e.nneeded; n++) {
			if (elf_find_library(e.needed[n], &e, obj, lib, sizeof lib) < 0)
				die("%s needs %s, which is nowhere the loader would look (DT_RUNPATH, "
				    "/etc/ld.so.conf, /lib, /usr/lib)", obj, e.needed[n]);
			trace_comment("%s needs %s: %s", obj, e.needed[n], lib);
			add_path(files, lib);
		}
	}
}
