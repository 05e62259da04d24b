/*
 * Function attributes and prefetch hints that GCC and Clang understand,
 * empty for other C11 compilers, where the code stays correct and only
 * its speed may change.
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

/* Asks the processor to load the cache line at p, which is read soon. */
static inline void
prefetch_read(const void *p)
{
#if defined(__GNUC__)
    __builtin_prefetch(p, 0);
#else
    (void)p;
#endif
}

/* Asks the processor to load the cache line at p, which is written soon. */
static inline void
prefetch_write(const void *p)
{
#if defined(__GNUC__)
    __builtin_prefetch(p, 1);
#else
    (void)p;
#endif
}

#endif
