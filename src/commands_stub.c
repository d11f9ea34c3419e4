/* Temporary stubs until the report tools land (removed by their author). */
#include <stdio.h>
#include "commands.h"
int command_summary(int argc, char **argv) { (void)argc; (void)argv; fputs("ptraudit summary: not yet\n", stderr); return 2; }
