#ifndef CASTOR_CPROCESS_SHIM_H
#define CASTOR_CPROCESS_SHIM_H

// Process-wide hardening calls Swift cannot make directly: prctl(2) is variadic, and
// Swift does not import variadic C functions. Only CastorSystemd imports this module
// (ProcessHardening wraps it). Each function returns 0 or -1 with errno set, like the call.

#include <errno.h>
#include <sys/resource.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

/// prctl(PR_SET_DUMPABLE, 0): no core dump, and no ptrace attach or /proc/PID/mem read by
/// other processes of the same user.
static inline int castor_prctl_set_not_dumpable(void) {
#if defined(__linux__)
    return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// prctl(PR_GET_DUMPABLE): 1 when dumpable, 0 when not, -1 on error.
static inline int castor_prctl_get_dumpable(void) {
#if defined(__linux__)
    return prctl(PR_GET_DUMPABLE, 0L, 0L, 0L, 0L);
#else
    errno = ENOSYS;
    return -1;
#endif
}

/// setrlimit(RLIMIT_CORE, {0, 0}): no core file even if something makes the process
/// dumpable again (a setuid exec, a later prctl).
static inline int castor_disable_core_limit(void) {
    struct rlimit limit = { 0, 0 };
    return setrlimit(RLIMIT_CORE, &limit);
}

/// The current RLIMIT_CORE soft limit in *soft and hard limit in *hard.
static inline int castor_core_limit(unsigned long long *soft, unsigned long long *hard) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_CORE, &limit) != 0) return -1;
    *soft = (unsigned long long)limit.rlim_cur;
    *hard = (unsigned long long)limit.rlim_max;
    return 0;
}

#endif
