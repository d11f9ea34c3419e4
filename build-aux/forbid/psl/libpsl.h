/* SPDX-License-Identifier: MIT */
/* Placed first on the include path of the layers that must not use this library:
 * including it there is a build error (docs/ARCHITECTURE.md, "Layers"). */
#error "this layer must not include <libpsl.h>: see docs/ARCHITECTURE.md"
