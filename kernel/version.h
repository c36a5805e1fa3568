/* The version string; the Makefile passes MINIMALOS_VERSION. */
#ifndef VERSION_H
#define VERSION_H

#ifndef MINIMALOS_VERSION
#define MINIMALOS_VERSION "0.0.0-dev"
#endif

#endif
