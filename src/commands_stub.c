/* Temporary stubs until the report tools land (removed by their author). */
#include <stdio.h>
#include "commands.h"
int command_diff(int argc, char **argv) { (void)argc; (void)argv; fputs("ptraudit diff: not yet\n", stderr); return 2; }
int command_merge(int argc, char **argv) { (void)argc; (void)argv; fputs("ptraudit merge: not yet\n", stderr); return 2; }
