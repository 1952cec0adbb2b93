/* attempts-abi: a call through the i386 ABI, made from x86_64 code with int $0x80
 * (the way 32-bit programs entered the kernel). Its numbers are i386's
 * (asm/unistd_32.h), not x86_64's, so this file includes no other syscall header. */
#include <asm/unistd_32.h>

long attempt_int80_unshare(long flags);

long attempt_int80_unshare(long flags)
{
#if defined(__x86_64__)
	long ret;
	/* int $0x80 takes eax, ebx; from 64-bit code the kernel may clobber r8-r11 */
	__asm__ volatile("int $0x80" : "=a"(ret) : "0"((long)__NR_unshare), "b"(flags) : "r8", "r9", "r10", "r11", "memory");
	return ret;
#else
	(void)flags;
	return -38; /* -ENOSYS: no i386 ABI to try here */
#endif
}
