#ifndef CASTOR_CWSLAY_SHIM_H
#define CASTOR_CWSLAY_SHIM_H
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <wslay/wslay.h>
#endif
