/* caps: capability names and numbers (capabilities(7)), from the kernel headers
 * (build/gen/caps.h), and capability sets as 64-bit masks, as /proc/PID/status
 * shows them (CapEff: 000001ffffffffff). Names are lowercase without "cap_"
 * ("sys_admin"), as capsh and setpriv print them. */
#ifndef BOXSTEP_CAPS_H
#define BOXSTEP_CAPS_H

#include <stddef.h>
#include <stdint.h>

#define CAPS_MAX 64 /* bits in a mask */

/* The highest capability the build's headers name (CAP_CHECKPOINT_RESTORE, 40). */
int cap_last_known(void);
/* The running kernel's highest capability (/proc/sys/kernel/cap_last_cap), or
 * cap_last_known() when that file is unreadable. */
int cap_last_kernel(void);
/* Every capability of the running kernel: bits 0..cap_last_kernel(). */
uint64_t caps_all_mask(void);

/* "sys_admin" for 21; NULL for a number the headers do not name. */
const char *cap_name(int cap);
/* "CAP_SYS_ADMIN" for 21, for trace lines; NULL when unnamed. */
const char *cap_macro(int cap);
/* 21 for "sys_admin", "SYS_ADMIN", "cap_sys_admin", "CAP_Sys_Admin" or "21";
 * -1 when unknown. */
int cap_by_name(const char *name);

/* "chown,dac_override,...": every bit of mask, lowest first, "" for none; a bit
 * the headers do not name is written as its number. Returns the length the whole
 * text needs, as snprintf does. */
size_t caps_format_mask(uint64_t mask, char *buf, size_t size);
/* A shorter text for people: "none", "all 41", "all 41 but sys_resource" (when
 * more than half are set), or the count and the names ("2: chown,kill"). last is
 * the highest capability (cap_last_kernel()). */
size_t caps_describe_mask(uint64_t mask, int last, char *buf, size_t size);
/* A set as /proc shows it: up to 16 hex digits. Returns 0 or -1. */
int caps_parse_hex(const char *s, uint64_t *mask);
/* A comma list of names (any form cap_by_name takes, or "all") into a mask. On an
 * unknown name returns -1 and copies it to bad (when bad is not NULL). */
int caps_parse_list(const char *list, uint64_t *mask, char *bad, size_t badsize);

/* Docker's default set of 14 (moby's oci/caps/defaults.go): chown dac_override
 * fsetid fowner mknod net_raw setgid setuid setfcap setpcap net_bind_service
 * sys_chroot kill audit_write. */
uint64_t caps_docker_default(void);
/* The known name closest to a mistyped one ("net_bind_servic": "net_bind_service"),
 * or NULL when none is close. */
const char *cap_suggest(const char *name);

/* The five sets of a process (capabilities(7)), as masks. */
struct cap_sets {
	uint64_t eff, prm, inh, bnd, amb;
};
/* The caller's sets, from capget(2) and prctl(2) (no /proc needed). Untraced:
 * reading is looking. Returns 0 or -1 with errno. */
int caps_read(struct cap_sets *s);
/* 1 when the caller has no_new_privs set (PR_GET_NO_NEW_PRIVS), else 0. */
int caps_no_new_privs_set(void);

/* Changing them. Each makes one traced kernel call and returns its result. */
int caps_bounding_drop(int cap);                        /* prctl(PR_CAPBSET_DROP, CAP_X) */
int caps_keepcaps(int on);                              /* prctl(PR_SET_KEEPCAPS, on) */
int caps_capset(uint64_t eff, uint64_t prm, uint64_t inh); /* capset(2), version 3 */
int caps_ambient_raise(int cap);                        /* prctl(PR_CAP_AMBIENT, RAISE, CAP_X) */
int caps_set_no_new_privs(void);                        /* prctl(PR_SET_NO_NEW_PRIVS, 1) */

#endif
