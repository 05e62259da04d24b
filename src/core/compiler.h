/*
 * Function attributes that GCC and Clang understand, defined empty for
 * other C11 compilers, where the code stays correct and only its speed
 * may change.
 */
#ifndef SSHTRAIL_COMPILER_H
#define SSHTRAIL_COMPILER_H

#if defined(__GNUC__)
/* Inlines a function even where the compiler's size limits would not. */
#define SSHTRAIL_ALWAYS_INLINE __attribute__((always_inline))
/* Keeps a function out of line, such as a path taken only once. */
#define SSHTRAIL_NOINLINE __attribute__((noinline))
#else
#define SSHTRAIL_ALWAYS_INLINE
#define SSHTRAIL_NOINLINE
#endif

#endif
